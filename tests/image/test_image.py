"""The container image, run for real with podman against FerretDB (tests/image/run.sh builds it).

The container is configured the way the old Node.js demo's manifest configured its image:
MONGO_SERVICE_HOST, MY_MONGO_PORT, MONGO_REPLICA_SET, MY_NODE_NAME, nothing about paths. Host
networking (bridge networking leaves iptables state behind on these machines), so PORT moves the
server off 8080, which another server on this machine may hold.
"""

import json
import os
import shlex
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

import harness

IMAGE = os.environ.get("PACMAN_IMAGE", "pacman:local")
PODMAN = ["podman", *shlex.split(os.environ.get("PODMAN_FLAGS", ""))]
RUN_FLAGS = ["--network", "host", "--ulimit", "nofile=20000:20000", "--ulimit", "nproc=4096:4096",
             "--label", "pacman-image-test"]
# What the web Deployment in k8s/ asks of the runtime.
RESTRICTED = ["--read-only", "--cap-drop", "ALL", "--security-opt", "no-new-privileges"]


def podman(*args, check=True, timeout=120) -> subprocess.CompletedProcess:
    return subprocess.run([*PODMAN, *args], capture_output=True, text=True, check=check, timeout=timeout)


def in_image(*command) -> str:
    """Runs a command in a throwaway container of the image; returns its output."""
    result = podman("run", "--rm", *RUN_FLAGS, "--entrypoint", command[0], IMAGE, *command[1:], check=False)
    return result.stdout + result.stderr


class Container:
    def __init__(self, env: dict):
        self.port = harness.free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {"PORT": str(self.port), **env}
        flags = [f"--env={k}={v}" for k, v in env.items()]
        self.id = podman("run", "-d", *RUN_FLAGS, *RESTRICTED, *flags, IMAGE).stdout.strip()

    def wait_healthy(self, timeout=30):
        def healthy():
            if not self.running():
                raise RuntimeError(f"container exited: {self.logs()[-3000:]}")
            try:
                return get(self.url + "/healthz")[0] == 200
            except OSError:
                return False
        harness.wait_for(healthy, timeout, "the container's /healthz")

    def running(self) -> bool:
        return podman("inspect", "--format", "{{.State.Running}}", self.id).stdout.strip() == "true"

    def exit_code(self) -> int:
        return int(podman("inspect", "--format", "{{.State.ExitCode}}", self.id).stdout.strip())

    def logs(self) -> str:
        result = podman("logs", self.id, check=False)
        return result.stdout + result.stderr

    def remove(self):
        podman("rm", "-f", "-t", "0", self.id, check=False)


def get(url, timeout=5):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def post_form(url, fields, timeout=10):
    body = urllib.parse.urlencode(fields).encode()
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, e.read()


@pytest.fixture(scope="module")
def database():
    db = harness.FerretDB().start()
    yield db
    db.cleanup()


@pytest.fixture(scope="module")
def container(database):
    c = Container({
        # the old demo manifest's variables, and nothing else
        "MONGO_SERVICE_HOST": "127.0.0.1",
        "MY_MONGO_PORT": str(database.port),
        "MONGO_REPLICA_SET": "rs0",
        "MY_NODE_NAME": "node-1",
        "SHUTDOWN_DRAIN_SECONDS": "2",
    })
    try:
        c.wait_healthy()
        yield c
    finally:
        c.remove()


def test_serves_the_game_at_root(container):
    status, headers, body = get(container.url + "/")
    assert status == 200
    assert headers.get_content_type() == "text/html"
    assert b"<html" in body.lower() or b"<!doctype html" in body.lower()


def test_high_scores_round_trip(container):
    name = f"image-{time.time_ns()}"
    status, reply = post_form(container.url + "/highscores", {
        "name": name, "cloud": "c", "zone": "z", "host": "h", "score": "4242", "level": "3"})
    assert status == 200, reply
    assert reply["rs"] == "success" and reply["name"] == name
    status, _, body = get(container.url + "/highscores/list")
    assert status == 200
    assert name in [entry["name"] for entry in json.loads(body)]


def test_player_id_and_stats(container):
    status, _, body = get(container.url + "/user/id")
    assert status == 200
    user_id = json.loads(body)
    assert len(user_id) == 24 and int(user_id, 16) >= 0
    status, reply = post_form(container.url + "/user/stats", {
        "userId": user_id, "cloud": "c", "zone": "z", "host": "h", "score": "10", "level": "1",
        "lives": "3", "elapsedTime": "12"})
    assert status == 200 and reply["rs"] == "success", reply
    status, _, body = get(container.url + "/user/stats")
    assert status == 200 and isinstance(json.loads(body), list)


def test_location_without_a_kubernetes_api_is_unknown_not_an_error(container):
    status, _, body = get(container.url + "/location/metadata")
    assert status == 200
    location = json.loads(body)
    assert set(location) >= {"cloud", "zone", "host"}


def test_operations_endpoints(container):
    assert get(container.url + "/readyz")[0] == 200
    status, _, body = get(container.url + "/metrics")
    assert status == 200 and b"# TYPE" in body


def test_runs_as_the_numeric_non_root_user(container):
    status = podman("exec", container.id, "cat", "/proc/1/status").stdout
    uids = next(line for line in status.splitlines() if line.startswith("Uid:")).split()[1:]
    assert set(uids) == {"10001"}


def test_sigterm_drains_then_exits_zero(database):
    c = Container({"MONGO_SERVICE_HOST": "127.0.0.1", "MY_MONGO_PORT": str(database.port),
                   "MONGO_REPLICA_SET": "rs0", "SHUTDOWN_DRAIN_SECONDS": "2"})
    try:
        c.wait_healthy()
        podman("kill", "--signal", "TERM", c.id)
        harness.wait_for(lambda: get(c.url + "/readyz")[0] == 503, 2, "/readyz to answer 503 after SIGTERM")
        assert get(c.url + "/highscores/list")[0] == 200  # still serving while it drains
        harness.wait_for(lambda: not c.running(), 30, "the container to exit")
        assert c.exit_code() == 0, c.logs()[-3000:]
    finally:
        c.remove()


def test_image_configuration():
    config = json.loads(podman("image", "inspect", IMAGE).stdout)[0]["Config"]
    assert config["User"] == "10001:10001"
    assert "8080/tcp" in config["ExposedPorts"]
    assert config["Entrypoint"] == ["/usr/local/bin/pacman"]
    assert "PORT=8080" in config["Env"] and "STATIC_DIR=/srv/pacman/static" in config["Env"]
    labels = config["Labels"]
    for key in ("title", "description", "version", "revision", "created", "base.name"):
        assert labels.get(f"org.opencontainers.image.{key}"), key


def test_no_build_tools_or_package_lists_in_the_image():
    output = in_image("sh", "-c", "ls -A /var/lib/apt/lists /var/cache/apt/archives | grep -v '^/\\|^$\\|^partial$\\|^lock$';"
                      "for t in gcc cc make pkg-config; do command -v $t; done;"
                      "ls /usr/include 2>/dev/null | head -3")
    assert output.strip() == ""


def test_every_library_the_binary_needs_is_installed():
    output = in_image("ldd", "/usr/local/bin/pacman")
    assert "libmongoc" in output and "not found" not in output
