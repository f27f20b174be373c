#!/usr/bin/env bash
# Run by the Dockerfile's build stage: lays out in ROOT everything the runtime image holds, which
# is copied into an empty image (FROM scratch):
#   - the server, and the shared libraries it loads: `ldd`'s closure of the binary, copied from
#     Debian 12's packages as installed in the build stage, each under the path the dynamic
#     loader found it at (the multiarch directory is whatever ldd says: amd64 and arm64 alike);
#   - the copyright file and a dpkg status entry of each package those libraries come from
#     (their licences ask for the first; image scanners read the second, as in distroless);
#   - the CA certificates (Debian's bundle) and OpenSSL's configuration, at the paths OpenSSL
#     and libcurl look them up;
#   - /etc/passwd and /etc/group with the non-root user 10001, and an nsswitch.conf;
#   - the game's files.
# No shell, no package manager, no other program. tests/image checks all of that.
#
#   tests/image/rootfs.sh ROOT BINARY STATIC_DIR
set -euo pipefail
root=$1 binary=$2 static=$3

mkdir -p "$root"
# Debian 12's merged /usr: /lib is a link to usr/lib, and so on. The same links in ROOT, so the
# loader's and the libraries' own paths work unchanged.
for link in /lib /lib32 /lib64 /libx32; do
    if [ -L "$link" ]; then
        target=$(readlink "$link")
        mkdir -p "$root/${target#/}"
        ln -s "$target" "$root$link"
    fi
done

install -D -m 0755 "$binary" "$root/usr/local/bin/pacman"

# ldd prints "name => /path (address)" for each library and "/path (address)" for the loader.
libraries=$(ldd "$binary" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }')
# The package a library file belongs to. dpkg records each file under the path its package
# ships it at, which merged /usr may have moved (/lib/... or /usr/lib/...).
package_of() {
    local real candidate
    real=$(readlink -f "$1")
    for candidate in "$1" "$real" "${real#/usr}" "/usr$1"; do
        if dpkg -S "$candidate" >/dev/null 2>&1; then
            dpkg -S "$candidate" | sed -n '1{s/: .*//;s/,.*//;s/:.*//;p}'
            return
        fi
    done
    echo "rootfs.sh: no package owns $1" >&2
    exit 1
}
packages=()
for library in $libraries; do
    mkdir -p "$root$(dirname "$library")"
    cp -L "$library" "$root$library"   # the file itself, under the name the loader asks for
    packages+=("$(package_of "$library")")
done

# A package's copyright file. Some packages' /usr/share/doc/NAME is a symbolic link to the
# directory of a package of the same source they depend on (libstdc++6 and libgcc-s1 to
# gcc-12-base's), and slim images leave such links out: the file is then that package's.
copyright_of() {
    local name=$1 source dependency
    if [ -f "/usr/share/doc/$name/copyright" ]; then
        echo "/usr/share/doc/$name/copyright"
        return
    fi
    source=$(dpkg-query -W -f='${source:Package}' "$name")
    for dependency in $(dpkg-query -W -f='${Depends}' "$name" | tr ',|' '\n\n' | awk '{ sub(/:.*/, "", $1); print $1 }'); do
        if [ "$(dpkg-query -W -f='${source:Package}' "$dependency" 2>/dev/null)" = "$source" ] &&
           [ -f "/usr/share/doc/$dependency/copyright" ]; then
            echo "/usr/share/doc/$dependency/copyright"
            return
        fi
    done
    echo "rootfs.sh: no copyright file for $name" >&2
    exit 1
}
mkdir -p "$root/var/lib/dpkg/status.d" "$root/usr/share/doc"
for package in $(printf '%s\n' "${packages[@]}" | sort -u); do
    dpkg-query -s "$package" > "$root/var/lib/dpkg/status.d/$package"
    name=${package%%:*}
    copyright=$(copyright_of "$name")
    install -D -m 0644 "$copyright" "$root/usr/share/doc/$name/copyright"
done
cp /usr/lib/os-release "$root/usr/lib/os-release"
mkdir -p "$root/etc"
ln -s ../usr/lib/os-release "$root/etc/os-release"

# The system's CA bundle, where OpenSSL (for MongoDB over TLS) and libcurl look for it.
install -D -m 0644 /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
install -D -m 0644 /usr/lib/ssl/openssl.cnf "$root/etc/ssl/openssl.cnf"
mkdir -p "$root/usr/lib/ssl"
ln -s /etc/ssl/certs "$root/usr/lib/ssl/certs"
ln -s /etc/ssl/certs/ca-certificates.crt "$root/usr/lib/ssl/cert.pem"
ln -s /etc/ssl/openssl.cnf "$root/usr/lib/ssl/openssl.cnf"

printf 'root:x:0:0:root:/root:/usr/sbin/nologin\npacman:x:10001:10001:pacman:/srv/pacman:/usr/sbin/nologin\n' \
    > "$root/etc/passwd"
printf 'root:x:0:\npacman:x:10001:\n' > "$root/etc/group"
printf 'passwd: files\ngroup: files\nhosts: files dns\n' > "$root/etc/nsswitch.conf"
chmod 0644 "$root/etc/passwd" "$root/etc/group" "$root/etc/nsswitch.conf"

mkdir -p "$root/srv/pacman"
cp -R "$static" "$root/srv/pacman/static"
# Everything belongs to root and nothing is writable by the user the server runs as.
chown -R 0:0 "$root"
chmod -R go-w "$root/srv/pacman"
