//go:build tools

// Pins kube-score for tests/k8s/run.sh (the linter run on every kustomize render; its ignore
// list is tests/k8s/kube-score-ignore.yaml): `go build` of this module's pinned version.
package tools

import _ "github.com/zegl/kube-score/cmd/kube-score"
