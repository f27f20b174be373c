"""What the mongo pods run, run for real against a real database server: one pass of the
replica-set bootstrap (k8s/base/mongo/rs-bootstrap.js) in the pinned mongosh, and the sidecar's
loop around it (bootstrap.sh) as the rendered manifests start it.

The database is FerretDB with its SCRAM authentication (--test-enable-new-auth) and a root user
made at start-up, as the mongo image's entrypoint makes one. FerretDB is one member that reports
itself as the primary of rs0, so this covers the pass on an initiated primary (the user: create,
keep, repair the password; the readiness file) and the pass on a mongod not yet running with
--replSet. Initiating, joining and leaving the set need real mongod members: those decisions
are tested against MongoDB's replies in rs-decide.test.mjs. FerretDB refuses roles (it keeps
none), so the passes here ask for none (APP_ROLE empty); the manifests ask for readWrite, which
the decision tests cover.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest

import harness
import manifests

ROOT = harness.ROOT
SCRIPTS = ROOT / "k8s" / "base" / "mongo"
SCRIPT = SCRIPTS / "rs-bootstrap.js"
MONGOSH = os.environ.get("MONGOSH", str(ROOT / "build" / "k8s" / "npm" / "node_modules" / ".bin" / "mongosh"))
ROOT_USER, ROOT_PASSWORD = "root", "root-secret"


class AuthFerretDB:
    """FerretDB with SCRAM authentication and a root user; with or without a replica set name."""

    def __init__(self, repl_set: bool = True):
        self.dir = Path(tempfile.mkdtemp(prefix="pacman-bootstrap-"))
        self.port = harness.free_port()
        flags = ["--repl-set-name=rs0"] if repl_set else []
        self.log = open(self.dir / "ferretdb.log", "ab")
        self.proc = subprocess.Popen(
            [harness.ferretdb_binary(), "--handler=sqlite", f"--sqlite-url=file:{self.dir}/",
             f"--state-dir={self.dir}", f"--listen-addr=127.0.0.1:{self.port}",
             f"--debug-addr=127.0.0.1:{harness.free_port()}", "--telemetry=disable",
             "--log-level=warn", "--test-enable-new-auth", f"--setup-username={ROOT_USER}",
             f"--setup-password={ROOT_PASSWORD}", "--setup-database=admin", *flags],
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        harness.wait_for(lambda: self.proc.poll() is not None or harness.port_open(self.port), 30,
                         "FerretDB")
        if self.proc.poll() is not None:
            raise RuntimeError((self.dir / "ferretdb.log").read_text()[-2000:])

    def stop(self):
        harness.end_process(self.proc, 10)
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


class Member:
    """What one member's bootstrap container sees: its credentials files (the mounted Secret,
    rewritten as the kubelet rewrites them) and its environment, as the manifests set it."""

    def __init__(self, port: int, pod: str = "mongo-0", root_password: str = ROOT_PASSWORD):
        self.dir = Path(tempfile.mkdtemp(prefix="pacman-member-"))
        self.credentials = self.dir / "credentials"
        self.ready_file = self.dir / "bootstrap-ready"
        self.state_dir = self.dir / "state"
        self.state_dir.mkdir()
        self.set_password("app-secret-1")
        self.env = {
            "PATH": f"{Path(MONGOSH).parent}:{os.environ['PATH']}", "HOME": str(self.dir),
            "POD_NAME": pod, "POD_NAMESPACE": "pacman", "MONGO_SERVICE": "mongo",
            "MONGO_REPLICA_SET": "rs0", "MONGO_PORT": str(port),
            "ROOT_USER": ROOT_USER, "ROOT_PASSWORD": root_password,
            "APP_DATABASE": "pacman", "APP_ROLE": "",
            "APP_SECRET_DIR": str(self.credentials), "READY_FILE": str(self.ready_file),
            "STATE_DIR": str(self.state_dir),
        }

    def set_password(self, password: str, user: str = "pacman", next_user: tuple[str, str] | None = None):
        """Replaces the files the way the kubelet updates a Secret volume: a new directory,
        then one rename. next_user: (name, password) of the next user, as mongo-app-current
        holds it (next-username, next-password), or none."""
        new = self.dir / f".credentials-{time.monotonic_ns()}"
        new.mkdir()
        (new / "username").write_text(user)
        (new / "password").write_text(password)
        if next_user:
            (new / "next-username").write_text(next_user[0])
            (new / "next-password").write_text(next_user[1])
        link = self.dir / ".credentials-link"
        link.symlink_to(new.name)
        os.replace(link, self.credentials)

    def bootstrap_pass(self):
        """One pass, as bootstrap.sh runs it; returns (exit status, output)."""
        result = subprocess.run([MONGOSH, "--nodb", "--quiet", "--norc", str(SCRIPT)], env=self.env,
                                capture_output=True, text=True, timeout=90, cwd="/")
        return result.returncode, result.stdout + result.stderr

    def remove(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def can_log_in(port, user, password, database="pacman") -> bool:
    check = (f"try {{ db.getSiblingDB({database!r}).auth({user!r}, {password!r}); print('yes') }} "
             f"catch (e) {{ print('no') }}")
    result = subprocess.run([MONGOSH, f"mongodb://127.0.0.1:{port}/?directConnection=true",
                             "--quiet", "--norc", "--eval", check],
                            capture_output=True, text=True, timeout=60,
                            env={**os.environ, "HOME": tempfile.gettempdir()})
    return result.stdout.strip().endswith("yes")


@pytest.fixture
def primary():
    db = AuthFerretDB()
    yield db
    db.stop()


@pytest.fixture
def member(primary):
    m = Member(primary.port)
    yield m
    m.remove()


def test_mongosh_is_installed():
    assert os.access(MONGOSH, os.X_OK), f"{MONGOSH} missing: tests/k8s/run.sh installs it"


def test_primary_creates_the_app_user_once_and_repairs_its_password(primary, member):
    assert not can_log_in(primary.port, "pacman", "app-secret-1")

    status, output = member.bootstrap_pass()
    assert status == 0, output
    assert "user pacman: create: the user does not exist" in output
    assert "replica set" not in output  # already a member: nothing said, nothing done
    assert can_log_in(primary.port, "pacman", "app-secret-1")
    assert member.ready_file.read_text() == "the game's user logs in here\n"

    status, output = member.bootstrap_pass()  # again: no new user, no error
    assert status == 0, output
    assert "create" not in output

    member.set_password("app-secret-2")  # the Secret changed; the kubelet rewrote the files
    status, output = member.bootstrap_pass()
    assert status == 0, output
    assert "user pacman: update: the password differs from the Secret" in output
    assert can_log_in(primary.port, "pacman", "app-secret-2")
    assert not can_log_in(primary.port, "pacman", "app-secret-1")


def test_primary_keeps_the_next_user_ready_and_a_password_change_moves_to_it(primary, member):
    """The members' Secret holds the game's user now and the next one: the primary creates both.
    A password change (scripts/credentials.sh --rotate app) makes the next user the one in use
    and names a new next one: only that one is written; the user the web pods just left keeps
    its password (pods still running with it go on working) until it is next again."""
    member.set_password("pw-a", user="pacman", next_user=("pacman-2", "pw-b"))
    status, output = member.bootstrap_pass()
    assert status == 0, output
    assert "user pacman: create" in output and "user pacman-2: create" in output
    assert member.ready_file.read_text() == "pacman and pacman-2 log in here\n"
    assert can_log_in(primary.port, "pacman-2", "pw-b")

    member.set_password("pw-b", user="pacman-2", next_user=("pacman-3", "pw-c"))
    status, output = member.bootstrap_pass()
    assert status == 0, output
    assert "user pacman-3: create" in output
    assert "pacman-2: update" not in output and "user pacman:" not in output
    assert can_log_in(primary.port, "pacman", "pw-a")      # left alone
    assert can_log_in(primary.port, "pacman-3", "pw-c")

    member.set_password("pw-c", user="pacman-3", next_user=("pacman", "pw-a2"))
    status, output = member.bootstrap_pass()
    assert status == 0, output
    assert "user pacman: update: the password differs from the Secret" in output
    assert can_log_in(primary.port, "pacman", "pw-a2") and not can_log_in(primary.port, "pacman", "pw-a")


def test_mongosh_conf_keeps_home_free_of_a_log_file_a_pass(primary, member):
    """The manifests mount k8s/base/mongo/mongosh.conf as /etc/mongosh.conf (mongosh's global
    configuration): without it every pass leaves a log file in $HOME, an emptyDir with a size
    limit, for as long as the pod runs (a pass every 2 minutes: 720 a day)."""
    logs = lambda: sorted((member.dir / ".mongodb").rglob("*_log"))  # noqa: E731
    for _ in range(2):
        assert member.bootstrap_pass()[0] == 0
    assert len(logs()) == 2, "the control: without mongosh.conf, a log file a pass"
    member.env["MONGOSH_GLOBAL_CONFIG_FILE_FOR_TESTING"] = str(SCRIPTS / "mongosh.conf")
    for _ in range(2):
        assert member.bootstrap_pass()[0] == 0
    assert len(logs()) == 2, "with mongosh.conf, no new log file"


def test_member_without_replica_set_waits_touches_nothing_and_is_not_ready():
    db = AuthFerretDB(repl_set=False)
    m = Member(db.port, pod="mongo-1")
    try:
        m.ready_file.write_text("left by an earlier pass\n")
        status, output = m.bootstrap_pass()
        assert status == 1, output
        assert "replica set: wait: mongod is not running with --replSet yet" in output
        assert not can_log_in(db.port, "pacman", "app-secret-1")
        assert not m.ready_file.exists()
    finally:
        m.remove()
        db.stop()


def test_wrong_root_password_fails_the_pass_and_says_why(primary):
    m = Member(primary.port, root_password="wrong")
    try:
        status, output = m.bootstrap_pass()
        assert status == 1
        assert "error: Authentication failed" in output
        assert not m.ready_file.exists()
    finally:
        m.remove()


# ---- the sidecar's loop (bootstrap.sh), started as the manifests start it ----

def bootstrap_command() -> list[str]:
    sts = manifests.find(manifests.render(manifests.K8S), *manifests.MONGO)[0]
    boot = manifests.container_named(sts, manifests.BOOTSTRAP_CONTAINER)
    command = list(boot["command"])
    assert command == ["bash", "/scripts/bootstrap.sh"], command
    return ["bash", str(SCRIPTS / "bootstrap.sh")]  # /scripts is this directory in the pod


class Sidecar:
    """bootstrap.sh running, its output collected."""

    def __init__(self, member: Member, **env):
        self.lines: list[str] = []
        self.proc = subprocess.Popen(bootstrap_command(), env={**member.env, **env}, cwd="/",
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                     start_new_session=True)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def output(self) -> str:
        return "\n".join(self.lines)

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


def test_sidecar_makes_the_member_ready_within_seconds_and_applies_a_new_password_without_a_restart(primary, member):
    sidecar = Sidecar(member)
    try:
        started = time.monotonic()
        harness.wait_for(member.ready_file.exists, 30, "the readiness file", interval=0.2)
        assert can_log_in(primary.port, "pacman", "app-secret-1")
        print(f"\nready {time.monotonic() - started:.1f} s after the sidecar started")

        # Done: the loop now waits a minute between passes, but not for a new password.
        time.sleep(3)
        member.set_password("app-secret-2")
        changed = time.monotonic()
        harness.wait_for(lambda: can_log_in(primary.port, "pacman", "app-secret-2"), 20,
                         "the new password", interval=0.5)
        print(f"new password applied {time.monotonic() - changed:.1f} s after the files changed")
        assert "update: the password differs from the Secret" in sidecar.output()

        stopping = time.monotonic()
        sidecar.proc.send_signal(signal.SIGTERM)
        assert sidecar.proc.wait(5) == 0
        assert time.monotonic() - stopping < 3, "SIGTERM did not end the loop at once"
    finally:
        sidecar.stop()


class SilentProxy:
    """A TCP proxy in front of the database that forwards everything, except that once a
    client sends a message holding `stall_on` it stops forwarding that connection in either
    direction and keeps it open: a half-open connection in the middle of a command."""

    def __init__(self, target_port: int, stall_on: bytes):
        self.target_port, self.stall_on = target_port, stall_on
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.stalled = threading.Event()
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            self.sockets += [client, upstream]
            stall = threading.Event()
            threading.Thread(target=self._pipe, args=(client, upstream, stall, True), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client, stall, False), daemon=True).start()

    def _pipe(self, source, sink, stall, from_client):
        try:
            while data := source.recv(65536):
                if from_client and self.stall_on in data:
                    stall.set()
                    self.stalled.set()
                if stall.is_set():
                    continue  # swallowed: the peer waits for an answer that never comes
                sink.sendall(data)
        except OSError:
            pass

    def close(self):
        self.server.close()
        for s in self.sockets:
            s.close()


def test_a_half_open_connection_costs_one_pass_not_the_loop(primary):
    proxy = SilentProxy(primary.port, stall_on=b"usersInfo")
    m = Member(proxy.port)
    sidecar = Sidecar(m, PASS_TIMEOUT_SECONDS="15")  # a pass takes 3 to 6 s on a busy 2-core machine
    try:
        harness.wait_for(proxy.stalled.is_set, 60, "the pass to reach usersInfo", interval=0.2)
        harness.wait_for(lambda: sidecar.output().count("did not finish within 15 s") >= 2, 60,
                         "two stalled passes to end", interval=0.5)
        assert sidecar.proc.poll() is None, sidecar.output()
        print("\n" + sidecar.output())
    finally:
        sidecar.stop()
        m.remove()
        proxy.close()


# ---- the pass's I/O, piece by piece, in the real mongosh ----

def bootstrap_functions(member: Member, script: str) -> str:
    """Loads rs-bootstrap.js without running a pass, runs `script`, returns what it printed."""
    code = f"load({str(SCRIPT)!r}); {script}"
    result = subprocess.run([MONGOSH, "--nodb", "--quiet", "--norc", "--eval", code],
                            env={**member.env, "RS_BOOTSTRAP_NO_PASS": "1"}, capture_output=True,
                            text=True, timeout=120, cwd="/")
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.strip()


def test_members_are_told_apart_as_answering_silent_or_without_a_pod(primary, member):
    """What decideReplicaSet is given about each peer: a hello, no answer (the pod exists:
    its name resolves, nothing listens), or no such pod (its name does not resolve)."""
    closed = harness.free_port()
    out = bootstrap_functions(member, f"""
        for (const host of ['127.0.0.1:{primary.port}', '127.0.0.1:{closed}', 'no-such-pod.invalid:27017']) {{
          const seen = observe(host);
          print(JSON.stringify({{ host, setName: seen.hello && seen.hello.setName, answer: seen.answer || null }}));
        }}""")
    seen = [json.loads(line) for line in out.splitlines()]
    assert seen == [
        {"host": f"127.0.0.1:{primary.port}", "setName": "rs0", "answer": None},
        {"host": f"127.0.0.1:{closed}", "setName": None, "answer": "no answer"},
        {"host": "no-such-pod.invalid:27017", "setName": None, "answer": "no such pod"},
    ]


def test_peers_are_asked_by_name_and_the_search_ends(primary, member):
    """Member 0 without a config asks mongo-1, mongo-2, ... by their DNS names and stops after
    two that give no hello (here none resolves: no cluster DNS on this machine)."""
    out = bootstrap_functions(member, "print(JSON.stringify(askPeers().map((p) => [p.ordinal, p.host, p.answer])))")
    asked = json.loads(out.splitlines()[-1])
    assert [a[:2] for a in asked] == [[1, "mongo-1.mongo.pacman.svc:%d" % primary.port],
                                      [2, "mongo-2.mongo.pacman.svc:%d" % primary.port]]
    assert all(a[2] in ("no such pod", "no answer") for a in asked), asked


# What rs-bootstrap.js does with the set's config cannot meet a real mongod here (none runs on
# these machines, and FerretDB has no replSetGetConfig): so MongoDB's recorded replies
# (tests/k8s/replies, read into the types mongosh gives a reply: numbers, Dates, ObjectIds) are handed to the
# pass's own functions in the real mongosh, and what they would send back is checked.
REPLAY = """
const fs = require('fs');
const reply = (name) => EJSON.parse(fs.readFileSync(`{replies}/${{name}}.json`, 'utf8'), {{ relaxed: true }});
const answers = {answers};
const sent = [];
const admin = {{ runCommand(command) {{
  sent.push(command);
  const name = Object.keys(command)[0];
  return answers[name] ? reply(answers[name]) : {{ ok: 1 }};
}} }};
const result = {call};
print(EJSON.stringify({{ result, sent }}, {{ relaxed: false }}));
"""


def replay(member, call: str, answers: dict) -> dict:
    script = REPLAY.format(replies=ROOT / "tests" / "k8s" / "replies", answers=json.dumps(answers), call=call)
    return json.loads(bootstrap_functions(member, script).splitlines()[-1])


def test_a_new_member_asks_for_a_config_with_itself_added_keeping_its_bson_types(primary):
    m = Member(primary.port, pod="mongo-3")
    try:
        out = replay(m, "addSelf(admin)", {"replSetGetConfig": "replSetGetConfig-3"})
    finally:
        m.remove()
    assert [list(c)[0] for c in out["sent"]] == ["replSetGetConfig", "replSetReconfig"]
    config = out["sent"][1]["replSetReconfig"]
    recorded = json.loads((ROOT / "tests" / "k8s" / "replies" / "replSetGetConfig-3.json").read_text())["config"]
    assert [x["host"] for x in config["members"]][-1] == "mongo-3.mongo.pacman.svc:%d" % primary.port
    assert len(config["members"]) == 4 and int(out["result"]["$numberInt"]) == recorded["version"] + 1
    assert config["settings"]["replicaSetId"] == recorded["settings"]["replicaSetId"]  # still an ObjectId
    assert config["term"] == {"$numberInt": "1"} and config["protocolVersion"] == {"$numberInt": "1"}


def test_the_primary_removes_a_scaled_down_member_after_a_minute_of_its_own_sightings(primary, member):
    """The pass's membersStep with the recorded status, twice: the first pass sees mongo-3 and
    mongo-4 gone and keeps the sighting in STATE_DIR (no reconfig); a pass a minute later (the
    file moved back 61 s) removes mongo-4."""
    answers = {"replSetGetStatus": "replSetGetStatus-scaled-down", "replSetGetConfig": "replSetGetConfig-5"}
    out = replay(member, "membersStep(admin)", answers)
    assert [list(c)[0] for c in out["sent"]] == ["replSetGetStatus", "replSetGetConfig"], out
    assert out["result"] is True  # not done: waiting for them to have been gone a minute
    sightings_file = member.state_dir / "members-without-pod.json"
    seen = json.loads(sightings_file.read_text())
    status_date = 1727177400000  # 2024-09-24T11:30:00Z, the recorded status's date
    assert seen == {f"mongo-{i}.mongo.pacman.svc:27017": status_date for i in (3, 4)}, seen

    sightings_file.write_text(json.dumps({host: when - 61000 for host, when in seen.items()}))
    out = replay(member, "membersStep(admin)", answers)
    names = [list(c)[0] for c in out["sent"]]
    assert names == ["replSetGetStatus", "replSetGetConfig", "replSetReconfig"], out
    hosts = [x["host"] for x in out["sent"][2]["replSetReconfig"]["members"]]
    assert hosts == [f"mongo-{i}.mongo.pacman.svc:27017" for i in range(4)]  # mongo-4 first
    assert out["result"] is True  # not done: mongo-3 next, in 2 s


def test_a_fresh_primary_keeps_a_member_it_never_heard_from(primary, member):
    """Issue 21, defect 6, in the real mongosh: the recorded status of a primary 31 s after every
    member restarted (mongo-2's lastHeartbeatRecv 1970-01-01, its pod not there yet). The old
    pass removed mongo-2 at once; this one only starts counting."""
    out = replay(member, "membersStep(admin)", {"replSetGetStatus": "replSetGetStatus-restored-fresh-primary",
                                                 "replSetGetConfig": "replSetGetConfig-3"})
    assert [list(c)[0] for c in out["sent"]] == ["replSetGetStatus", "replSetGetConfig"], out
    assert list(json.loads((member.state_dir / "members-without-pod.json").read_text())) == \
        ["mongo-2.mongo.pacman.svc:27017"]
