#!/usr/bin/env bash
# Builds the Dockerfile with podman, without any registry, and tests the container against a
# real database (FerretDB): the API smoke tests, the image's shape, and a clean SIGTERM exit.
#
# No registry is reachable: the Dockerfile's Debian 12 base is made locally once (tests/podman.sh).
# The containers this run starts are removed.
set -euo pipefail
cd "$(dirname "$0")/../.."

IMAGE=${PACMAN_IMAGE:-pacman:local}
WORK=$PWD/build/image
log() { printf 'test-image: %s\n' "$*" >&2; }
PODMAN_LOG_PREFIX=test-image
. tests/podman.sh   # pm, PODMAN_FLAGS, BASE_IMAGE, podman_ensure_base
scripts/deps.sh test >/dev/null   # FerretDB and the Python venv the smoke tests use

cleanup() {
    pm ps -aq --filter label=pacman-image-test | xargs -r podman $PODMAN_FLAGS rm -f >/dev/null 2>&1 || true
}
trap cleanup EXIT

start=$SECONDS
podman_ensure_base

log "podman build -t $IMAGE ."
pm build --pull=never --isolation=chroot --layers \
    --build-arg VERSION="$(git describe --always --dirty 2>/dev/null || echo dev)" \
    --build-arg REVISION="$(git rev-parse HEAD 2>/dev/null || echo unknown)" \
    --build-arg CREATED="$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    -t "$IMAGE" . > "$WORK/build.log" 2>&1 || { tail -40 "$WORK/build.log"; exit 1; }
pm image prune -f >/dev/null   # earlier builds' layers this one replaced
log "built in $((SECONDS - start)) s"

size=$(pm image inspect --format '{{.Size}}' "$IMAGE")
base=$(pm image inspect --format '{{.Size}}' "$BASE_IMAGE")
printf 'image %s: %d MB (base %s: %d MB, added by the Dockerfile: %d MB)\n' "$IMAGE" \
    $((size / 1000000)) "$BASE_IMAGE" $((base / 1000000)) $(((size - base) / 1000000)) | tee "$WORK/size.txt"

PACMAN_IMAGE=$IMAGE build/venv/bin/python -m pytest -q tests/image "$@"
log "done in $((SECONDS - start)) s"
