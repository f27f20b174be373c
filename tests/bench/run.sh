#!/usr/bin/env bash
# make bench: pacman vs nginx on the game's files, vs a bare epoll server (tests/bench/ceiling.c),
# the API against FerretDB, memory, the image's size (tests/image/build.sh), start-up time and
# callgrind instruction counts; figures printed and written to build/bench/results.md (and
# .json). Needs what `scripts/deps.sh bench run test image` installs (nginx, wrk, valgrind,
# podman, FerretDB, build/venv) and build/pacman. Settings: see the top of tests/bench/bench.py.
set -euo pipefail
cd "$(dirname "$0")/../.."

for tool in nginx wrk valgrind callgrind_control; do
    command -v "$tool" >/dev/null || { echo "bench: $tool is missing: run scripts/deps.sh bench" >&2; exit 1; }
done
[ -x build/pacman ] || { echo "bench: build/pacman is missing: run make build" >&2; exit 1; }
[ -x build/venv/bin/python ] || { echo "bench: build/venv is missing: run scripts/deps.sh test" >&2; exit 1; }

# 1,000 connections for wrk, as many for the server under test, and nginx's.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

mkdir -p build/bench
# The ceiling: a bare epoll server, built like the server (-O2).
if [ ! build/bench/ceiling -nt tests/bench/ceiling.c ]; then
    cc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -o build/bench/ceiling tests/bench/ceiling.c -lpthread
fi
# The direct-insert reference: the server's libmongoc, built the way the Makefile builds ours.
if [ ! build/bench/direct_insert -nt tests/bench/direct_insert.c ]; then
    cc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror \
        $(pkg-config --cflags libmongoc-1.0 | sed 's/-I/-isystem /g') \
        -o build/bench/direct_insert tests/bench/direct_insert.c $(pkg-config --libs libmongoc-1.0)
fi

exec build/venv/bin/python tests/bench/bench.py "$@"
