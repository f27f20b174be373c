//go:build tools

// Pins kustomize v5.0.1, the one built into kubectl 1.27, the oldest Kubernetes the manifests
// support: tests/k8s/run.sh checks that it renders k8s/ exactly as the current kustomize does,
// so `kubectl apply -k` gives the same objects on every kubectl the manifests support.
package tools

import _ "sigs.k8s.io/kustomize/kustomize/v5"
