#!/usr/bin/env bash
# `make test-release`: actionlint on .github/workflows/ (with shellcheck on their run: scripts),
# and tests/image/test_release.py: the release builds the Dockerfile with the build arguments
# tests/image builds with, pins its actions by commit, and the published-image component
# renders. No podman, no network: seconds once actionlint and kustomize are built (once, from
# tools/actionlint and tools/kustomize, into build/tools).
set -euo pipefail
cd "$(dirname "$0")/../.."

TOOLS=build/tools
log() { printf 'test-release: %s\n' "$*" >&2; }

# A Go tool pinned by tools/NAME/go.mod, built once into build/tools/NAME (again when the pin moves).
go_tool() {
    local name=$1 package=$2
    cmp -s "tools/$name/go.mod" "$TOOLS/$name.go.mod" 2>/dev/null && [ -x "$TOOLS/$name" ] && return 0
    log "building $name from tools/$name (once; cached in $TOOLS)"
    mkdir -p "$TOOLS"
    (cd "tools/$name" && go build -o "$OLDPWD/$TOOLS/$name" "$package")
    cp "tools/$name/go.mod" "$TOOLS/$name.go.mod"
}
go_tool actionlint github.com/rhysd/actionlint/cmd/actionlint
go_tool kustomize sigs.k8s.io/kustomize/kustomize/v5

start=$SECONDS
"$TOOLS/actionlint" -no-color -oneline
ACTIONLINT=$PWD/$TOOLS/actionlint KUSTOMIZE=$PWD/$TOOLS/kustomize \
    build/venv/bin/python -m pytest -q tests/image/test_release.py "$@"
log "done in $((SECONDS - start)) s"
