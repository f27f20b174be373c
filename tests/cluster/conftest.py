"""The control plane every test here runs against: started once per session in
build/cluster-test (tests/cluster/control-plane.sh), stopped after, by PID."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from kube import CONTROL_PLANE, ROOT, Cluster

RUN_DIR = ROOT / "build" / "cluster-test"


@pytest.fixture(scope="session")
def cluster():
    env = dict(os.environ, PACMAN_CLUSTER_DIR=str(RUN_DIR / "control-plane"))
    subprocess.run([CONTROL_PLANE, "stop"], env=env, check=False, capture_output=True)
    started = subprocess.run([CONTROL_PLANE, "start"], env=env, capture_output=True, text=True)
    if started.returncode != 0:
        pytest.fail(f"control-plane.sh start exited {started.returncode}:\n{started.stderr}", pytrace=False)
    kubeconfig = Path(started.stdout.strip().splitlines()[-1])
    exports = subprocess.run([CONTROL_PLANE, "env"], env=env, capture_output=True, text=True, check=True).stdout
    bin_dir = next(line.split("=", 1)[1].split(":")[0] for line in exports.splitlines() if line.startswith("export PATH="))
    home = RUN_DIR / "home"
    home.mkdir(parents=True, exist_ok=True)
    try:
        yield Cluster(kubeconfig=kubeconfig, bin_dir=Path(bin_dir), home=home)
    finally:
        subprocess.run([CONTROL_PLANE, "stop"], env=env, check=False)


@pytest.fixture(autouse=True)
def starts_without_the_game(request):
    """Every test that uses the cluster starts without the game deployed, whatever an earlier
    one left when it failed (those on the `deployed` fixture of test_api_server.py share one
    deployment, which starts the same way)."""
    if "cluster" in request.fixturenames and "deployed" not in request.fixturenames:
        request.getfixturevalue("cluster").remove_the_game()
    yield


@pytest.fixture(autouse=True)
def transcript(request):
    """The transcript of what ran, for the report (build/cluster-test/<test>.txt)."""
    if "cluster" not in request.fixturenames:
        yield
        return
    cluster = request.getfixturevalue("cluster")
    cluster.transcript.clear()
    yield
    out = cluster.home.parent / f"{request.node.name}.txt"
    out.write_text("\n".join(cluster.transcript) + "\n")
