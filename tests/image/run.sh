#!/usr/bin/env bash
# Builds the image and its reference (tests/image/build.sh) and tests the container against a
# real database (FerretDB): every route, the node lookup and the database over TLS, the files
# and libraries the image holds, the user it runs as, its size, a clean SIGTERM exit.
# The containers this run starts are removed.
set -euo pipefail
cd "$(dirname "$0")/../.."

export PACMAN_IMAGE=${PACMAN_IMAGE:-pacman:local}
PODMAN_LOG_PREFIX=test-image
. tests/podman.sh   # PODMAN_FLAGS (exported) for the tests' own podman calls
scripts/deps.sh test >/dev/null   # FerretDB and the Python venv the tests use

cleanup() {
    pm ps -aq --filter label=pacman-image-test | xargs -r podman $PODMAN_FLAGS rm -f >/dev/null 2>&1 || true
}
trap cleanup EXIT

start=$SECONDS
tests/image/build.sh
build/venv/bin/python -m pytest -q tests/image/test_image.py "$@"
build/venv/bin/python tests/image/measure.py   # build/results/image.json (docs/results/ under make figures)
printf 'test-image: done in %d s\n' $((SECONDS - start)) >&2
