#!/usr/bin/env bash
# valgrind memcheck of the server through a short load: players, every hostile request of the
# catalogue, a database killed and restarted, a database that hangs, then SIGTERM. Fails on
# any invalid access, use of uninitialised memory, or definite/indirect leak.
# Usage: tests/reliability/valgrind.sh [SECONDS_OF_LOAD]   (make valgrind; about 2 minutes)
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v valgrind >/dev/null || { echo "valgrind is missing: scripts/deps.sh test" >&2; exit 2; }
[ -x build/pacman ] || { echo "build/pacman is missing: make build" >&2; exit 2; }
exec build/venv/bin/python tests/reliability/valgrind_run.py "$@"
