"""What the backup tests share: a FerretDB that logs in the way the mongo image's root user does
(SCRAM, a root user made at start-up), and the pinned mongosh the members run."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import harness

ROOT = harness.ROOT
HOOK_DIR = ROOT / "k8s" / "components" / "backup-hook"
MONGOSH = os.environ.get("MONGOSH", str(ROOT / "build" / "k8s" / "npm" / "node_modules" / ".bin" / "mongosh"))
ROOT_USER, ROOT_PASSWORD = "root", "root-secret"


@pytest.fixture(scope="session")
def root_ferret():
    if not os.access(MONGOSH, os.X_OK):
        pytest.fail(f"{MONGOSH} is missing: tests/backup/run.sh installs it (make test-backup)", pytrace=False)
    db = harness.FerretDB(root=(ROOT_USER, ROOT_PASSWORD)).start()
    yield db
    db.cleanup()


@pytest.fixture
def member_env(root_ferret, tmp_path):
    """The environment the hook script has in a member's mongod container, pointed at FerretDB."""
    return {"PATH": f"{Path(MONGOSH).parent}:{os.environ['PATH']}", "HOME": str(tmp_path),
            "HOSTNAME": "mongo-2", "MONGO_HOST": f"127.0.0.1:{root_ferret.port}",
            "MONGO_INITDB_ROOT_USERNAME": ROOT_USER, "MONGO_INITDB_ROOT_PASSWORD": ROOT_PASSWORD,
            "BACKUP_HOOK_STATE_DIR": str(tmp_path)}
