#!/usr/bin/env bash
# make test-backup: backup and restore, everything that runs without a cluster.
#  1. which member a backup quiesces, against MongoDB's replies (node --test tests/backup/)
#  2. pytest tests/backup: the local story on FerretDB (backup while writing, destroy, restore,
#     same fingerprint, the server recovering by itself); the members' hook script in the pinned
#     mongosh against FerretDB; the Velero and Kanister recipes rendered and checked.
# Installs what it needs on the first run: kustomize (tools/kustomize, as test-k8s builds it)
# and mongosh (tests/k8s/package-lock.json, where test-k8s installs it).
set -euo pipefail
cd "$(dirname "$0")/../.."
log() { printf 'test-backup: %s\n' "$*" >&2; }

if ! { cmp -s tools/kustomize/go.mod build/tools/kustomize.go.mod 2>/dev/null && [ -x build/tools/kustomize ]; }; then
    log "building kustomize from tools/kustomize (once; cached in build/tools)"
    mkdir -p build/tools
    (cd tools/kustomize && go build -o "$OLDPWD/build/tools/kustomize" sigs.k8s.io/kustomize/kustomize/v5)
    cp tools/kustomize/go.mod build/tools/kustomize.go.mod
fi
if ! cmp -s tests/k8s/package-lock.json build/k8s/npm/.installed 2>/dev/null; then
    log "mongosh from npm (tests/k8s/package-lock.json)"
    mkdir -p build/k8s/npm
    cp tests/k8s/package.json tests/k8s/package-lock.json build/k8s/npm/
    (cd build/k8s/npm && npm ci --no-audit --no-fund --loglevel=error)
    cp tests/k8s/package-lock.json build/k8s/npm/.installed
fi

log "which member a backup quiesces (node --test)"
node --test tests/backup/
log "pytest tests/backup"
KUSTOMIZE="$PWD/build/tools/kustomize" exec build/venv/bin/python -m pytest -q tests/backup "$@"
