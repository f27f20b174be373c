//go:build tools

// Pins Helm 3 for tests/helm: the chart says it works with Helm 3 (3.8 or later) and 4, so
// its lint and renders are checked with both (tests/helm/helm-tool.sh 3 builds this one).
package tools

import _ "helm.sh/helm/v3/cmd/helm"
