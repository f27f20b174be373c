#!/usr/bin/env bash
# Builds Helm once from the Go module pinned in tools/helm (helm.sh/helm/v4) into
# $PACMAN_TOOLS_DIR/helm-VERSION (default build/tools), rebuilt only when the pin moves, and
# prints the binary's path on stdout (the only thing it prints there).
#
#   tests/helm/helm-tool.sh       Helm 4 (tools/helm): what the tests and the walkthrough use
#   tests/helm/helm-tool.sh 3     Helm 3 (tools/helm3): the chart is linted and rendered with it too
#
# Exit status 77 (and a message on stderr) means Helm is not built and the Go module proxy
# cannot be reached to build it: callers skip, saying so. Any other failure exits 1.
# Several worktrees sharing one tools directory build one at a time; the second finds it built.
set -euo pipefail
cd "$(dirname "$0")/../.."

TOOLS_DIR=$(realpath -m "${PACMAN_TOOLS_DIR:-build/tools}")
case "${1:-4}" in
    4) MODULE_DIR=tools/helm MODULE=helm.sh/helm/v4 ;;
    3) MODULE_DIR=tools/helm3 MODULE=helm.sh/helm/v3 ;;
    *) echo "usage: tests/helm/helm-tool.sh [3|4]" >&2; exit 2 ;;
esac
VERSION=$(sed -n "s|^require $MODULE \\(v[0-9.]*\\)\$|\\1|p" "$MODULE_DIR/go.mod")
OUT=$TOOLS_DIR/helm-$VERSION
SKIP=77
log() { printf 'helm-tool: %s\n' "$*" >&2; }

[ -n "$VERSION" ] || { log "$MODULE_DIR/go.mod pins no $MODULE version"; exit 1; }
built() { cmp -s "$MODULE_DIR/go.mod" "$OUT/go.mod" && cmp -s "$MODULE_DIR/go.sum" "$OUT/go.sum" && [ -x "$OUT/helm" ]; }
if ! built; then
    mkdir -p "$TOOLS_DIR"
    exec 9>"$TOOLS_DIR/.helm-build.lock"   # one lock for both: two Go builds at once starve each other
    flock 9
fi
if ! built; then
    command -v go >/dev/null || { log "Go is needed to build Helm ($MODULE_DIR)"; exit 1; }
    tmp=$OUT.building.$$
    errors=$(mktemp)
    trap 'rm -rf "$tmp" "$errors"' EXIT
    rm -rf "$tmp"
    mkdir -p "$tmp"
    log "building Helm $VERSION from $MODULE_DIR (once, a few minutes; cached in $TOOLS_DIR)"
    started=$SECONDS
    # `helm version` reports the pinned version, as a release binary does.
    ldflags="-s -w -X $MODULE/internal/version.version=$VERSION -X $MODULE/internal/version.gitTreeState=clean"
    if ! (cd "$MODULE_DIR" && CGO_ENABLED=0 go build -trimpath -ldflags="$ldflags" -o "$tmp/helm" "$MODULE/cmd/helm") 2>"$errors"; then
        cat "$errors" >&2
        if grep -qE 'dial tcp|no such host|connection refused|i/o timeout|TLS handshake timeout|network is unreachable|proxyconnect|Temporary failure in name resolution' "$errors"; then
            log "the Go module proxy ($(go env GOPROXY)) cannot be reached, so Helm cannot be built"
            exit $SKIP
        fi
        log "building Helm failed"
        exit 1
    fi
    cp "$MODULE_DIR/go.mod" "$MODULE_DIR/go.sum" "$tmp/"
    rm -rf "$OUT"
    mv "$tmp" "$OUT"
    log "built Helm $VERSION in $((SECONDS - started)) s"
fi
echo "$OUT/helm"
