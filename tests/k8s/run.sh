#!/usr/bin/env bash
# Offline checks of the Kubernetes manifests (make test-k8s): no cluster, no kubectl.
#  1. the replica-set bootstrap's decisions against recorded replies (node --test)
#  2. every kustomization (k8s/ and k8s/overlays/*) rendered by a pinned kustomize, then
#     validated strictly against the API schemas of Kubernetes 1.25 to the newest, checked
#     across objects, its probes asked of the real server binary, and each mistake class caught.
# Installs its pinned tools under build/ on the first run: kustomize (built from tools/kustomize
# with Go) and a Python venv (tests/k8s/requirements.txt).
set -euo pipefail
cd "$(dirname "$0")/../.."

TOOLS=build/tools
VENV=build/k8s/venv
log() { printf 'test-k8s: %s\n' "$*" >&2; }

want_kustomize=$(sed -n 's|^require sigs.k8s.io/kustomize/kustomize/v5 ||p' tools/kustomize/go.mod)
if [ "$("$TOOLS/kustomize" version 2>/dev/null)" != "$want_kustomize" ]; then
    command -v go >/dev/null || { log "Go is needed to build kustomize $want_kustomize"; exit 1; }
    log "building kustomize $want_kustomize (once; cached in $TOOLS)"
    mkdir -p "$TOOLS"
    (cd tools/kustomize && go build -o "$OLDPWD/$TOOLS/kustomize" sigs.k8s.io/kustomize/kustomize/v5)
fi

if ! cmp -s tests/k8s/requirements.txt "$VENV/.requirements" 2>/dev/null; then
    log "python venv with tests/k8s/requirements.txt"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q --disable-pip-version-check -r tests/k8s/requirements.txt
    cp tests/k8s/requirements.txt "$VENV/.requirements"
fi

[ -x build/pacman ] || { log "build/pacman is missing: run make build (the probe checks ask it)"; exit 1; }

log "bootstrap decisions (node --test)"
node --test tests/k8s/

log "manifests: render, schemas, cross-object checks, probes, deliberate mistakes"
KUSTOMIZE="$PWD/$TOOLS/kustomize" "$VENV/bin/python" -m pytest -q tests/k8s "$@"
