# The pacman game server: built on Debian 12, shipped in an empty image that holds only what it
# needs to run: the binary, the shared libraries it loads (Debian 12's, copied from the build
# stage), the CA certificates, the game's files and a non-root user. No shell, no package
# manager. A drop-in for the old Node.js demo image: port 8080, the same environment variables,
# the game at /.
#
#   podman build -t pacman:local .      (or docker build; minikube image build)
#
# `make test-image` builds it without a registry and tests the container against a database.

FROM debian:bookworm-slim AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential pkg-config libmicrohttpd-dev libjansson-dev libmongoc-dev libbson-dev \
      libssl-dev zlib1g-dev ca-certificates openssl \
      cmake libicu-dev icu-devtools \
 && rm -rf /var/lib/apt/lists/*
# libmongoc, libmicrohttpd and ICU's data rebuilt from Debian's sources without what the server
# never uses (client-side encryption, Kerberos, GnuTLS, all but two of ICU's data tables), and
# with them most of the image (figures: docs/image.md). A layer of its own, before the
# server's sources, so that changing the server never rebuilds them.
COPY tests/image/libraries.sh tests/image/
RUN tests/image/libraries.sh
WORKDIR /src
# The Makefile checks for the packages above (scripts/deps.sh) and builds with the project's
# warnings and hardening flags.
COPY Makefile ./
COPY scripts/deps.sh scripts/
COPY server/ server/
ARG VERSION=dev
RUN make build VERSION="$VERSION" && strip build/pacman
# Everything the runtime image holds, laid out in /rootfs: the libraries are `ldd`'s closure of
# the binary, found wherever this architecture keeps them (amd64, arm64: no path is written here).
COPY tests/image/rootfs.sh tests/image/
COPY static/ static/
RUN tests/image/rootfs.sh /rootfs build/pacman static

FROM scratch
COPY --from=build /rootfs/ /
WORKDIR /srv/pacman
ENV PORT=8080 \
    STATIC_DIR=/srv/pacman/static
# A numeric user, so that Kubernetes can check runAsNonRoot; it owns no file in the image.
USER 10001:10001
EXPOSE 8080
# On SIGTERM the server drains (/readyz turns 503) and exits 0 once requests in flight finish.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/pacman"]

# The release sets these from tests/image/build-args.sh, as tests/image/build.sh does, and adds
# the licence (.github/workflows/release.yml).
ARG VERSION=dev
ARG REVISION=unknown
ARG CREATED=1970-01-01T00:00:00Z
LABEL org.opencontainers.image.title="pacman" \
      org.opencontainers.image.description="Pacman in the browser, with high scores in MongoDB: a stateful demo app for Kubernetes" \
      org.opencontainers.image.version="$VERSION" \
      org.opencontainers.image.revision="$REVISION" \
      org.opencontainers.image.created="$CREATED" \
      org.opencontainers.image.source="https://github.com/pacman-k8s/pacman" \
      org.opencontainers.image.documentation="https://github.com/pacman-k8s/pacman/blob/main/docs/image.md"
