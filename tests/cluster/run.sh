#!/usr/bin/env bash
# make test-cluster: the README's kubectl commands on a real Kubernetes control plane
# (tests/cluster/control-plane.sh: etcd, kube-apiserver, kube-controller-manager,
# kube-scheduler, kwok as the kubelet), then what admission and RBAC really do.
# The binaries are built once (cold: ~15 minutes, ~6 GB of Go caches) and reused after.
# Skips, saying so, only when they are not built and the Go module proxy cannot be reached.
set -euo pipefail
cd "$(dirname "$0")/../.."

status=0
tests/cluster/control-plane.sh build || status=$?
if [ "$status" -eq 77 ]; then
    printf '\n%s\n%s\n\n' "test-cluster: SKIPPED: the control plane is not built and the Go module proxy cannot be" \
        "test-cluster: reached to build it (see above). Nothing was tested on a real API server." >&2
    exit 0
fi
[ "$status" -eq 0 ] || exit "$status"
exec build/venv/bin/python -m pytest -q tests/cluster "$@"
