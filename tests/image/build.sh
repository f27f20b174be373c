#!/usr/bin/env bash
# Builds the Dockerfile with podman, without any registry, as pacman:local (or PACMAN_IMAGE), and
# the reference image beside it (tests/image/reference.Dockerfile: Node.js on Debian 12 slim, the
# old demo's runtime); prints both sizes and writes them to build/image/sizes.json. Used by
# tests/image/run.sh and `make bench`. The Debian 12 base is made locally once (tests/podman.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."

IMAGE=${PACMAN_IMAGE:-pacman:local}
REFERENCE=localhost/pacman-reference:node
WORK=$PWD/build/image
log() { printf 'image: %s\n' "$*" >&2; }
PODMAN_LOG_PREFIX=image
. tests/podman.sh   # pm, PODMAN_FLAGS, BASE_IMAGE, podman_ensure_base
mkdir -p "$WORK/empty"

start=$SECONDS
podman_ensure_base
log "podman build -t $IMAGE ."
pm build --pull=never --isolation=chroot --layers \
    --build-arg VERSION="$(git describe --always --dirty 2>/dev/null || echo dev)" \
    --build-arg REVISION="$(git rev-parse HEAD 2>/dev/null || echo unknown)" \
    --build-arg CREATED="$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    -t "$IMAGE" . > "$WORK/build.log" 2>&1 || { tail -40 "$WORK/build.log"; exit 1; }
log "built in $((SECONDS - start)) s; the reference next (its layers are cached after the first run)"
pm build --pull=never --isolation=chroot --layers -f tests/image/reference.Dockerfile \
    -t "$REFERENCE" "$WORK/empty" > "$WORK/reference.log" 2>&1 ||
    { tail -40 "$WORK/reference.log"; exit 1; }
pm image prune -f >/dev/null   # earlier builds' layers these ones replaced

size=$(pm image inspect --format '{{.Size}}' "$IMAGE")
reference=$(pm image inspect --format '{{.Size}}' "$REFERENCE")
base=$(pm image inspect --format '{{.Size}}' "$BASE_IMAGE")
node=$(pm run --rm --network none --ulimit nofile=20000:20000 --ulimit nproc=4096:4096 \
    "$REFERENCE" --version 2>/dev/null || echo '?')
printf '{"image": "%s", "image_bytes": %d, "reference_image": "%s", "reference": "Node.js %s on Debian 12 slim", "reference_bytes": %d, "base": "%s", "base_bytes": %d}\n' \
    "$IMAGE" "$size" "$REFERENCE" "$node" "$reference" "$BASE_IMAGE" "$base" > "$WORK/sizes.json"
awk -v s="$size" -v r="$reference" -v b="$base" -v n="$node" -v i="$IMAGE" 'BEGIN {
    printf "image %s: %.1f MB; the reference, Node.js %s on Debian 12 slim: %.1f MB (%.2fx); Debian 12 slim alone: %.1f MB\n",
        i, s / 1e6, n, r / 1e6, s / r, b / 1e6 }' | tee "$WORK/size.txt"
log "done in $((SECONDS - start)) s"
