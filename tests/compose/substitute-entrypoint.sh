#!/bin/bash
# The stand-in for the official mongo image in tests/compose (which cannot be pulled here): the
# interface compose.yaml uses of that image, on FerretDB. Like the official entrypoint, it runs
# the database when the first argument is an option, and the command given otherwise (bash, for
# the one-shot services; mongosh is the real one, from npm: substitute-mongosh.sh). The database:
#   - takes only the options compose.yaml passes, and refuses others;
#   - checks the key file as mongod does: owned by the mongodb user (999), readable by no one
#     else, 6 to 1024 characters of base64;
#   - creates the administrator from MONGO_INITDB_ROOT_USERNAME and MONGO_INITDB_ROOT_PASSWORD_FILE
#     when its data directory is new, as the official entrypoint does;
#   - runs as the mongodb user, answering as replica set rs0 at this container's host name.
# What it cannot stand in for: replSetInitiate (FerretDB announces itself as an initiated
# one-member set), elections and secondaries, the key file's use between members, roles.
set -euo pipefail
if [ "${1:0:1}" != - ]; then
    exec "$@"
fi
replica_set="" keyfile=""
while [ $# -gt 0 ]; do
    case $1 in
        --replSet) replica_set=$2; shift 2 ;;
        --keyFile) keyfile=$2; shift 2 ;;
        --bind_ip_all) shift ;;
        --wiredTigerCacheSizeGB) shift 2 ;;
        *) echo "substitute: mongod option $1 is not one compose.yaml passes" >&2; exit 2 ;;
    esac
done
[ -n "$replica_set" ] && [ -n "$keyfile" ] || { echo "substitute: --replSet and --keyFile are required" >&2; exit 2; }
owner_mode=$(stat -c '%u %a' "$keyfile")
[ "$owner_mode" = "999 400" ] || { echo "substitute: key file $keyfile is '$owner_mode', not owned by 999 with mode 400" >&2; exit 1; }
key=$(tr -d ' \n' < "$keyfile")
[ ${#key} -ge 6 ] && [ ${#key} -le 1024 ] && [[ $key =~ ^[A-Za-z0-9+/=]+$ ]] ||
    { echo "substitute: key file $keyfile is not 6 to 1024 base64 characters" >&2; exit 1; }
setup=()
if [ -n "${MONGO_INITDB_ROOT_USERNAME:-}" ]; then
    setup=(--setup-database=admin --setup-username="$MONGO_INITDB_ROOT_USERNAME"
           --setup-password="$(cat "$MONGO_INITDB_ROOT_PASSWORD_FILE")")
fi
chown 999:999 /data/db
exec setpriv --reuid=999 --regid=999 --clear-groups \
    ferretdb --handler=sqlite --sqlite-url=file:/data/db/ --state-dir=/data/db \
    --listen-addr="$(hostname):27017" --repl-set-name="$replica_set" --telemetry=disable \
    --log-level=warn --test-enable-new-auth "${setup[@]}"
