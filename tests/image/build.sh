#!/usr/bin/env bash
# Builds the Dockerfile with podman, without any registry, as pacman:local (or PACMAN_IMAGE), and
# the reference image beside it (tests/image/reference.Dockerfile: Node.js on Debian 12 slim, the
# old demo's runtime); prints both sizes and writes them to build/image/sizes.json. Used by
# tests/image/run.sh and `make bench`. The Debian 12 base is made locally once (tests/podman.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."

IMAGE=${PACMAN_IMAGE:-pacman:local}
REFERENCE=localhost/pacman-reference:node
log() { printf 'image: %s\n' "$*" >&2; }
PODMAN_LOG_PREFIX=image
. tests/podman.sh   # pm, PODMAN_FLAGS, BASE_IMAGE, podman_ensure_base
WORK=$PODMAN_WORK   # build/image
mkdir -p "$WORK/empty"

# The release builds with the same arguments (tests/image/build-args.sh).
build_args=()
while IFS= read -r arg; do build_args+=(--build-arg "$arg"); done < <(tests/image/build-args.sh)

start=$SECONDS
podman_ensure_base
base_seconds=$((SECONDS - start))
log "podman build -t $IMAGE ."
# Each line of the log starts with the seconds since the build began: measure.py reads each
# step's time from it (docs/results/image.json).
build_start=$SECONDS
pm build --pull=never --isolation=chroot --layers "${build_args[@]}" -t "$IMAGE" . 2>&1 |
    while IFS= read -r line; do printf '%d %s\n' $((SECONDS - build_start)) "$line"; done > "$WORK/build.log"
[ "${PIPESTATUS[0]}" -eq 0 ] || { tail -40 "$WORK/build.log"; exit 1; }
build_seconds=$((SECONDS - build_start))
# The build stage tagged too: its layers (Debian's packages, the rebuilt libraries) stay cached
# through the prune below, which would otherwise take them as dangling.
pm build --pull=never --isolation=chroot --layers "${build_args[@]}" --target build \
    -t localhost/pacman-build:cache . > "$WORK/build-stage.log" 2>&1 || { tail -40 "$WORK/build-stage.log"; exit 1; }
log "built in $build_seconds s (and $base_seconds s for the base image); the reference next (its layers are cached after the first run)"
pm build --pull=never --isolation=chroot --layers -f tests/image/reference.Dockerfile \
    -t "$REFERENCE" "$WORK/empty" > "$WORK/reference.log" 2>&1 ||
    { tail -40 "$WORK/reference.log"; exit 1; }
pm image prune -f >/dev/null   # earlier builds' layers these ones replaced

size=$(pm image inspect --format '{{.Size}}' "$IMAGE")
reference=$(pm image inspect --format '{{.Size}}' "$REFERENCE")
base=$(pm image inspect --format '{{.Size}}' "$BASE_IMAGE")
node=$(pm run --rm --network none --ulimit nofile=20000:20000 --ulimit nproc=4096:4096 \
    "$REFERENCE" --version 2>/dev/null || echo '?')
printf '{"image": "%s", "image_bytes": %d, "reference_image": "%s", "reference": "Node.js %s on Debian 12 slim", "reference_bytes": %d, "base": "%s", "base_bytes": %d, "build_seconds": %d, "base_seconds": %d}\n' \
    "$IMAGE" "$size" "$REFERENCE" "$node" "$reference" "$BASE_IMAGE" "$base" "$build_seconds" "$base_seconds" > "$WORK/sizes.json"
awk -v s="$size" -v r="$reference" -v b="$base" -v n="$node" -v i="$IMAGE" 'BEGIN {
    printf "image %s: %.1f MB; the reference, Node.js %s on Debian 12 slim: %.1f MB (%.2fx); Debian 12 slim alone: %.1f MB\n",
        i, s / 1e6, n, r / 1e6, s / r, b / 1e6 }' | tee "$WORK/size.txt"
log "done in $((SECONDS - start)) s"
