#!/usr/bin/env bash
# `make test-compose`: compose.yaml run for real with podman-compose (what `podman compose` runs
# on Linux) and podman, with the game's image built here (tests/image/build.sh) and a local
# stand-in for the official mongo image, which cannot be pulled here
# (tests/compose/substitute-entrypoint.sh says what it covers and what it leaves unexercised).
# Containers on a bridge network of their own (netavark, with aardvark-dns for the services'
# names), in the image suite's podman storage; everything this run starts is removed.
set -euo pipefail
cd "$(dirname "$0")/../.."
log() { printf 'test-compose: %s\n' "$*" >&2; }
WORK=$PWD/build/compose
mkdir -p "$WORK"

if ! cmp -s tests/compose/requirements.txt "$WORK/venv/.requirements" 2>/dev/null; then
    log "podman-compose from tests/compose/requirements.txt"
    python3 -m venv "$WORK/venv"
    "$WORK/venv/bin/pip" install -q --disable-pip-version-check -r tests/compose/requirements.txt
    cp tests/compose/requirements.txt "$WORK/venv/.requirements"
fi
if ! cmp -s tests/k8s/package-lock.json "$WORK/npm/.installed" 2>/dev/null; then
    log "mongosh from npm (tests/k8s/package-lock.json), for the stand-in image"
    rm -rf "$WORK/npm" && mkdir -p "$WORK/npm"
    cp tests/k8s/package.json tests/k8s/package-lock.json "$WORK/npm/"
    (cd "$WORK/npm" && npm ci --no-audit --no-fund --loglevel=error --omit=optional)
    cp tests/k8s/package-lock.json "$WORK/npm/.installed"
fi

start=$SECONDS
tests/image/build.sh >/dev/null   # pacman:local (cached layers after the image suite)
PODMAN_LOG_PREFIX=test-compose
. tests/podman.sh
# Bridge networking with netavark (service names through aardvark-dns), configured for this
# suite only; the image suite keeps host networking.
printf '[network]\nnetwork_backend = "netavark"\nnetwork_config_dir = "%s"\n' "$WORK/networks" \
    > "$WORK/containers.conf"
export CONTAINERS_CONF=$WORK/containers.conf

context=$WORK/substitute
rm -rf "$context" && mkdir -p "$context"
cp build/tools/ferretdb "$(command -v node)" tests/compose/substitute-entrypoint.sh \
    tests/compose/substitute-mongosh.sh "$context/"
cp -r "$WORK/npm" "$context/npm"
pm build --pull=never --isolation=chroot --layers -f tests/compose/substitute.Dockerfile \
    -t localhost/pacman-mongo-substitute:test "$context" > "$WORK/substitute.log" 2>&1 ||
    { tail -30 "$WORK/substitute.log"; exit 1; }
log "images ready in $((SECONDS - start)) s"

export MONGO_IMAGE=localhost/pacman-mongo-substitute:test PACMAN_IMAGE=localhost/pacman:local
export PODMAN_COMPOSE=$WORK/venv/bin/podman-compose
build/venv/bin/python -m pytest -q tests/compose "$@"
log "done in $((SECONDS - start)) s"
