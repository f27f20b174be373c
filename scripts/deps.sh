#!/usr/bin/env bash
# Installs what a make target needs on a fresh Debian 12 machine, and nothing twice.
# Usage: scripts/deps.sh GROUP...   groups: build run test browser image bench fuzz format k8s cluster
# Every step checks first, so a warm machine pays almost nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

TOOLS_DIR=${PACMAN_TOOLS_DIR:-$PWD/build/tools}
mkdir -p "$TOOLS_DIR"

log() { printf 'deps: %s\n' "$*" >&2; }

apt_packages=()
want_apt() { apt_packages+=("$@"); }

install_apt() {
    local missing=()
    for p in "${apt_packages[@]}"; do
        [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    log "apt-get install ${missing[*]}"
    local sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# FerretDB is built from the module pinned in tools/ferretdb: the module proxy here refuses
# `go install`'s version lookup, and a plain `go build` of the pinned module panics at start
# because the module zip lacks build/version/version.txt. So the module is copied out of the
# cache, given that file, and built through a build-local go.mod that replaces it.
install_ferretdb() {
    [ -x "$TOOLS_DIR/ferretdb" ] && "$TOOLS_DIR/ferretdb" --version >/dev/null 2>&1 && return 0
    command -v go >/dev/null || { log "Go 1.22 or later is needed to build FerretDB (the local MongoDB stand-in); this machine kind ships it"; exit 1; }
    log "building FerretDB v1.24.2 (a few minutes the first time, cached after)"
    local module=github.com/FerretDB/FerretDB version
    version=$(sed -n "s|^require $module \\(v[0-9.]*\\)$|\\1|p" tools/ferretdb/go.mod)
    local src="$TOOLS_DIR/ferretdb-src" modfile="$TOOLS_DIR/ferretdb.mod"
    (cd tools/ferretdb && go mod download "$module")
    rm -rf "$src"
    cp -r "$(cd tools/ferretdb && go list -m -f '{{.Dir}}' "$module")" "$src"
    chmod -R u+w "$src"
    echo "$version" > "$src/build/version/version.txt"
    cp tools/ferretdb/go.mod "$modfile"
    cp tools/ferretdb/go.sum "${modfile%.mod}.sum"
    (cd tools/ferretdb &&
        go mod edit -modfile="$modfile" -replace "$module=$src" &&
        go build -modfile="$modfile" -o "$TOOLS_DIR/ferretdb" "$module/cmd/ferretdb")
    # Not `| head -1`: under pipefail, head closing the pipe early fails the step (SIGPIPE).
    local built
    built=$("$TOOLS_DIR/ferretdb" --version)
    log "built FerretDB: ${built%%$'\n'*}"
}

install_python() {
    local venv=build/venv stamp=build/venv/.requirements
    if [ -f "$stamp" ] && cmp -s "$stamp" tests/requirements.txt; then return 0; fi
    log "python venv with tests/requirements.txt"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check -r tests/requirements.txt
    cp tests/requirements.txt "$stamp"
}

groups=("$@")
[ ${#groups[@]} -gt 0 ] || groups=(build)
for g in "${groups[@]}"; do
    case "$g" in
        build) want_apt build-essential pkg-config libmicrohttpd-dev libjansson-dev libmongoc-dev \
                        libbson-dev libcurl4-openssl-dev zlib1g-dev ;;
        run) want_apt ca-certificates ;;
        test) want_apt libcmocka-dev clang libclang-rt-14-dev valgrind python3-venv curl openssl
              # Node runs the game's unit tests; machines of this kind ship it (from NodeSource,
              # which Debian's npm would conflict with), so Debian's is only a fallback.
              command -v node >/dev/null || want_apt nodejs ;;
        browser) want_apt chromium fonts-dejavu-core ;;
        image) want_apt podman runc debootstrap uidmap fuse-overlayfs ;;
        bench) want_apt nginx-light wrk valgrind ;;
        fuzz) want_apt clang libclang-rt-14-dev ;;
        format) want_apt clang-format ;;
        k8s) : ;;
        cluster) want_apt openssl curl python3-venv ;;   # Go builds the control plane itself
        *) log "unknown group '$g'"; exit 2 ;;
    esac
done
install_apt
for g in "${groups[@]}"; do
    case "$g" in
        run) install_ferretdb ;;
        test) install_ferretdb; install_python ;;
        browser|bench|k8s|cluster) install_python ;;
    esac
done
