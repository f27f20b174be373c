#!/usr/bin/env bash
# Builds the Dockerfile with podman, without any registry, and tests the container against a
# real database (FerretDB): the API smoke tests, the image's shape, and a clean SIGTERM exit.
#
# No registry is reachable, so the Dockerfile's base image is made locally once: a Debian 12
# minbase debootstrap trimmed like debian:bookworm-slim (no docs, man pages, locales or package
# lists), cached as build/image/base.tar and tagged docker.io/library/debian:bookworm-slim.
# Podman keeps everything under build/image/storage; the containers this run starts are removed.
set -euo pipefail
cd "$(dirname "$0")/../.."

IMAGE=${PACMAN_IMAGE:-pacman:local}
WORK=$PWD/build/image
BASE_TAR=$WORK/base.tar
BASE_IMAGE=docker.io/library/debian:bookworm-slim
log() { printf 'test-image: %s\n' "$*" >&2; }

for tool in podman runc debootstrap; do
    command -v "$tool" >/dev/null || { log "$tool is missing: run scripts/deps.sh image"; exit 1; }
done
scripts/deps.sh test >/dev/null   # FerretDB and the Python venv the smoke tests use

storage_conf() {
    mkdir -p "$WORK/storage"
    printf '[storage]\ndriver = "%s"\ngraphroot = "%s"\nrunroot = "%s"\n' \
        "$1" "$WORK/storage/root" "$WORK/storage/run" > "$WORK/storage.conf"
}
export CONTAINERS_STORAGE_CONF=$WORK/storage.conf
# runc: crun fails on this host's mixed cgroups. No systemd or journald to talk to.
export PODMAN_FLAGS="--runtime runc --cgroup-manager cgroupfs --events-backend file --tmpdir $WORK/storage/tmp"
pm() { podman $PODMAN_FLAGS "$@"; }
[ -f "$WORK/storage.conf" ] || storage_conf overlay
if ! pm info >/dev/null 2>&1; then   # no overlay filesystem here: the slower copying driver
    log "overlay storage unavailable; using vfs"
    rm -rf "${WORK:?}/storage"
    storage_conf vfs
fi

make_base_tar() {
    local rootfs=$WORK/rootfs mirror
    mirror=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
    mirror=${mirror:-http://deb.debian.org/debian}
    log "debootstrap bookworm from $mirror (once; cached in $BASE_TAR)"
    rm -rf "$rootfs"
    debootstrap --variant=minbase bookworm "$rootfs" "$mirror" > "$WORK/debootstrap.log" 2>&1 ||
        { tail -20 "$WORK/debootstrap.log"; exit 1; }
    # What makes debian:bookworm-slim slim: dpkg leaves out docs, man pages and locales, and
    # no package archives or lists are kept.
    cat > "$rootfs/etc/dpkg/dpkg.cfg.d/docker" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
EOF
    rm -rf "$rootfs"/var/cache/apt/* "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/man/* \
           "$rootfs"/usr/share/info/* "$rootfs"/usr/share/locale/* "$rootfs"/usr/share/groff \
           "$rootfs"/usr/share/lintian
    find "$rootfs/usr/share/doc" -mindepth 1 -not -type d -not -name copyright -delete
    find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete
    # The same archive as this machine (deb.debian.org with security updates), like the real slim.
    if [ -f /etc/apt/sources.list.d/debian.sources ]; then
        cp /etc/apt/sources.list.d/debian.sources "$rootfs/etc/apt/sources.list.d/"
        rm -f "$rootfs/etc/apt/sources.list"
    fi
    tar -C "$rootfs" --numeric-owner -cf "$BASE_TAR.tmp" .
    mv "$BASE_TAR.tmp" "$BASE_TAR"
    rm -rf "$rootfs"
}

cleanup() {
    pm ps -aq --filter label=pacman-image-test | xargs -r podman $PODMAN_FLAGS rm -f >/dev/null 2>&1 || true
}
trap cleanup EXIT

start=$SECONDS
if ! pm image exists "$BASE_IMAGE"; then
    [ -s "$BASE_TAR" ] || make_base_tar
    pm import --quiet "$BASE_TAR" localhost/debian-local:bookworm-slim >/dev/null
    pm tag localhost/debian-local:bookworm-slim "$BASE_IMAGE"
fi

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
