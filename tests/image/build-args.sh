#!/usr/bin/env bash
# The image's build arguments, one NAME=VALUE a line: what tests/image/build.sh builds and tests,
# and what the release workflow (.github/workflows/release.yml) builds and pushes, so that the
# image released is the image tested (tests/image/test_release.py checks both use this script
# and that the Dockerfile declares exactly these). CREATED is the commit's time, not the build's:
# the same commit gives the same labels.
set -euo pipefail
cd "$(dirname "$0")/../.."
echo "VERSION=$(git describe --tags --always --dirty 2>/dev/null || echo dev)"
echo "REVISION=$(git rev-parse HEAD 2>/dev/null || echo unknown)"
echo "CREATED=$(TZ=UTC git log -1 --format=%cd --date=format-local:%Y-%m-%dT%H:%M:%SZ 2>/dev/null || echo 1970-01-01T00:00:00Z)"
