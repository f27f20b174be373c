# Podman without a registry, shared by the image suite (tests/image/run.sh) and the fresh-machine
# test (tests/fresh/run.sh). Source it from the repository root after `scripts/deps.sh image`.
#
# No registry is reachable, so the Debian 12 base image is made locally once: a minbase
# debootstrap trimmed like debian:bookworm-slim (no docs, man pages, locales or package lists),
# cached as build/image/base.tar and tagged docker.io/library/debian:bookworm-slim, the name the
# Dockerfile's FROM lines use. Podman keeps everything under build/image/storage, never in /var.
#
# Defines: PODMAN_WORK, PODMAN_FLAGS (exported, for tests that call podman themselves), BASE_IMAGE,
# pm (podman with those flags), podman_log, podman_ensure_base (imports the base if it is missing).
# PODMAN_WORK and PODMAN_ARCH may be set first: another directory (its own storage), and a base
# of another architecture (tests/image/arm64.sh: debootstrap runs its second stage emulated).

PODMAN_WORK=${PODMAN_WORK:-$PWD/build/image}
PODMAN_ARCH=${PODMAN_ARCH:-}
BASE_IMAGE=docker.io/library/debian:bookworm-slim
podman_log() { printf '%s: %s\n' "${PODMAN_LOG_PREFIX:-podman}" "$*" >&2; }

for tool in podman runc debootstrap; do
    command -v "$tool" >/dev/null || { podman_log "$tool is missing: run scripts/deps.sh image"; exit 1; }
done

podman_storage_conf() {
    mkdir -p "$PODMAN_WORK/storage"
    printf '[storage]\ndriver = "%s"\ngraphroot = "%s"\nrunroot = "%s"\n' \
        "$1" "$PODMAN_WORK/storage/root" "$PODMAN_WORK/storage/run" > "$PODMAN_WORK/storage.conf"
}
export CONTAINERS_STORAGE_CONF=$PODMAN_WORK/storage.conf
# runc: crun fails on this host's mixed cgroups. No systemd or journald to talk to.
export PODMAN_FLAGS="--runtime runc --cgroup-manager cgroupfs --events-backend file --tmpdir $PODMAN_WORK/storage/tmp"
pm() { podman $PODMAN_FLAGS "$@"; }
[ -f "$PODMAN_WORK/storage.conf" ] || podman_storage_conf overlay
if ! pm info >/dev/null 2>&1; then   # no overlay filesystem here: the slower copying driver
    podman_log "overlay storage unavailable; using vfs"
    rm -rf "${PODMAN_WORK:?}/storage"
    podman_storage_conf vfs
fi

podman_make_base_tar() {
    local rootfs=$PODMAN_WORK/rootfs tar=$PODMAN_WORK/base.tar mirror
    mirror=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
    mirror=${mirror:-http://deb.debian.org/debian}
    podman_log "debootstrap bookworm from $mirror (once; cached in $tar)"
    rm -rf "$rootfs"
    debootstrap --variant=minbase ${PODMAN_ARCH:+--arch="$PODMAN_ARCH"} bookworm "$rootfs" "$mirror" > "$PODMAN_WORK/debootstrap.log" 2>&1 ||
        { tail -20 "$PODMAN_WORK/debootstrap.log"; exit 1; }
    # What makes debian:bookworm-slim slim: dpkg leaves out docs, man pages and locales, and
    # no package archives or lists are kept.
    cat > "$rootfs/etc/dpkg/dpkg.cfg.d/docker" <<'CONF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
CONF
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
    tar -C "$rootfs" --numeric-owner -cf "$tar.tmp" .
    mv "$tar.tmp" "$tar"
    rm -rf "$rootfs"
}

podman_ensure_base() {
    pm image exists "$BASE_IMAGE" && return 0
    [ -s "$PODMAN_WORK/base.tar" ] || podman_make_base_tar
    pm import --quiet ${PODMAN_ARCH:+--arch "$PODMAN_ARCH"} "$PODMAN_WORK/base.tar" \
        localhost/debian-local:bookworm-slim >/dev/null
    pm tag localhost/debian-local:bookworm-slim "$BASE_IMAGE"
}
