#!/usr/bin/env bash
# make test-backup: backup and restore, everything that runs without a cluster.
#  1. which member a backup quiesces, against MongoDB's replies (node --test tests/backup/)
#  2. pytest tests/backup: the local story on FerretDB (backup while writing, destroy, restore,
#     same fingerprint, the server recovering by itself); the members' hook script in the pinned
#     mongosh against FerretDB; the Velero and Kanister recipes rendered and checked.
# Installs what it needs on the first run (tests/k8s/tools.sh, as test-k8s does): kustomize
# and mongosh.
set -euo pipefail
cd "$(dirname "$0")/../.."
log() { printf 'test-backup: %s\n' "$*" >&2; }

tests/k8s/tools.sh kustomize mongosh

log "which member a backup quiesces (node --test)"
node --test tests/backup/
log "pytest tests/backup"
KUSTOMIZE="$PWD/build/tools/kustomize" exec build/venv/bin/python -m pytest -q tests/backup "$@"
