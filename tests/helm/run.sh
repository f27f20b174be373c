#!/usr/bin/env bash
# make test-helm: the chart (charts/pacman) offline, no cluster: `helm lint --strict`; its
# renders against the API schemas and the manifests' cross-object checks (tests/k8s/manifests.py);
# the values schema; the generated credentials; the renders of the chart and of k8s/ compared
# object for object; kube-score on its renders; and `helm test`'s script against the real
# server and database.
# (tests/cluster/test_helm.py installs it on a real control plane in make test-cluster.)
#
# Uses the tools make test-k8s builds (kustomize, kube-score, its Python venv) and Helm, built once from
# tools/helm (tests/helm/helm-tool.sh). Skips, saying so, only when Helm is not built and the
# Go module proxy cannot be reached.
set -euo pipefail
cd "$(dirname "$0")/../.."

rm -f build/skipped/test-helm
status=0
HELM=$(tests/helm/helm-tool.sh) && HELM3=$(tests/helm/helm-tool.sh 3) || status=$?   # Helm 4, and 3
if [ "$status" -eq 77 ]; then
    mkdir -p build/skipped
    echo "the Go module proxy cannot be reached to build Helm" > build/skipped/test-helm
    printf '\n%s\n\n' "test-helm: SKIPPED: Helm is not built and the Go module proxy cannot be reached (see above)." >&2
    exit 0
fi
[ "$status" -eq 0 ] || exit "$status"

# What test-k8s builds: kustomize and kube-score (tools/), and the venv of tests/k8s/requirements.txt.
stale=false
for tool in kustomize kube-score; do
    cmp -s "tools/$tool/go.mod" "build/tools/$tool.go.mod" 2>/dev/null && [ -x "build/tools/$tool" ] || stale=true
done
cmp -s tests/k8s/requirements.txt build/k8s/venv/.requirements 2>/dev/null || stale=true
if $stale; then
    echo "test-helm: building test-k8s's tools first (kustomize, kube-score, its venv): tests/k8s/run.sh --collect-only" >&2
    tests/k8s/run.sh --collect-only -q >/dev/null
fi
scripts/deps.sh run >/dev/null   # FerretDB, for helm test's script against the real server
[ -x build/pacman ] || { echo "test-helm: build/pacman is missing: run make build" >&2; exit 1; }

HELM=$HELM HELM3=$HELM3 KUSTOMIZE=$PWD/build/tools/kustomize KUBE_SCORE=$PWD/build/tools/kube-score exec timeout --signal=INT --kill-after=30 600 \
    build/k8s/venv/bin/python -m pytest -q -p no:cacheprovider tests/helm "$@"
