//go:build tools

// Pins the Kubernetes control plane that tests/cluster/control-plane.sh runs: kube-apiserver,
// kube-controller-manager, kube-scheduler and kubectl, all from k8s.io/kubernetes v1.34.2.
// Built by tests/cluster/build.sh (one `go build` of the four, with version ldflags).
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
