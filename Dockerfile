# The pacman game server: built on Debian 12, run on Debian 12 slim with only the runtime
# libraries, the binary and the game's files. A drop-in for the old Node.js demo image: port
# 8080, the same environment variables, the game at /.
#
#   podman build -t pacman:local .      (or docker build; minikube image build)
#
# `make test-image` builds it without a registry and tests the container against a database.

FROM debian:bookworm-slim AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential pkg-config libmicrohttpd-dev libjansson-dev libmongoc-dev libbson-dev \
      libcurl4-openssl-dev zlib1g-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# The Makefile checks for the packages above (scripts/deps.sh) and builds with the project's
# warnings and hardening flags.
COPY Makefile ./
COPY scripts/deps.sh scripts/
COPY server/ server/
ARG VERSION=dev
RUN make build VERSION="$VERSION" && strip build/pacman

FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libmicrohttpd12 libjansson4 libmongoc-1.0-0 libbson-1.0-0 libcurl4 zlib1g ca-certificates \
 && apt-get clean \
 && rm -rf /var/lib/apt/lists/* /var/cache/debconf/*-old \
           /var/log/apt /var/log/dpkg.log /var/log/alternatives.log
COPY --from=build /src/build/pacman /usr/local/bin/pacman
COPY static/ /srv/pacman/static/
WORKDIR /srv/pacman
ENV PORT=8080 \
    STATIC_DIR=/srv/pacman/static
# A numeric user, so that Kubernetes can check runAsNonRoot; it owns no file in the image.
USER 10001:10001
EXPOSE 8080
# On SIGTERM the server drains (/readyz turns 503) and exits 0 once requests in flight finish.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/pacman"]

ARG VERSION=dev
ARG REVISION=unknown
ARG CREATED=1970-01-01T00:00:00Z
LABEL org.opencontainers.image.title="pacman" \
      org.opencontainers.image.description="Pacman in the browser, with high scores in MongoDB: a stateful demo app for Kubernetes" \
      org.opencontainers.image.version="$VERSION" \
      org.opencontainers.image.revision="$REVISION" \
      org.opencontainers.image.created="$CREATED" \
      org.opencontainers.image.base.name="docker.io/library/debian:bookworm-slim"
