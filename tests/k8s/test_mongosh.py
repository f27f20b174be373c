"""What the mongo pods run in mongosh, run by a real mongosh against a real database server: the
replica-set bootstrap script (k8s/base/mongo/rs-bootstrap.js) as the sidecar runs it, and the
members' exec probes as the rendered manifests spell them.

The database is FerretDB with its SCRAM authentication (--test-enable-new-auth) and a root user
made at start-up, as the mongo image's entrypoint makes one. FerretDB is one member that reports
itself as the primary of rs0, so this covers the pass on an initiated primary (the user: create,
keep, repair the password) and the pass on a mongod not yet running with --replSet. Initiating
the set needs three real mongod members: that decision is unit-tested in rs-decide.test.mjs.
FerretDB refuses roles (it keeps none), so the passes here ask for none (APP_ROLE empty); the
manifests ask for readWrite, which the decision tests cover.
"""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

import harness
import manifests

ROOT = harness.ROOT
SCRIPT = ROOT / "k8s" / "base" / "mongo" / "rs-bootstrap.js"
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
        self.proc.terminate()
        self.proc.wait(10)
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def bootstrap_pass(db, app_password="app-secret-1", pod="mongo-0", root_password=ROOT_PASSWORD):
    """One pass of the sidecar's loop; returns (exit status, output)."""
    env = {
        "PATH": os.environ["PATH"], "HOME": str(db.dir),
        "POD_NAME": pod, "POD_NAMESPACE": "pacman", "MONGO_SERVICE": "mongo", "MONGO_MEMBERS": "3",
        "MONGO_REPLICA_SET": "rs0", "MONGO_PORT": str(db.port),
        "ROOT_USER": ROOT_USER, "ROOT_PASSWORD": root_password,
        "APP_DATABASE": "pacman", "APP_ROLE": "", "APP_USER": "pacman", "APP_PASSWORD": app_password,
    }
    result = subprocess.run([MONGOSH, "--nodb", "--quiet", "--norc", str(SCRIPT)], env=env,
                            capture_output=True, text=True, timeout=60, cwd="/")
    return result.returncode, result.stdout + result.stderr


def can_log_in(db, user, password, database="pacman") -> bool:
    check = (f"try {{ db.getSiblingDB({database!r}).auth({user!r}, {password!r}); print('yes') }} "
             f"catch (e) {{ print('no') }}")
    result = subprocess.run([MONGOSH, f"mongodb://127.0.0.1:{db.port}/?directConnection=true",
                             "--quiet", "--norc", "--eval", check],
                            capture_output=True, text=True, timeout=60, env={**os.environ, "HOME": str(db.dir)})
    return result.stdout.strip().endswith("yes")


@pytest.fixture
def primary():
    db = AuthFerretDB()
    yield db
    db.stop()


def test_mongosh_is_installed():
    assert os.access(MONGOSH, os.X_OK), f"{MONGOSH} missing: tests/k8s/run.sh installs it"


def test_primary_creates_the_app_user_once_and_repairs_its_password(primary):
    assert not can_log_in(primary, "pacman", "app-secret-1")

    status, output = bootstrap_pass(primary)
    assert status == 0, output
    assert "user pacman: create: the user does not exist" in output
    assert "replica set" not in output  # already a member: nothing said, nothing done
    assert can_log_in(primary, "pacman", "app-secret-1")

    status, output = bootstrap_pass(primary)  # again: no new user, no error
    assert status == 0, output
    assert "create" not in output

    status, output = bootstrap_pass(primary, app_password="app-secret-2")  # the Secret changed
    assert status == 0, output
    assert "user pacman: update: the password differs from the Secret" in output
    assert can_log_in(primary, "pacman", "app-secret-2")
    assert not can_log_in(primary, "pacman", "app-secret-1")


def test_member_without_replica_set_waits_and_touches_nothing():
    db = AuthFerretDB(repl_set=False)
    try:
        status, output = bootstrap_pass(db, pod="mongo-1")
        assert status == 1, output
        assert "replica set: wait: mongod is not running with --replSet yet" in output
        assert not can_log_in(db, "pacman", "app-secret-1")
    finally:
        db.stop()


def test_wrong_root_password_fails_the_pass_and_says_why(primary):
    status, output = bootstrap_pass(primary, root_password="wrong")
    assert status == 1
    assert "error: Authentication failed" in output


# ---- the members' probes ----

def mongod_probe(kind: str) -> list[str]:
    sts = manifests.find(manifests.render(manifests.K8S), *manifests.MONGO)[0]
    mongod = sts["spec"]["template"]["spec"]["containers"][0]
    return mongod[kind]["exec"]["command"]


def run_probe(kind, port):
    command = mongod_probe(kind)
    assert command[0] == "mongosh"
    result = subprocess.run([MONGOSH, "--port", str(port), *command[1:]], capture_output=True,
                            text=True, timeout=60, env={**os.environ, "HOME": tempfile.gettempdir()})
    return result.returncode


@pytest.mark.parametrize("kind", ["startupProbe", "livenessProbe", "readinessProbe"])
def test_probes_pass_on_a_primary_without_credentials(primary, kind):
    assert run_probe(kind, primary.port) == 0


@pytest.mark.parametrize("kind", ["startupProbe", "livenessProbe", "readinessProbe"])
def test_probes_fail_when_mongod_does_not_answer(kind):
    assert run_probe(kind, harness.free_port()) != 0


def test_readiness_fails_on_a_mongod_outside_a_replica_set():
    """Like the image's first-start mongod without --replSet (an uninitiated member of MongoDB
    fails on isWritablePrimary and secondary, both false: see hello-uninitiated.json)."""
    db = AuthFerretDB(repl_set=False)
    try:
        assert run_probe("livenessProbe", db.port) == 0
        assert run_probe("readinessProbe", db.port) != 0
    finally:
        db.stop()
