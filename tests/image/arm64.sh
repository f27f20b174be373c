#!/usr/bin/env bash
# `make test-arm64`: the Dockerfile built for linux/arm64 on this amd64 machine, every arm64
# program of the build (Debian's debootstrap second stage, apt, gcc, cmake, the server) run by
# qemu-user-static through binfmt_misc, then the image suite's tests run against the arm64
# container, emulated too. The same Dockerfile and build arguments as tests/image/build.sh and
# the release (which builds arm64 the same way, with QEMU, on GitHub). Its own podman storage
# and arm64 base image, in build/image-arm64. Too slow for `make test` (docs/image.md has the
# times, from docs/results/arm64.json); `make test-image` keeps the static check that the
# build names no architecture.
set -euo pipefail
cd "$(dirname "$0")/../.."
log() { printf 'test-arm64: %s\n' "$*" >&2; }

# binfmt_misc: the kernel hands arm64 programs to qemu. The F flag opens the emulator once, here,
# so that it also runs inside the build's chroot, where /usr/libexec/qemu-binfmt does not exist.
binfmt=/proc/sys/fs/binfmt_misc
if [ ! -e "$binfmt/register" ] && ! mount -t binfmt_misc binfmt_misc "$binfmt"; then
    log "this machine refuses to mount binfmt_misc: arm64 programs cannot be emulated here"
    exit 1
fi
if [ ! -e "$binfmt/qemu-aarch64" ]; then
    cat /usr/lib/binfmt.d/qemu-aarch64.conf > "$binfmt/register" ||
        { log "this machine refuses to register qemu-aarch64 with binfmt_misc"; exit 1; }
fi
grep -q '^flags: .*F' "$binfmt/qemu-aarch64" ||
    { log "qemu-aarch64 is registered without the F flag: it would not run inside the build's chroot"; exit 1; }

export PODMAN_WORK=$PWD/build/image-arm64 PODMAN_ARCH=arm64 PACMAN_IMAGE=localhost/pacman:arm64
PODMAN_LOG_PREFIX=test-arm64
. tests/podman.sh
cleanup() {
    pm ps -aq --filter label=pacman-image-test | xargs -r podman $PODMAN_FLAGS rm -f >/dev/null 2>&1 || true
}
trap cleanup EXIT

start=$SECONDS
podman_ensure_base
base_seconds=$((SECONDS - start))
[ "$(pm image inspect --format '{{.Architecture}}' "$BASE_IMAGE")" = arm64 ] ||
    { log "$BASE_IMAGE in $PODMAN_WORK is not arm64"; exit 1; }
log "arm64 base ready in $base_seconds s; podman build --arch arm64 (emulated: tens of minutes from nothing)"
build_args=()
while IFS= read -r arg; do build_args+=(--build-arg "$arg"); done < <(tests/image/build-args.sh)
build_start=$SECONDS
pm build --pull=never --isolation=chroot --layers --arch arm64 "${build_args[@]}" -t "$PACMAN_IMAGE" . 2>&1 |
    while IFS= read -r line; do printf '%d %s\n' $((SECONDS - build_start)) "$line"; done > "$PODMAN_WORK/build.log"
[ "${PIPESTATUS[0]}" -eq 0 ] || { tail -40 "$PODMAN_WORK/build.log"; exit 1; }
build_seconds=$((SECONDS - build_start))
# The log of the last build that ran every step (none from the layer cache) is kept: its times
# are those of a build from nothing, which a later cached build says nothing about.
if ! grep -q "Using cache" "$PODMAN_WORK/build.log"; then
    cp "$PODMAN_WORK/build.log" "$PODMAN_WORK/cold-build.log"
fi
architecture=$(pm image inspect --format '{{.Architecture}}' "$PACMAN_IMAGE")
size=$(pm image inspect --format '{{.Size}}' "$PACMAN_IMAGE")
log "built $PACMAN_IMAGE ($architecture, $((size / 1000)) kB) in $build_seconds s"
[ "$architecture" = arm64 ] || { log "the image is $architecture, not arm64"; exit 1; }

# The image suite, but for what only holds natively: the process's memory maps (under qemu they
# are the emulator's) and the size against the amd64 reference image.
test_start=$SECONDS
build/venv/bin/python -m pytest -q tests/image/test_image.py \
    -k "not every_route_answers and not smaller_than_the_old_one" "$@"
test_seconds=$((SECONDS - test_start))
# build/results/arm64.json (docs/results/ with PACMAN_RESULTS_DIR=docs/results); the build's
# times from the last build from nothing: in all, and the rebuilt libraries' step alone (from
# its STEP line to the next one).
figures=(size_mb="$(awk -v s="$size" 'BEGIN { printf "%.2f", s / 1e6 }')" test_seconds="$test_seconds")
if [ -f "$PODMAN_WORK/cold-build.log" ]; then
    figures+=($(awk '/STEP [0-9]+\/[0-9]+: / { if (start != "" && libraries == "") libraries = $1 - start }
                      /STEP [0-9]+\/[0-9]+: RUN tests\/image\/libraries.sh/ { start = $1 }
                      { last = $1 }
                      END { printf "build_seconds=%d libraries_seconds=%d", last, libraries }' \
                 "$PODMAN_WORK/cold-build.log"))
fi
python3 tests/docs/results.py set arm64 "${figures[@]}" --by "make test-arm64 (tests/image/arm64.sh)"
log "done in $((SECONDS - start)) s: base $base_seconds s, build $build_seconds s, tests $test_seconds s"
