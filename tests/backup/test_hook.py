"""The members' backup hook (k8s/components/backup-hook/backup-hook.sh) in bash and the pinned
mongosh, against a real database that logs in as the mongo image's root user does.

The database is FerretDB, which implements neither `fsync` (the lock) nor `replSetGetStatus`
(the choice of member): so what runs here for real is the script's refusal path, every command
of it: no member chosen, nothing locked, the exit status each caller relies on, the reason
said. The choice itself is tested against MongoDB's replies (backup-decide.test.mjs); the lock
and the snapshot need a real replica set (docs/backup-restore.md on minikube).
"""

import json
import subprocess

from conftest import HOOK_DIR

HOOK = str(HOOK_DIR / "backup-hook.sh")


def hook(env, *args, stdin=None, timeout=60):
    return subprocess.run(["bash", HOOK, *args], env=env, input=stdin, capture_output=True, text=True,
                          timeout=timeout)


def test_choose_names_no_member_where_replSetGetStatus_fails(member_env):
    result = hook(member_env, "choose")
    assert result.returncode == 0, result.stderr
    reply = json.loads(result.stdout.strip().splitlines()[-1])
    assert reply["choice"]["member"] is None
    assert reply["choice"]["reason"].startswith("replSetGetStatus failed:"), reply
    assert reply["freeze"]["action"] == "skip"


def test_hold_refuses_and_locks_nothing(member_env, tmp_path):
    result = hook(member_env, "hold", "30", stdin="")
    assert result.returncode == 4, (result.stdout, result.stderr)
    assert "not locking this member" in result.stderr
    assert "locked" not in result.stdout


def test_freeze_fails_when_no_member_can_be_locked_and_leaves_no_marker(member_env, tmp_path):
    result = hook(member_env, "freeze")
    assert result.returncode == 5, (result.stdout, result.stderr)
    assert "nothing locked: replSetGetStatus failed" in result.stderr
    assert not (tmp_path / "pacman-backup-hook.locked").exists()
    assert "###Phase-output###" not in result.stdout


def test_thaw_without_a_freeze_does_nothing(member_env, tmp_path):
    result = hook(member_env, "thaw")
    assert result.returncode == 0, result.stderr
    assert "nothing to unlock here" in result.stderr


def test_wrong_credentials_are_a_refusal_not_a_choice(member_env):
    result = hook({**member_env, "MONGO_INITDB_ROOT_PASSWORD": "wrong"}, "choose")
    assert result.returncode == 3, (result.stdout, result.stderr)
    assert "replSetGetStatus failed" in result.stderr and "uthentication failed" in result.stderr


def test_usage(member_env):
    assert hook(member_env, "hold", "soon").returncode == 2
    assert hook(member_env, "hold").returncode == 2
    result = hook(member_env)
    assert result.returncode == 2 and "hold SECONDS" in result.stderr
