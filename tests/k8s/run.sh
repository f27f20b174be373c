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

# kustomize today's and kubectl 1.27's; kube-score, the linter (tests/k8s/kube-score-ignore.yaml);
# mongosh; the venv of tests/k8s/requirements.txt
tests/k8s/tools.sh kustomize kustomize-kubectl kube-score mongosh venv

scripts/deps.sh run >/dev/null   # FerretDB, for the bootstrap script's test
[ -x build/pacman ] || { log "build/pacman is missing: run make build (the probe checks ask it)"; exit 1; }

log "bootstrap decisions (node --test)"
node --test tests/k8s/

log "pytest: bootstrap and probes in mongosh; manifests rendered, validated, cross-checked, probes asked, mistakes caught"
KUSTOMIZE="$PWD/$TOOLS/kustomize" KUSTOMIZE_KUBECTL="$PWD/$TOOLS/kustomize-kubectl" KUBE_SCORE="$PWD/$TOOLS/kube-score" \
    "$VENV/bin/python" -m pytest -q tests/k8s "$@"
