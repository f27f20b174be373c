#!/usr/bin/env bash
# Builds Helm once from the Go module pinned in tools/helm (helm.sh/helm/v4) into
# $PACMAN_TOOLS_DIR/helm-VERSION (default build/tools), rebuilt only when the pin moves, and
# prints the binary's path on stdout (the only thing it prints there).
#
# Exit status 77 (and a message on stderr) means Helm is not built and the Go module proxy
# cannot be reached to build it: callers skip, saying so. Any other failure exits 1.
# Several worktrees sharing one tools directory build one at a time; the second finds it built.
set -euo pipefail
cd "$(dirname "$0")/../.."

TOOLS_DIR=$(realpath -m "${PACMAN_TOOLS_DIR:-build/tools}")
VERSION=$(sed -n 's|^require helm.sh/helm/v4 \(v[0-9.]*\)$|\1|p' tools/helm/go.mod)
OUT=$TOOLS_DIR/helm-$VERSION
SKIP=77
log() { printf 'helm-tool: %s\n' "$*" >&2; }

[ -n "$VERSION" ] || { log "tools/helm/go.mod pins no helm.sh/helm/v4 version"; exit 1; }
built() { cmp -s tools/helm/go.mod "$OUT/go.mod" && cmp -s tools/helm/go.sum "$OUT/go.sum" && [ -x "$OUT/helm" ]; }
if ! built; then
    mkdir -p "$TOOLS_DIR"
    exec 9>"$TOOLS_DIR/.helm-build.lock"
    flock 9
fi
if ! built; then
    command -v go >/dev/null || { log "Go is needed to build Helm (tools/helm)"; exit 1; }
    tmp=$OUT.building.$$
    errors=$(mktemp)
    trap 'rm -rf "$tmp" "$errors"' EXIT
    rm -rf "$tmp"
    mkdir -p "$tmp"
    log "building Helm $VERSION from tools/helm (once, a few minutes; cached in $TOOLS_DIR)"
    started=$SECONDS
    # `helm version` reports the pinned version, as a release binary does.
    ldflags="-s -w -X helm.sh/helm/v4/internal/version.version=$VERSION -X helm.sh/helm/v4/internal/version.gitTreeState=clean"
    if ! (cd tools/helm && CGO_ENABLED=0 go build -trimpath -ldflags="$ldflags" -o "$tmp/helm" helm.sh/helm/v4/cmd/helm) 2>"$errors"; then
        cat "$errors" >&2
        if grep -qE 'dial tcp|no such host|connection refused|i/o timeout|TLS handshake timeout|network is unreachable|proxyconnect|Temporary failure in name resolution' "$errors"; then
            log "the Go module proxy ($(go env GOPROXY)) cannot be reached, so Helm cannot be built"
            exit $SKIP
        fi
        log "building Helm failed"
        exit 1
    fi
    cp tools/helm/go.mod tools/helm/go.sum "$tmp/"
    rm -rf "$OUT"
    mv "$tmp" "$OUT"
    log "built Helm $VERSION in $((SECONDS - started)) s"
fi
echo "$OUT/helm"
