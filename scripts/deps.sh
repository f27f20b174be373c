#!/usr/bin/env bash
# Installs what a make target needs on a fresh Debian 12 machine, and nothing twice.
# Usage: scripts/deps.sh GROUP...   groups: build run test browser image bench fuzz format k8s helm cluster release arm64 compose
# Every step checks first, so a warm machine pays almost nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

TOOLS_DIR=${PACMAN_TOOLS_DIR:-$PWD/build/tools}
mkdir -p "$TOOLS_DIR"

log() { printf 'deps: %s\n' "$*" >&2; }

# What the machine must bring itself, checked before anything is installed, so a newcomer gets
# one line that says what to do instead of a compiler's or npm's stack trace half-way through.
# Go builds the pinned tools (FerretDB, kustomize, ...); Node 20+ with npm runs the game's unit
# tests and installs mongosh for the manifest tests. Debian 12's own nodejs is 18 without npm,
# and npm then fails compiling mongosh's kerberos module, so it is refused here, not installed.
version_at_least() { # version_at_least HAVE WANT: true when HAVE >= WANT (dotted numbers)
    [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n 1)" = "$2" ]
}
need_go() { # need_go TOOL...: Go new enough for the `go` lines of tools/TOOL/go.mod
    local want=1.22 tool v have
    for tool in "$@"; do
        v=$(sed -n 's/^go \([0-9.]*\)$/\1/p' "tools/$tool/go.mod" 2>/dev/null)
        [ -n "$v" ] && version_at_least "$v" "$want" && want=$v
    done
    if ! command -v go >/dev/null; then
        log "Go $want or later is needed (it builds FerretDB, the local database, and the test tools) and none is on the PATH: install it from https://go.dev/dl/ and run make again"
        exit 1
    fi
    have=$(go env GOVERSION 2>/dev/null); have=${have#go}
    version_at_least "${have:-0}" "$want" ||
        { log "Go $want or later is needed, this machine has ${have:-an unknown version}: install a newer one from https://go.dev/dl/ and run make again"; exit 1; }
}
need_node() {
    local have=""
    command -v node >/dev/null && have=$(node --version 2>/dev/null) && have=${have#v}
    if [ -z "$have" ] || ! version_at_least "$have" 20 || ! command -v npm >/dev/null; then
        local found="Node ${have:-missing}"
        command -v npm >/dev/null || found="$found, npm missing"
        log "Node.js 20 or later with npm is needed for the tests (found: $found): install it from https://nodejs.org/en/download (Debian's nodejs package is 18 without npm) and run make again"
        exit 1
    fi
}

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
    # Another apt (an unattended upgrade, a second make) may hold the lock: wait for it.
    $sudo apt-get -o DPkg::Lock::Timeout=600 update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
        --no-install-recommends "${missing[@]}" >/dev/null
}

# FerretDB is built from the module pinned in tools/ferretdb: the module proxy here refuses
# `go install`'s version lookup, and a plain `go build` of the pinned module panics at start
# because the module zip lacks build/version/version.txt. So the module is copied out of the
# cache, given that file, and built through a build-local go.mod that replaces it.
install_ferretdb() {
    [ -x "$TOOLS_DIR/ferretdb" ] && "$TOOLS_DIR/ferretdb" --version >/dev/null 2>&1 && return 0
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
    # Each group asks only for what its own tools need: `make run` builds FerretDB alone.
    case "$g" in
        run|test) need_go ferretdb ;;
        k8s) need_go kustomize kustomize-kubectl kube-score ;;
        cluster) need_go kubernetes etcd kwok kube-snapshotter ;;
        helm) need_go helm helm3 ;;
        release) need_go actionlint kustomize ;;
    esac
    case "$g" in test|k8s|compose) need_node ;; esac
done
for g in "${groups[@]}"; do
    case "$g" in
        build) want_apt build-essential pkg-config libmicrohttpd-dev libjansson-dev libmongoc-dev \
                        libbson-dev libssl-dev zlib1g-dev ;;
        run) want_apt ca-certificates ;;
        test) want_apt libcmocka-dev clang libclang-rt-14-dev valgrind python3-venv curl openssl ;;
        browser) want_apt chromium fonts-dejavu-core fonts-noto-color-emoji fonts-droid-fallback iproute2 ;;   # emoji and CJK names, drawn as on a phone; ip for tests/private-network.sh
        image) want_apt podman runc debootstrap uidmap fuse-overlayfs binutils ;;
        bench) want_apt nginx-light wrk valgrind iproute2 ;;   # iproute2: ss (tests/reliability/stall.py)
        fuzz) want_apt clang libclang-rt-14-dev ;;
        format) want_apt clang-format ;;
        k8s|helm) : ;;   # helm: tests/helm/helm-tool.sh builds it with Go
        cluster) want_apt openssl curl python3-venv ;;   # tests/cluster/control-plane.sh builds the rest with Go
        release) want_apt shellcheck ;;   # actionlint runs it on the workflows' run: scripts
        arm64) want_apt qemu-user-static ;;   # tests/image/arm64.sh registers it with binfmt_misc
        compose) want_apt netavark aardvark-dns ;;   # tests/compose: a bridge network with service names
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
