#!/usr/bin/env bash
# Offline checks of the Kubernetes manifests (make test-k8s): no cluster, no kubectl.
#  1. the replica-set bootstrap: its decisions against recorded replies (node --test), and the
#     script itself and the members' probes in a real mongosh against FerretDB (test_mongosh.py)
#  2. every kustomization (k8s/ and k8s/overlays/*) rendered by a pinned kustomize, then
#     validated strictly against the API schemas of Kubernetes 1.27 to the newest, checked
#     across objects, its probes asked of the real server binary, and each mistake class caught;
#     and kube-score on each render, every finding fixed or explained (kube-score-ignore.yaml).
# Installs its pinned tools under build/ on the first run: kustomize (today's and kubectl 1.27's)
# and kube-score (built from tools/kustomize, tools/kustomize-kubectl and tools/kube-score with Go), a Python venv (tests/k8s/requirements.txt) and mongosh (tests/k8s/package-lock.json).
set -euo pipefail
cd "$(dirname "$0")/../.."

TOOLS=build/tools
VENV=build/k8s/venv
log() { printf 'test-k8s: %s\n' "$*" >&2; }

# A Go tool pinned by tools/NAME/go.mod, built once into build/tools/NAME (rebuilt when the pin moves).
go_tool() {
    local name=$1 package=$2
    cmp -s "tools/$name/go.mod" "$TOOLS/$name.go.mod" 2>/dev/null && [ -x "$TOOLS/$name" ] && return 0
    command -v go >/dev/null || { log "Go is needed to build $name (tools/$name)"; exit 1; }
    log "building $name from tools/$name (once; cached in $TOOLS)"
    mkdir -p "$TOOLS"
    (cd "tools/$name" && go build -o "$OLDPWD/$TOOLS/$name" "$package")
    cp "tools/$name/go.mod" "$TOOLS/$name.go.mod"
}
go_tool kustomize sigs.k8s.io/kustomize/kustomize/v5
go_tool kustomize-kubectl sigs.k8s.io/kustomize/kustomize/v5   # the one inside kubectl 1.27
go_tool kube-score github.com/zegl/kube-score/cmd/kube-score   # the linter (tests/k8s/kube-score-ignore.yaml)

if ! cmp -s tests/k8s/requirements.txt "$VENV/.requirements" 2>/dev/null; then
    log "python venv with tests/k8s/requirements.txt"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q --disable-pip-version-check -r tests/k8s/requirements.txt
    cp tests/k8s/requirements.txt "$VENV/.requirements"
fi

if ! cmp -s tests/k8s/package-lock.json build/k8s/npm/.installed 2>/dev/null; then
    log "mongosh from npm (tests/k8s/package-lock.json)"
    mkdir -p build/k8s/npm
    cp tests/k8s/package.json tests/k8s/package-lock.json build/k8s/npm/
    (cd build/k8s/npm && npm ci --no-audit --no-fund --loglevel=error)
    cp tests/k8s/package-lock.json build/k8s/npm/.installed
fi

scripts/deps.sh run >/dev/null   # FerretDB, for the bootstrap script's test
[ -x build/pacman ] || { log "build/pacman is missing: run make build (the probe checks ask it)"; exit 1; }

log "bootstrap decisions (node --test)"
node --test tests/k8s/

log "pytest: bootstrap and probes in mongosh; manifests rendered, validated, cross-checked, probes asked, mistakes caught"
KUSTOMIZE="$PWD/$TOOLS/kustomize" KUSTOMIZE_KUBECTL="$PWD/$TOOLS/kustomize-kubectl" KUBE_SCORE="$PWD/$TOOLS/kube-score" \
    "$VENV/bin/python" -m pytest -q tests/k8s "$@"
