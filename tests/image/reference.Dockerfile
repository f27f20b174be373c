# The reference the image suite and `make bench` measure pacman's image against: the old demo's
# runtime, Node.js on Debian 12 slim (Debian's own nodejs package, as no registry is reachable
# here), without the app or its modules. The old demo shipped on a full Node.js image, which
# is bigger still: this is the smallest Node.js image one can build from Debian 12's packages.
FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nodejs \
 && apt-get clean \
 && rm -rf /var/lib/apt/lists/* /var/cache/debconf/*-old \
           /var/log/apt /var/log/dpkg.log /var/log/alternatives.log
USER 10001:10001
ENTRYPOINT ["node"]
