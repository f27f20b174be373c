#!/usr/bin/env bash
# Run by the Dockerfile's build stage before the server is built: rebuilds three of the libraries
# the server loads, from Debian 12's own sources of the very versions installed, leaving out
# what the server never uses and the libraries that only that brought in (docs/image.md, "What
# the image holds"):
#   - libmongoc (mongo-c-driver) without client-side field-level encryption (libmongocrypt),
#     Cyrus SASL (the GSSAPI/Kerberos mechanism) and snappy and zstd wire compression. TLS
#     (OpenSSL), SCRAM-SHA-1/256, mongodb+srv:// (libresolv) and zlib compression stay; so does
#     ICU, which SCRAM-SHA-256 needs to SASLprep a password that is not plain ASCII.
#   - libmicrohttpd without HTTPS: GnuTLS, and with it nettle, gmp, p11-kit, libtasn1,
#     libunistring, libidn2 and libffi. The server speaks plain HTTP (TLS ends at the Ingress).
#   - ICU's data library with only the two tables SASLprep reads (RFC 4013's profile and NFKC
#     normalization), taken from Debian's own data: 80 kB where all of ICU's data is 31 MB.
# Each is installed over the Debian package's files (same paths, sonames and headers), so the
# server builds against them unchanged and dpkg still names the package and version the source
# came from: rootfs.sh copies their copyright files and status entries into the image.
# Nothing here names an architecture: paths come from dpkg-architecture.
set -euo pipefail
log() { printf 'libraries: %s\n' "$*" >&2; }

multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
libdir=/usr/lib/$multiarch
work=$(mktemp -d)
cd "$work"
jobs=$(nproc)

# Debian's hardening flags, as its own builds of these packages use them.
eval "$(dpkg-buildflags --export=sh)"

# The sources of the installed binaries: the same version, with Debian's patches applied
# (security fixes included). apt checks them against the archive's signed index.
source_of() { dpkg-query -W -f='${source:Package}=${source:Version}' "$1"; }
sed -i 's/^Types: deb$/Types: deb deb-src/' /etc/apt/sources.list.d/debian.sources
apt-get update -qq
apt-get source -qq --only-source "$(source_of libmongoc-1.0-0)" "$(source_of libmicrohttpd12)" \
    >/dev/null 2>apt-source.log || { cat apt-source.log >&2; exit 1; }

log "mongo-c-driver: libmongoc without libmongocrypt, Cyrus SASL, snappy, zstd"
mongoc_version=$(dpkg-query -W -f='${source:Upstream-Version}' libmongoc-1.0-0)
cmake -S mongo-c-driver-*/ -B mongoc -DCMAKE_BUILD_TYPE=None \
    -DCMAKE_INSTALL_PREFIX=/usr -DCMAKE_INSTALL_LIBDIR="lib/$multiarch" \
    -DBUILD_VERSION="$mongoc_version" -DENABLE_MONGOC=ON -DENABLE_BSON=SYSTEM \
    -DENABLE_TESTS=OFF -DENABLE_EXAMPLES=OFF -DENABLE_STATIC=OFF -DENABLE_UNINSTALL=OFF \
    -DENABLE_SSL=OPENSSL -DENABLE_ICU=ON -DENABLE_ZLIB=SYSTEM \
    -DENABLE_CLIENT_SIDE_ENCRYPTION=OFF -DENABLE_SASL=OFF -DENABLE_SNAPPY=OFF -DENABLE_ZSTD=OFF \
    >mongoc.log 2>&1 || { tail -30 mongoc.log >&2; exit 1; }
cmake --build mongoc -j "$jobs" >>mongoc.log 2>&1 || { tail -30 mongoc.log >&2; exit 1; }
cmake --install mongoc --strip >>mongoc.log 2>&1 || { tail -30 mongoc.log >&2; exit 1; }

log "libmicrohttpd without HTTPS (GnuTLS)"
mkdir mhd
(cd mhd && ../libmicrohttpd-*/configure --prefix=/usr --libdir="$libdir" --disable-static \
    --disable-https --disable-doc --disable-examples --disable-curl >../mhd.log 2>&1 &&
    make -j "$jobs" >>../mhd.log 2>&1 && make install-strip >>../mhd.log 2>&1) ||
    { tail -30 mhd.log >&2; exit 1; }

log "ICU data: the SASLprep tables only"
icu_version=$(pkg-config --modversion icu-uc)
icu_major=${icu_version%%.*}
data_library=$(readlink -f "$libdir/libicudata.so.$icu_major")
[ "$(dpkg-architecture -qDEB_HOST_ARCH_ENDIAN)" = little ] && endian=l || endian=b
package=icudt$icu_major$endian   # ICU's name for its data: the items inside are named after it
# The whole of ICU's data is one symbol, icudtNN_dat, in the library's .rodata: the bytes of
# ICU's common data file. Cut it out, keep two items, and package those the way ICU's own build
# packages its data (pkgdata, the same entry point and soname).
read -r symbol_address symbol_size < <(readelf -Ws --wide "$data_library" |
    awk -v name="icudt${icu_major}_dat" '$8 == name { print $2, $3 }')
section_address=$(readelf -S --wide "$data_library" |
    awk '{ for (i = 1; i < NF; i++) if ($i == ".rodata") print $(i + 2) }')
objcopy -O binary --only-section=.rodata "$data_library" rodata.bin
dd if=rodata.bin of="$package.dat" bs=1M iflag=skip_bytes,count_bytes status=none \
    skip=$((0x$symbol_address - 0x$section_address)) count=$((symbol_size))
printf '%s\n' nfkc.nrm rfc4013.spp > saslprep.txt   # icupkg reads a list only from a .txt
mkdir icu-items icu-out icu-tmp
icupkg -d icu-items -x saslprep.txt "$package.dat"
pkgdata -q -O "$libdir/icu/pkgdata.inc" -p "$package" -e "icudt${icu_major}" \
    -m dll -r "$icu_version" -L icudata -s icu-items -d icu-out -T icu-tmp saslprep.txt \
    >icu.log 2>&1 || { cat icu.log >&2; exit 1; }
strip --strip-unneeded "icu-out/libicudata.so.$icu_version"
install -m 0644 "icu-out/libicudata.so.$icu_version" "$data_library"

ls -lL "$libdir"/libmongoc-1.0.so.0 "$libdir"/libmicrohttpd.so.12 "$libdir/libicudata.so.$icu_major" >&2
cd /
rm -rf "$work" /var/lib/apt/lists/*
