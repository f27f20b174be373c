"""The game's password changed while players write scores, rehearsed with the real parts that run
here: scripts/credentials.sh's overlay rendered by the pinned kustomize, FerretDB with SCRAM
users as the primary, the members' bootstrap sidecar (bootstrap.sh, rs-bootstrap.js in mongosh)
reading the mounted Secret's files, and replicas of the built server as the web Deployment's pods,
rolled one at a time as `kubectl apply` rolls them (a new pod ready and in the Service's
endpoints, then an old one out of them and sent SIGTERM). A writer calls the API throughout,
through the endpoints, and every answer that is not 200 is a failed call.

What the rehearsal cannot show, and why it does not matter here: the kubelet rewrites the
members' Secret files "up to about a minute" after the apply, in an order the apply does not
control; so the members' files change here once before the web pods roll and once after, the
two ends of that window. FerretDB is one member: the user written on the primary is on every
member at once, where MongoDB replicates it first (the bootstrap's readiness waits for that on
each member). The server's readiness does not depend on the database, on purpose: a database
that is down never takes the page down; so a web pod with a password the database refuses is
in the endpoints at once, which is exactly how the old procedure failed.

Figures: build/results/password-change.json (`make figures` copies it to docs/results/, which
docs/credentials.md quotes)."""

from __future__ import annotations

import base64
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest

import harness
import manifests

sys.path.insert(0, str(manifests.ROOT / "tests" / "docs"))
import results  # noqa: E402  (tests/docs/results.py)
import pymongo
from test_mongosh import AuthFerretDB, Member, Sidecar

ROOT = manifests.ROOT
SCRIPT = ROOT / "scripts" / "credentials.sh"
REPLICAS = 2
DRAIN = 2  # SHUTDOWN_DRAIN_SECONDS: the pod answers on while it leaves the endpoints


def secrets_of(overlay: Path) -> dict[str, dict[str, str]]:
    manifests.render.cache_clear()
    out = {}
    for d in manifests.render(overlay):
        if d["kind"] == "Secret":
            name = d["metadata"]["name"]
            name = name if name == "mongo-app-current" else name.rsplit("-", 1)[0]
            out[name] = {k: base64.b64decode(v).decode() for k, v in d["data"].items()}
    return out


class Endpoints:
    """The Service's endpoints: the ready replicas a request may go to, round robin."""

    def __init__(self):
        self.urls: list[str] = []
        self.lock = threading.Lock()
        self.turn = 0

    def add(self, url: str):
        with self.lock:
            self.urls.append(url)

    def remove(self, url: str):
        with self.lock:
            self.urls.remove(url)

    def pick(self) -> str:
        with self.lock:
            self.turn += 1
            return self.urls[self.turn % len(self.urls)]


class Writer:
    """Players posting scores (each with a submissionId) and reading the list, as fast as the
    server answers, from a few threads; every call is recorded with its status."""

    def __init__(self, endpoints: Endpoints, threads: int = 3):
        self.endpoints = endpoints
        self.calls: list[tuple[float, str, int, str]] = []  # (when, what, status, replica)
        self.stop_event = threading.Event()
        self.threads = [threading.Thread(target=self.play, args=(i,), daemon=True) for i in range(threads)]

    def call(self, url: str, path: str, data: dict | None = None) -> int:
        body = urllib.parse.urlencode(data).encode() if data else None
        try:
            with urllib.request.urlopen(url + path, data=body, timeout=10) as response:
                response.read()
                return response.status
        except urllib.error.HTTPError as e:
            return e.code
        except OSError:
            return 0

    def play(self, number: int):
        n = 0
        while not self.stop_event.is_set():
            n += 1
            url = self.endpoints.pick()
            if n % 3:
                score = {"name": f"p{number}", "cloud": "local", "zone": "z", "host": "h",
                         "score": str(n), "level": "1", "submissionId": uuid.uuid4().hex}
                self.calls.append((time.monotonic(), "POST /highscores", self.call(url, "/highscores", score), url))
            else:
                self.calls.append((time.monotonic(), "GET /highscores/list", self.call(url, "/highscores/list"), url))
            time.sleep(0.02)

    def start(self):
        for t in self.threads:
            t.start()

    def stop(self):
        self.stop_event.set()
        for t in self.threads:
            t.join(15)

    def failed(self) -> list:
        return [c for c in self.calls if c[2] != 200]


def can_log_in(port: int, user: str, password: str) -> bool:
    """SCRAM with pymongo: a mongosh start costs a CPU-second, this a few milliseconds."""
    client = pymongo.MongoClient("127.0.0.1", port, directConnection=True, username=user, password=password,
                                 authSource="pacman", serverSelectionTimeoutMS=3000)
    try:
        client.pacman.command("ping")
        return True
    except pymongo.errors.OperationFailure:
        return False
    finally:
        client.close()


def web_env(db_port: int, app: dict) -> dict:
    """The web container's environment as k8s/base/web/deployment.yaml sets it, on this machine."""
    return {"MONGO_SERVICE_HOST": "127.0.0.1", "MY_MONGO_PORT": str(db_port), "MONGO_REPLICA_SET": "rs0",
            "MONGO_DATABASE": "pacman", "MONGO_AUTH_USER": app["username"], "MONGO_AUTH_PWD": app["password"],
            "SHUTDOWN_DRAIN_SECONDS": str(DRAIN), "SHUTDOWN_GRACE_SECONDS": "10", "LOG_FORMAT": "text"}


def members_files(member: Member, current: dict):
    """What the kubelet does with mongo-app-current's files: all of them replaced at once."""
    nxt = (current["next-username"], current["next-password"]) if "next-username" in current else None
    member.set_password(current["password"], user=current["username"], next_user=nxt)


def rehearse(tmp_path: Path, overlay: Path, change, members: str, settle: bool = True) -> dict:
    """Deploys the overlay (FerretDB, the sidecar, REPLICAS web pods, the writer), runs change()
    (which edits the overlay as a person would), then rolls the web pods onto the new mongo-app
    with the members' files changed `members` ("first" or "last"). Returns the figures."""
    before = secrets_of(overlay)
    db = AuthFerretDB()
    member = Member(db.port)
    members_files(member, before["mongo-app-current"])
    sidecar = Sidecar(member)
    endpoints, servers, writer = Endpoints(), [], None
    try:
        harness.wait_for(member.ready_file.exists, 60, "the bootstrap's first pass", interval=0.2)
        for i in range(REPLICAS):
            server = harness.Server(env=web_env(db.port, before["mongo-app"]),
                                    log_path=tmp_path / f"web-old-{i}.log").start()
            servers.append(server)
            endpoints.add(server.url)
        writer = Writer(endpoints)
        writer.start()
        time.sleep(2)
        change()
        after = secrets_of(overlay)
        started = time.monotonic()
        if members == "first":
            members_files(member, after["mongo-app-current"])
            time.sleep(2)
        for i in range(REPLICAS):  # maxSurge 1, maxUnavailable 0, as the Deployment rolls
            new = harness.Server(env=web_env(db.port, after["mongo-app"]), log_path=tmp_path / f"web-new-{i}.log").start()
            harness.wait_for(lambda: writer.call(new.url, "/readyz") == 200, 20, "the new pod ready")
            endpoints.add(new.url)
            time.sleep(2)
            old = servers[i]
            endpoints.remove(old.url)
            old.signal(signal.SIGTERM)
            assert old.wait_exit(DRAIN + 15) == 0
            servers.append(new)
        rolled = time.monotonic() - started
        if members == "last":
            time.sleep(2)
            members_files(member, after["mongo-app-current"])
        if settle:  # the bootstrap has written the new next user (the one it had to create)
            current = after["mongo-app-current"]
            harness.wait_for(lambda: can_log_in(db.port, current["next-username"], current["next-password"])
                             and member.ready_file.exists(), 60, "the members' bootstrap on the new files", interval=0.5)
        time.sleep(2)
        writer.stop()
        stored = sum(1 for c in writer.calls if c[1] == "POST /highscores" and c[2] == 200)
        return {"calls": len(writer.calls), "failed": len(writer.failed()), "scores_stored": stored,
                "rollout_seconds": round(rolled, 1), "members_files": members,
                "statuses": sorted({c[2] for c in writer.failed()}), "after": after, "db_port": db.port,
                "can_log_in": {
                    u["username"]: can_log_in(db.port, u["username"], u["password"]) for u in (
                        before["mongo-app"], after["mongo-app"],
                        *([{"username": after["mongo-app-current"]["next-username"],
                            "password": after["mongo-app-current"]["next-password"]}]
                          if "next-username" in after["mongo-app-current"] else []))},
                "sidecar": sidecar.output()}  # after the logins above: its lines are read by a thread
    finally:
        if writer:
            writer.stop()
        for server in servers:
            if server.running():
                server.proc.kill()
                server.proc.wait()
        sidecar.stop()
        member.remove()
        db.stop()


def write_results(figures: dict):
    """password-change.json in build/results (docs/results under `make figures`), in the docs'
    shape: tests/docs/results.py, each key with a `measured` block of its own."""
    results.update("password-change", figures, "tests/k8s/test_password_change.py (make test-k8s)")


def summary(result: dict) -> dict:
    return {k: result[k] for k in ("calls", "failed", "scores_stored", "rollout_seconds")}


@pytest.mark.parametrize("members", ["last", "first"])
def test_the_games_password_changes_with_no_failed_call(tmp_path, members):
    """`scripts/credentials.sh --rotate app` then the apply: the web pods move to the next user,
    which the members created when the overlay was first applied; whenever the kubelet brings
    the members the new files (before the web pods roll or after), no call fails, and the new
    next user is ready afterwards."""
    overlay = tmp_path / "overlay"
    assert subprocess.run(["bash", str(SCRIPT), overlay], capture_output=True).returncode == 0
    rotate = lambda: subprocess.run(["bash", str(SCRIPT), "--rotate", "app", overlay], check=True,  # noqa: E731
                                    capture_output=True)
    result = rehearse(tmp_path, overlay, rotate, members)
    print(f"\nmembers' files {members}: {summary(result)}")
    assert result["failed"] == 0, f"{result['failed']} of {result['calls']} calls failed ({result['statuses']})"
    assert result["scores_stored"] > 50
    after = result["after"]
    assert after["mongo-app"]["username"] == "pacman-2"
    assert all(result["can_log_in"].values()), result["can_log_in"]  # pacman kept, pacman-2, and pacman-3 ready
    assert "user pacman-3: create" in result["sidecar"]
    write_results({f"members_{members}": summary(result)})


def test_the_old_procedure_fails_calls(tmp_path):
    """The control, and the proof that the writer sees failures when there are some: the old
    procedure (one user, its password changed in app.env, the members told through the same
    files) with the kubelet bringing the members the new password after the web pods rolled."""
    overlay = tmp_path / "overlay"
    assert subprocess.run(["bash", str(SCRIPT), overlay], capture_output=True).returncode == 0
    kustomization = overlay / "kustomization.yaml"
    kustomization.write_text(kustomization.read_text().replace("envs: [app.env, app-next.env]", "envs: [app.env]"))

    def change_the_password():
        app = overlay / "app.env"
        app.write_text(app.read_text().replace("password=", "password=changed"))

    result = rehearse(tmp_path, overlay, change_the_password, "last", settle=False)
    print(f"\nthe old procedure: {summary(result)}, failed with {result['statuses']}")
    assert result["failed"] > 10, summary(result)
    assert set(result["statuses"]) <= {503}, "the failures are the database refusing the new password"
    write_results({"old_procedure": summary(result)})
