#!/usr/bin/env bash
# Installs what a make target needs on a fresh Debian 12 machine, and nothing twice.
# Usage: scripts/deps.sh GROUP...   groups: build run test browser image bench fuzz k8s
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
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    log "apt-get install ${missing[*]}"
    local sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# FerretDB is built from the module pinned in tools/ferretdb (go install's version lookup is
# refused by the module proxy here, a plain build of a pinned go.mod is not).
install_ferretdb() {
    [ -x "$TOOLS_DIR/ferretdb" ] && return 0
    command -v go >/dev/null || { log "Go 1.22 or later is needed to build FerretDB (the local MongoDB stand-in); this machine kind ships it"; exit 1; }
    log "building FerretDB v1.24.2 (a few minutes the first time, cached after)"
    (cd tools/ferretdb && go build -o "$TOOLS_DIR/ferretdb" github.com/FerretDB/FerretDB/cmd/ferretdb)
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
        test) want_apt libcmocka-dev clang libclang-rt-14-dev valgrind python3-venv curl ;;
        browser) want_apt chromium fonts-dejavu-core ;;
        image) want_apt podman runc debootstrap uidmap fuse-overlayfs ;;
        bench) want_apt nginx-light wrk valgrind ;;
        fuzz) want_apt clang libclang-rt-14-dev ;;
        k8s) : ;;
        *) log "unknown group '$g'"; exit 2 ;;
    esac
done
install_apt
for g in "${groups[@]}"; do
    case "$g" in
        run) install_ferretdb ;;
        test) install_ferretdb; install_python ;;
        browser|bench|k8s) install_python ;;
    esac
done
