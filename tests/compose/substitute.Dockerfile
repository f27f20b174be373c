# The stand-in for the official mongo image (tests/compose/substitute-entrypoint.sh says what it
# covers). tests/compose/run.sh assembles the context: FerretDB (build/tools), this machine's
# Node.js and mongosh from npm (tests/k8s/package-lock.json's version, behind
# substitute-mongosh.sh), and the entrypoint.
FROM debian:bookworm-slim
RUN groupadd -g 999 mongodb && useradd -u 999 -g 999 -d /data/db -s /usr/sbin/nologin mongodb \
 && mkdir -p /data/db && chown 999:999 /data/db
COPY ferretdb node /usr/local/bin/
COPY npm/ /opt/mongosh/
COPY substitute-mongosh.sh /usr/local/bin/mongosh
COPY substitute-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
ENTRYPOINT ["docker-entrypoint.sh"]
