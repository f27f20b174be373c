#!/usr/bin/env bash
# The player load test (Locust). Installs its pinned Python packages into build/venv first
# (once; tests/load/requirements.txt together with tests/requirements.txt, one resolution).
#   tests/load/run.sh smoke        make loadtest-smoke: own FerretDB + server, 25 s, checks, CI
#   tests/load/run.sh full         make loadtest: URL=http://localhost:8080 USERS=300
#                                  SPAWN_RATE=2 RUN_TIME=5m LOAD_TIME_SCALE=1
#   tests/load/run.sh figures      make figures: own FerretDB + server, USERS=500 for 5m, writes
#                                  loadtest.json and docs/img/loadtest.png (tests/load/loadtest.py)
#   tests/load/run.sh report DIR   report.png and summary.md from Locust CSV files in DIR
#                                  (for instance copied out of the Kubernetes Job)
set -euo pipefail
cd "$(dirname "$0")/../.."

VENV=build/venv
STAMP=$VENV/.requirements-load
want=$(cat tests/requirements.txt tests/load/requirements.txt)
if [ ! -x "$VENV/bin/python" ]; then
    command -v python3 >/dev/null || { echo "load: python3 is needed (scripts/deps.sh test)" >&2; exit 1; }
    python3 -m venv "$VENV"
fi
if [ "$(cat "$STAMP" 2>/dev/null)" != "$want" ] ||
   ! "$VENV/bin/python" -c 'import locust, matplotlib' 2>/dev/null; then
    echo "load: installing tests/load/requirements.txt into $VENV" >&2
    "$VENV/bin/pip" install -q --disable-pip-version-check \
        -r tests/requirements.txt -r tests/load/requirements.txt
    printf '%s' "$want" > "$STAMP"
fi

# Many players, many sockets.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

case "${1:-}" in
    smoke|full|figures) exec "$VENV/bin/python" tests/load/loadtest.py "$1" ;;
    report) shift; MPLCONFIGDIR=build/load/.mpl exec "$VENV/bin/python" tests/load/report.py "$@" ;;
    *) sed -n '2,10p' "$0" >&2; exit 2 ;;
esac
