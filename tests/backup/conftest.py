"""What the backup tests share: a FerretDB that logs in the way the mongo image's root user does
(SCRAM, a root user made at start-up), and the pinned mongosh the members run."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

import harness

ROOT = harness.ROOT
HOOK_DIR = ROOT / "k8s" / "components" / "backup-hook"
MONGOSH = os.environ.get("MONGOSH", str(ROOT / "build" / "k8s" / "npm" / "node_modules" / ".bin" / "mongosh"))
ROOT_USER, ROOT_PASSWORD = "root", "root-secret"


class RootFerretDB:
    """FerretDB with SCRAM and a root user in admin, as MONGO_INITDB_ROOT_* make one in the image."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="pacman-backup-hook-"))
        self.port = harness.free_port()
        self.log = open(self.dir / "ferretdb.log", "ab")
        self.proc = subprocess.Popen(
            [harness.ferretdb_binary(), "--handler=sqlite", f"--sqlite-url=file:{self.dir}/",
             f"--state-dir={self.dir}", f"--listen-addr=127.0.0.1:{self.port}", "--repl-set-name=rs0",
             f"--debug-addr=127.0.0.1:{harness.free_port()}", "--telemetry=disable", "--log-level=warn",
             "--test-enable-new-auth", f"--setup-username={ROOT_USER}", f"--setup-password={ROOT_PASSWORD}",
             "--setup-database=admin"],
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        harness.wait_for(lambda: self.proc.poll() is not None or harness.port_open(self.port), 30, "FerretDB")
        if self.proc.poll() is not None:
            raise RuntimeError((self.dir / "ferretdb.log").read_text()[-2000:])

    def stop(self):
        harness.end_process(self.proc, 10)
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="session")
def root_ferret():
    if not os.access(MONGOSH, os.X_OK):
        pytest.fail(f"{MONGOSH} is missing: tests/backup/run.sh installs it (make test-backup)", pytrace=False)
    db = RootFerretDB()
    yield db
    db.stop()


@pytest.fixture
def member_env(root_ferret, tmp_path):
    """The environment the hook script has in a member's mongod container, pointed at FerretDB."""
    return {"PATH": f"{Path(MONGOSH).parent}:{os.environ['PATH']}", "HOME": str(tmp_path),
            "HOSTNAME": "mongo-2", "MONGO_HOST": f"127.0.0.1:{root_ferret.port}",
            "MONGO_INITDB_ROOT_USERNAME": ROOT_USER, "MONGO_INITDB_ROOT_PASSWORD": ROOT_PASSWORD,
            "BACKUP_HOOK_STATE_DIR": str(tmp_path)}
