"""compose.yaml, up for real: podman-compose and podman, the game's image built here, and a
stand-in for the official mongo image (MONGO_IMAGE, set by tests/compose/run.sh: FerretDB behind
the image's interface; tests/compose/substitute-entrypoint.sh says what that leaves out).

One project for the module, on a free port, removed at the end with its volumes.
"""

import json
import os
import re
import secrets
import shlex
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
import yaml

import harness

ROOT = harness.ROOT
COMPOSE = [os.environ.get("PODMAN_COMPOSE", str(ROOT / "build/compose/venv/bin/podman-compose"))]
PODMAN_FLAGS = os.environ.get("PODMAN_FLAGS", "")


def compose_file() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def test_the_database_image_is_pinned_as_the_manifests_pin_it():
    """The same tag and multi-arch digest as k8s/base/kustomization.yaml gives the members."""
    kustomization = yaml.safe_load((ROOT / "k8s/base/kustomization.yaml").read_text())
    mongo = next(i for i in kustomization["images"] if i["name"] == "mongo")
    assert mongo["digest"].startswith("sha256:") and len(mongo["digest"]) == 71
    pinned = f"{mongo.get('newName', 'mongo')}:{mongo['newTag']}@{mongo['digest']}"
    document = compose_file()
    defaults = {re.fullmatch(r"\$\{MONGO_IMAGE:-(.+)\}", s["image"])[1]
                for name, s in document["services"].items() if name != "pacman"}
    assert defaults == {pinned}


def test_one_member_by_default_three_under_the_profile():
    services = compose_file()["services"]
    assert {n for n, s in services.items() if "profiles" not in s} == \
        {"secrets", "mongo", "mongo-init", "pacman"}
    assert {n for n, s in services.items() if s.get("profiles") == ["three"]} == {"mongo-1", "mongo-2"}
    init = services["mongo-init"]
    assert init["environment"]["PROFILES"] == "${COMPOSE_PROFILES:-}"
    members = re.search(r"\[(\"mongo:27017\".*?)\]", init["command"][0])[1]
    assert members == '"mongo:27017", "mongo-1:27017", "mongo-2:27017"'
    for name in ("mongo", "mongo-1", "mongo-2"):
        assert services[name]["hostname"] == name
        assert f"{name}-data:/data/db" in services[name]["volumes"]


def test_the_game_starts_with_the_database_and_runs_restricted():
    services = compose_file()["services"]
    pacman = services["pacman"]
    assert pacman["depends_on"] == {"mongo": {"condition": "service_started"}}
    assert pacman["ports"] == ["127.0.0.1:${PACMAN_PORT:-8080}:8080"]
    assert pacman["read_only"] is True and pacman["cap_drop"] == ["ALL"]
    # the game's password reaches it as a file, never in its environment
    assert "MONGO_AUTH_PWD" not in pacman["environment"]
    assert pacman["environment"]["MONGO_AUTH_PWD_FILE"] == "/secrets/pacman-password" == \
        services["mongo-init"]["environment"]["APP_PASSWORD_FILE"]
    assert pacman["volumes"] == ["secrets:/secrets:ro"]


class Project:
    def __init__(self, port: int, name: str | None = None):
        self.name = name or f"pacman-test-{os.getpid()}"
        self.url = f"http://127.0.0.1:{port}"
        self.env = {**os.environ, "PACMAN_PORT": str(port)}
        for unset in ("COMPOSE_PROFILES", "PACMAN_DB_PASSWORD"):   # the game's password: generated
            self.env.pop(unset, None)

    def compose(self, *args, timeout=300, check=True) -> subprocess.CompletedProcess:
        # no pod: each service its own container on the project's network, as docker compose does
        command = [*COMPOSE, "--in-pod", "false", "--podman-args", PODMAN_FLAGS, "-p", self.name,
                   "-f", str(ROOT / "compose.yaml"), "-f", str(ROOT / "tests/compose/podman-here.yaml"),
                   *args]
        result = subprocess.run(command, cwd=ROOT, env=self.env, capture_output=True, text=True,
                                timeout=timeout)
        if check and result.returncode != 0:
            raise AssertionError(f"{shlex.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
        return result

    def podman(self, *args) -> str:
        return subprocess.run(["podman", *shlex.split(PODMAN_FLAGS), *args], capture_output=True,
                              text=True, check=True, timeout=60).stdout

    def logs(self, service: str) -> str:
        return self.podman("logs", f"{self.name}_{service}_1")

    def exit_code(self, service: str) -> int:
        """Waits for a one-shot service's container to end."""
        return int(self.podman("wait", f"{self.name}_{service}_1").strip())

    def volume_path(self, volume: str, path: str = "") -> str:
        mountpoint = self.podman("volume", "inspect", "--format", "{{.Mountpoint}}",
                                 f"{self.name}_{volume}").strip()
        return os.path.join(mountpoint, path)

    def volume_file(self, volume: str, path: str) -> bytes:
        with open(self.volume_path(volume, path), "rb") as f:
            return f.read()

    def owner_and_mode(self, volume: str, path: str = "") -> tuple[int, int, str]:
        status = os.stat(self.volume_path(volume, path))
        return status.st_uid, status.st_gid, oct(status.st_mode & 0o7777)

    def up(self):
        self.compose("up", "-d", "--no-build")
        try:
            harness.wait_for(self.serving, 180, "the game on the published port, with its database")
        except TimeoutError as e:
            raise TimeoutError(f"{e}\n{self.report()}") from None

    def report(self) -> str:
        """The project's containers and the end of each one's log: what a failed wait shows."""
        lines = []
        try:
            lines.append(self.podman("ps", "-a", "--filter", f"name={self.name}_",
                                     "--format", "{{.Names}} {{.Status}}"))
            for name in self.podman("ps", "-a", "--filter", f"name={self.name}_",
                                    "--format", "{{.Names}}").split():
                log = subprocess.run(["podman", *shlex.split(PODMAN_FLAGS), "logs", "--tail", "30", name],
                                     capture_output=True, text=True, timeout=60)
                lines.append(f"--- {name}:\n{log.stdout}{log.stderr}")
        except (subprocess.SubprocessError, OSError) as e:
            lines.append(f"(podman: {e})")
        return "\n".join(lines)

    def serving(self) -> bool:
        """/readyz says the database is up, and a read of it works: /readyz alone says "up"
        from the game's start until its first contact with the database, before it knows
        whether its login works."""
        try:
            with urllib.request.urlopen(self.url + "/readyz", timeout=5) as r:
                if not (r.status == 200 and json.loads(r.read())["database"] == "up"):
                    return False
            with urllib.request.urlopen(self.url + "/highscores/list", timeout=5) as r:
                return r.status == 200
        except (OSError, ValueError, KeyError):
            return False


@pytest.fixture(scope="module")
def project():
    p = Project(harness.free_port())
    try:
        yield p
    finally:
        p.compose("down", "--volumes", "-t", "5", timeout=300, check=False)


def post_score(url: str, name: str) -> int:
    body = urllib.parse.urlencode({"name": name, "cloud": "c", "zone": "z", "host": "h",
                                   "score": "123", "level": "2"}).encode()
    request = urllib.request.Request(url + "/highscores", data=body, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def high_scores(url: str) -> list:
    with urllib.request.urlopen(url + "/highscores/list", timeout=10) as r:
        return [entry["name"] for entry in json.loads(r.read())]


def test_up_serves_the_game_and_keeps_the_scores_across_down_and_up(project):
    project.up()
    with urllib.request.urlopen(project.url + "/", timeout=10) as r:
        assert r.status == 200 and b"<html" in r.read().lower()
    name = f"compose-{time.time_ns()}"
    assert post_score(project.url, name) == 200, project.logs("pacman")[-3000:]
    assert name in high_scores(project.url)
    # what the first start made: the key file and the administrator's password, mode 0400 for
    # the mongodb user; the game's password, mode 0400 for the game's user (the image's 10001);
    # the game's user, created by mongo-init
    keyfile, root_password, game_password = (project.volume_file("secrets", f) for f in
                                             ("keyfile", "root-password", "pacman-password"))
    assert 700 < len(keyfile) <= 1024 and len(root_password) >= 24
    assert re.fullmatch(rb"[A-Za-z0-9_-]{32}", game_password), "24 random bytes, base64url"
    for file, owner in (("keyfile", 999), ("root-password", 999), ("pacman-password", 10001)):
        assert project.owner_and_mode("secrets", file) == (owner, owner, "0o400"), file
    assert project.owner_and_mode("secrets")[2] == "0o711"   # no listing for the others
    assert project.exit_code("secrets") == 0 and project.exit_code("mongo-init") == 0
    made = project.logs("secrets")
    assert "generated the replica set's key file" in made
    assert "generated the game's password" in made
    # docs/compose.md's way to read the passwords
    for file, content in (("root-password", root_password), ("pacman-password", game_password)):
        shown = project.compose("run", "--rm", "--no-deps", "secrets", f"cat /secrets/{file}")
        assert content.decode() in shown.stdout
    assert "created user pacman" in project.logs("mongo-init")
    assert "mongo-init: ready" in project.logs("mongo-init")
    # the game got it through the file: its environment holds no password
    environment = project.podman("inspect", "--format", "{{json .Config.Env}}",
                                 f"{project.name}_pacman_1")
    assert "MONGO_AUTH_PWD_FILE=/secrets/pacman-password" in environment
    assert game_password.decode() not in environment and "MONGO_AUTH_PWD=" not in environment

    project.compose("down", "-t", "5")   # the volumes stay
    project.up()
    assert name in high_scores(project.url), "the scores are kept in the volume mongo-data"
    assert post_score(project.url, f"again-{time.time_ns()}") == 200
    assert project.volume_file("secrets", "keyfile") == keyfile
    assert project.volume_file("secrets", "root-password") == root_password
    assert project.volume_file("secrets", "pacman-password") == game_password
    assert project.exit_code("mongo-init") == 0
    second = project.logs("mongo-init")
    assert "created user" not in second and "mongo-init: ready" in second
    assert "generated" not in project.logs("secrets")


def another_game(project, password: str, name: str) -> tuple[int, str]:
    """A second game container on the project's network, given password in its environment:
    what a score posted to it answers, and its log."""
    container = f"{project.name}-{name}"
    port = harness.free_port()
    project.podman("run", "-d", "--name", container, "--network", f"{project.name}_default",
                   "--ulimit", "nofile=20000:20000", "--ulimit", "nproc=4096:4096",
                   "-p", f"127.0.0.1:{port}:8080", "-e", "MONGO_SERVICE_HOST=mongo",
                   "-e", "MONGO_REPLICA_SET=rs0", "-e", "MONGO_AUTH_USER=pacman",
                   "-e", f"MONGO_AUTH_PWD={password}", "-e", "MONGO_AUTH_SOURCE=pacman",
                   "-e", "MONGO_TIMEOUT_MS=2000", os.environ.get("PACMAN_IMAGE", "pacman:local"))
    try:
        url = f"http://127.0.0.1:{port}"
        harness.wait_for(lambda: _status(url + "/healthz") == 200, 60, f"the game container {name}")
        return post_score(url, f"game-{time.time_ns()}"), project.podman("logs", container)
    finally:
        project.podman("rm", "-f", "-t", "0", container)


def test_the_game_user_needs_its_password(project):
    """The generated password is the game user's: a game given it writes; the database refuses
    a game given another one (auth is on, from the first start)."""
    project.up()
    generated = project.volume_file("secrets", "pacman-password").decode()
    assert another_game(project, generated, "generated-password")[0] == 200
    status, log = another_game(project, "not-" + generated, "wrong-password")
    assert status == 503
    assert "Failed authentication" in log


def test_a_fresh_project_gets_a_password_of_its_own(project):
    """Two projects never share the game's password (the old default was one demo value for
    everybody): the second one's `secrets` makes its own."""
    other = Project(harness.free_port(), name=f"{project.name}-other")
    try:
        other.compose("up", "-d", "--no-deps", "secrets")
        assert other.exit_code("secrets") == 0
        theirs = other.volume_file("secrets", "pacman-password")
        assert re.fullmatch(rb"[A-Za-z0-9_-]{32}", theirs)
        assert theirs != project.volume_file("secrets", "pacman-password")
    finally:
        other.compose("down", "--volumes", "-t", "5", check=False)


def test_pacman_db_password_still_wins(project):
    """An existing .env's PACMAN_DB_PASSWORD keeps working: on the next start it is written over
    the generated password, mongo-init gives it to the user, and the game logs in with it. Then
    docs/compose.md's way back to a generated password: unset it, delete the file, start."""
    generated = project.volume_file("secrets", "pacman-password")
    chosen = "chosen-" + secrets.token_urlsafe(12)
    project.compose("down", "-t", "5")
    project.env["PACMAN_DB_PASSWORD"] = chosen
    try:
        project.up()
        assert project.volume_file("secrets", "pacman-password") == chosen.encode()
        assert project.owner_and_mode("secrets", "pacman-password") == (10001, 10001, "0o400")
        assert "the game's password is PACMAN_DB_PASSWORD" in project.logs("secrets")
        assert post_score(project.url, f"chosen-{time.time_ns()}") == 200, \
            project.logs("pacman")[-3000:]
    finally:
        project.env.pop("PACMAN_DB_PASSWORD")

    project.compose("down", "-t", "5")
    project.compose("run", "--rm", "--no-deps", "secrets", "rm /secrets/pacman-password")
    project.up()
    again = project.volume_file("secrets", "pacman-password")
    assert re.fullmatch(rb"[A-Za-z0-9_-]{32}", again) and again not in (generated, chosen.encode())
    assert "generated the game's password" in project.logs("secrets")
    assert post_score(project.url, f"regenerated-{time.time_ns()}") == 200


def _status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except OSError:
        return None
