//go:build tools

// Pins Helm for the chart's tests (tests/helm/, tests/cluster/test_helm.py): built once by
// tests/helm/helm.sh into build/tools/helm-VERSION with `go build` of this module's pinned
// version.
package tools

import _ "helm.sh/helm/v4/cmd/helm"
