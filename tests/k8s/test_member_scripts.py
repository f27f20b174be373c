"""The other programs a mongo pod runs, as the rendered manifests spell them, run for real:

- the keyfile init container's command, twice, as the mongodb user with every capability
  dropped (a container-runtime restart runs init containers again on the same volume);
- the mongod readiness probe (member-ready.sh: `hello` in bash alone) against FerretDB, a
  closed port, a listener that never answers, and MongoDB's replies (tests/k8s/replies/) as the
  wire carries them;
- the liveness and startup probes: a TCP connection, which the kubelet makes itself.
"""

import os
import re
import socket
import shutil
import struct
import subprocess
import tempfile
import time
from pathlib import Path

import bson
import pytest
from bson import json_util

import harness
import manifests
from test_mongosh import AuthFerretDB

ROOT = harness.ROOT
SCRIPTS = ROOT / "k8s" / "base" / "mongo"
REPLIES = ROOT / "tests" / "k8s" / "replies"


def member_pod() -> dict:
    sts = manifests.find(manifests.render(manifests.K8S), *manifests.MONGO)[0]
    return sts["spec"]["template"]["spec"]


def mongod() -> dict:
    return member_pod()["containers"][0]


# ---- the keyfile init container ----

def test_keyfile_init_container_can_run_again_on_the_same_volume():
    if os.geteuid() != 0:
        pytest.skip("runs the command as uid 999, which needs root")
    tmp_path = Path(tempfile.mkdtemp(prefix="pacman-keyfile-"))
    os.chmod(tmp_path, 0o755)  # pytest's own temporary directories are root's alone
    try:
        run_keyfile_init_twice(tmp_path)
    finally:
        shutil.rmtree(tmp_path, ignore_errors=True)


def run_keyfile_init_twice(tmp_path: Path):
    spec = member_pod()
    init = spec["initContainers"][0]
    uid = spec["securityContext"]["runAsUser"]
    mounts = {m["mountPath"]: tmp_path / m["name"] for m in init["volumeMounts"]}
    for path in mounts.values():
        path.mkdir()
    (mounts["/secret"] / "keyfile").write_text("a-shared-secret\n")
    os.chmod(mounts["/secret"] / "keyfile", 0o644)  # a Secret volume's default mode
    os.chmod(mounts["/keyfile"], 0o777)  # an emptyDir
    # The paths the command names, wherever they are in its words, moved to the test's volumes.
    moved = re.compile("|".join(rf"(?<![\w/]){re.escape(p)}(?=/)" for p in sorted(mounts, key=len, reverse=True)))
    command = [moved.sub(lambda m: str(mounts[m.group(0)]), a) for a in init["command"]]
    for run in (1, 2):  # the second run finds the first run's read-only copy
        result = subprocess.run(["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
                                 "--inh-caps=-all", "--bounding-set=-all", *command],
                                capture_output=True, text=True)
        assert result.returncode == 0, f"run {run}: {result.stderr}"
    copy = mounts["/keyfile"] / "keyfile"
    assert copy.read_text() == "a-shared-secret\n"
    assert copy.stat().st_mode & 0o777 == 0o400
    assert copy.stat().st_uid == uid


# ---- the mongod probes ----

def readiness_command(port: int | None = None) -> list[str]:
    command = mongod()["readinessProbe"]["exec"]["command"]
    assert command[:2] == ["bash", "/scripts/member-ready.sh"], command
    return ["bash", str(SCRIPTS / "member-ready.sh"), *command[2:], *([str(port)] if port else [])]


def ready(port: int) -> tuple[int, str]:
    result = subprocess.run(readiness_command(port), capture_output=True, text=True, timeout=30)
    return result.returncode, result.stdout + result.stderr


def test_liveness_and_startup_are_tcp_checks_of_the_mongo_port():
    container = mongod()
    for kind in ("livenessProbe", "startupProbe"):
        assert container[kind]["tcpSocket"]["port"] == "mongo", kind
    assert manifests.container_port(container, "mongo")["containerPort"] == 27017


def test_ready_on_a_primary_without_credentials():
    db = AuthFerretDB()
    try:
        assert ready(db.port) == (0, "")
    finally:
        db.cleanup()


def test_not_ready_when_mongod_does_not_answer():
    status, output = ready(harness.free_port())
    assert status == 1
    assert "does not accept connections" in output


def test_not_ready_on_a_mongod_outside_a_replica_set():
    """Like the image's first-start mongod without --replSet."""
    db = AuthFerretDB(repl_set=False)
    try:
        status, output = ready(db.port)
        assert status == 1
        assert "not a primary or secondary of rs0" in output
    finally:
        db.cleanup()


def test_not_ready_within_its_deadline_when_mongod_accepts_but_never_answers():
    with socket.create_server(("127.0.0.1", 0)) as server:
        started = time.monotonic()
        status, output = ready(server.getsockname()[1])
        took = time.monotonic() - started
    assert status == 1
    assert "did not answer hello within 2 s" in output
    assert took < mongod()["readinessProbe"]["timeoutSeconds"], took


def wire_reply(name: str) -> bytes:
    """A recorded reply as mongod sends it: an OP_MSG (opcode 2013) answering request 1."""
    document = bson.encode(json_util.loads((REPLIES / f"{name}.json").read_text()))
    body = struct.pack("<I", 0) + b"\x00" + document
    return struct.pack("<iiii", 16 + len(body), 7, 1, 2013) + body


@pytest.mark.parametrize("name,ready_", [
    ("hello-primary", True), ("hello-primary-alone", True), ("hello-secondary", True),
    ("hello-startup2", False), ("hello-uninitiated", False), ("hello-removed", False),
    ("hello-standalone", False), ("hello-other-set", False), ("ferretdb-hello", True),
])
def test_readiness_judges_mongodb_replies(name, ready_):
    command = readiness_command()
    result = subprocess.run(["bash", command[1], "--judge", command[2]], input=wire_reply(name),
                            capture_output=True, timeout=30)
    assert (result.returncode == 0) == ready_, (name, result.stdout, result.stderr)


def test_readiness_refuses_a_truncated_or_absurd_reply():
    command = readiness_command()
    whole = wire_reply("hello-primary")
    for broken in (whole[:40], b"\xff\xff\xff\x7f" + whole[4:], b""):
        result = subprocess.run(["bash", command[1], "--judge", command[2]], input=broken,
                                capture_output=True, timeout=30)
        assert result.returncode == 1, broken[:8]
