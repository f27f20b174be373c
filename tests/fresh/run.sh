#!/usr/bin/env bash
# make test-fresh: the README's first command on a fresh machine, for real. The committed tree
# (HEAD) is cloned inside a podman container made from the local Debian 12 base (tests/podman.sh)
# that holds only what a machine of this kind ships before any project step: git, make, curl,
# python3 (tests/fresh/Containerfile), and, mounted read-only from this machine, its own Go, Node
# with npm, CA certificates and npm/pip settings. No build/, no var/, no Go, npm or pip caches.
# There, tests/fresh/inside.sh runs `make run` and checks the page, a score round trip and
# Ctrl-C. This is the test that catches what reads the machine too early (a `:=` that ran
# pkg-config before deps.sh had installed anything linked an empty library list).
set -euo pipefail
cd "$(dirname "$0")/../.."
PODMAN_LOG_PREFIX=test-fresh
log() { printf 'test-fresh: %s\n' "$*" >&2; }
. tests/podman.sh   # pm, PODMAN_FLAGS, podman_ensure_base

KIND_IMAGE=localhost/pacman-fresh-kind:bookworm
WORK=$PWD/build/fresh
TIMEOUT=${FRESH_TIMEOUT:-1200}   # seconds from the clone to the page, at most
mkdir -p "$WORK"

start=$SECONDS
podman_ensure_base
pm build --pull=never --isolation=chroot --layers -q -t "$KIND_IMAGE" tests/fresh >/dev/null

# The committed tree only (FRESH_REV, HEAD by default): what a `git clone` of this repository gets.
rev=$(git rev-parse --verify "${FRESH_REV:-HEAD}^{commit}")
rm -rf "$WORK/src.git"
git clone -q --bare --no-local . "$WORK/src.git"
git -C "$WORK/src.git" branch -q -f fresh "$rev"
git -C "$WORK/src.git" symbolic-ref HEAD refs/heads/fresh
mounts=(-v "$WORK/src.git:/fresh/src.git:ro" -v "$PWD/tests/fresh/inside.sh:/fresh/inside.sh:ro")
go_mounts=() node_mounts=() env_args=()
ro() { [ -e "$1" ] && mounts+=(-v "$1:${2:-$1}:ro"); return 0; }

# The machine kind's Go and Node with npm, at the paths they have here.
goroot=$(go env GOROOT)
go_mounts=(-v "$goroot:$goroot:ro")
node=$(command -v node)
node_mounts=(-v "$(readlink -f "$node"):$node:ro")
npm=$(command -v npm)
if [ -L "$npm" ]; then   # npm is a link into its package: mount the package, remake the link
    target=$(readlink -f "$npm")
    node_mounts+=(-v "${target%/bin/*}:${target%/bin/*}:ro")
    env_args+=(-e "FRESH_NPM_LINK=$npm" -e "FRESH_NPM_TARGET=$target")
else
    node_mounts+=(-v "$npm:$npm:ro")
fi
# Its CA certificates (the custom ones join the system store inside), npm and pip settings.
ro /usr/local/share/ca-certificates
ro "$(npm config get globalconfig 2>/dev/null)"
ro "$HOME/.npmrc" /root/.npmrc
ro /etc/pip.conf
ro "${PIP_FIND_LINKS:-/nonexistent}"
while IFS='=' read -r name _; do
    case "$name" in
        SSL_CERT_*|*_CA_BUNDLE|*_CA_CERTS|*CA_CERTS_FILE|*_CAINFO|PIP_*|GOFLAGS|GOPROXY|GONOSUMDB|GOPRIVATE|GOSUMDB|GONOPROXY|http_proxy|https_proxy|no_proxy|HTTP_PROXY|HTTPS_PROXY|NO_PROXY)
            env_args+=(-e "$name") ;;
    esac
done < <(env)

fresh() { # fresh MOUNTS... -- ARGS...: inside.sh ARGS in a new container of the kind
    local extra=()
    while [ "$1" != -- ]; do extra+=("$1"); shift; done; shift
    timeout $((TIMEOUT + 120)) podman $PODMAN_FLAGS run --rm --network host \
        --ulimit nofile=20000:20000 --ulimit nproc=4096:4096 --label pacman-fresh-test \
        -e PATH="$goroot/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
        -e HOME=/root -e PORT="$port" -e LOCAL_DB_PORT="$db_port" -e FRESH_TIMEOUT="$TIMEOUT" \
        "${env_args[@]}" "${mounts[@]}" "${extra[@]}" "$KIND_IMAGE" bash /fresh/inside.sh "$@"
}
cleanup() { pm ps -aq --filter label=pacman-fresh-test | xargs -r podman $PODMAN_FLAGS rm -f >/dev/null 2>&1 || true; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port=$(free_port); db_port=$(free_port)
# Host networking: the package registries are reached as from this machine. PORT and
# LOCAL_DB_PORT keep it off ports the machine may be using (8080, 27017).
if [ "${FRESH_MODE:-}" = test ]; then   # make test inside, privileged: it runs podman itself
    TIMEOUT=${FRESH_TIMEOUT:-5400}
    log "make test in a fresh Debian 12 container (about as long as make test itself)"
    fresh "${go_mounts[@]}" "${node_mounts[@]}" --privileged -- test | tee "$WORK/result-test.txt"
    exit 0
fi
log "a machine without Node, then one without Go: the README's commands must stop at once"
fresh "${go_mounts[@]}" -- missing test "Node.js 20" | tee "$WORK/result.txt"
fresh "${node_mounts[@]}" -- missing run "Go" | tee -a "$WORK/result.txt"

log "make run in a fresh Debian 12 container ($goroot and Node $(node --version) mounted; the first run builds everything)"
fresh "${go_mounts[@]}" "${node_mounts[@]}" -- run | tee -a "$WORK/result.txt"
# The figure docs/development.md quotes ("The first make run"): build/results/fresh.json, or
# docs/results/ under `make figures` (tests/docs/results.py).
page_seconds=$(sed -n 's/^fresh: figure: clone to served page \([0-9]*\) s$/\1/p' "$WORK/result.txt")
[ -n "$page_seconds" ] || { log "the run printed no figure"; exit 1; }
python3 tests/docs/results.py set fresh clone_to_page_s="$page_seconds" --by "make test-fresh (tests/fresh/run.sh)"
log "passed in $((SECONDS - start)) s"
