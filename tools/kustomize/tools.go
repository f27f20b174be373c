//go:build tools

// Pins kustomize for tests/k8s/run.sh: `go build` of this module's pinned version works with the
// module proxy here, where `go install pkg@version` may not.
package tools

import _ "sigs.k8s.io/kustomize/kustomize/v5"
