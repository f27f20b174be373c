#!/usr/bin/env bash
# `make run`: serve the game on http://localhost:${PORT:-8080}.
# With neither MONGO_URI nor MONGO_SERVICE_HOST set it starts a local FerretDB (a
# MongoDB-compatible server) whose data lives in var/db and survives restarts; a
# `mongod` on the PATH is used instead when there is one. Ctrl-C stops what it started.
set -euo pipefail
cd "$(dirname "$0")/.."

DB_PORT=${LOCAL_DB_PORT:-27017}
DATA=var/db
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 0' INT TERM

if [ -z "${MONGO_URI:-}" ] && [ -z "${MONGO_SERVICE_HOST:-}" ]; then
    mkdir -p "$DATA"
    if (exec 3<>"/dev/tcp/127.0.0.1/$DB_PORT") 2>/dev/null; then
        echo "run: port $DB_PORT is taken; set LOCAL_DB_PORT or MONGO_URI" >&2
        exit 1
    fi
    if command -v mongod >/dev/null; then
        echo "run: starting mongod (one-member replica set rs0) on 127.0.0.1:$DB_PORT, data in $DATA/"
        mongod --bind_ip 127.0.0.1 --port "$DB_PORT" --dbpath "$DATA" --replSet rs0 --quiet \
            --logpath "$DATA/mongod.log" &
        pids+=($!)
        for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$DB_PORT") 2>/dev/null && break; sleep 0.2; done
        mongosh --quiet --port "$DB_PORT" --eval \
            "try { rs.status() } catch (e) { rs.initiate({_id: 'rs0', members: [{_id: 0, host: '127.0.0.1:$DB_PORT'}]}) }" \
            >/dev/null 2>&1 || true
    else
        echo "run: starting FerretDB on 127.0.0.1:$DB_PORT, data in $DATA/ (log: $DATA/ferretdb.log)"
        build/tools/ferretdb --handler=sqlite --sqlite-url="file:$PWD/$DATA/" --state-dir="$DATA" \
            --listen-addr="127.0.0.1:$DB_PORT" --repl-set-name=rs0 \
            --debug-addr=127.0.0.1:0 --telemetry=disable --log-level=warn \
            >>"$DATA/ferretdb.log" 2>&1 &
        pids+=($!)
    fi
    export MONGO_URI="mongodb://127.0.0.1:$DB_PORT/${MONGO_DATABASE:-pacman}?replicaSet=rs0"
fi

echo "run: open http://localhost:${PORT:-8080}  (Ctrl-C stops)"
# Ctrl-C (SIGINT) or a SIGTERM sent to this script is passed on to the server, which shuts
# down cleanly; the EXIT trap then stops the database. (A server run in the foreground would
# hold off a SIGTERM sent to the script until it exited by itself.) No drain delay by
# default: nothing routes traffic here but you.
SHUTDOWN_DRAIN_SECONDS=${SHUTDOWN_DRAIN_SECONDS:-0} build/pacman &
server=$!
trap 'kill -TERM "$server" 2>/dev/null || true' INT TERM
status=0
while kill -0 "$server" 2>/dev/null; do
    wait "$server" && status=0 || status=$?
done
exit "$status"
