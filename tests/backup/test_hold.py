"""The lock's every way out: backup-hook.sh `hold`, `freeze` and `thaw`, and scripts/backup.py's
Lock around them, with a mongosh that answers from MongoDB's recorded replies
(tests/backup/recorded-mongosh: replSetGetStatus from tests/backup/replies, fsyncLock and
fsyncUnlock as MongoDB 7.0 answers them, every call recorded). No MongoDB server runs here, and
FerretDB has no fsync (test_hook.py runs the script against it for what FerretDB can answer).

What is asserted is what the member is told: an fsyncLock, and then exactly one fsyncUnlock,
whichever way the hold ends: asked to, its input closed (the backup script or its kubectl died,
the connection dropped), its deadline, a signal; never a lock on a member that is not the one
chosen.
"""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import HOOK_DIR, ROOT

HOOK = str(HOOK_DIR / "backup-hook.sh")
RECORDED = ROOT / "tests" / "backup" / "recorded-mongosh"
REPLIES = ROOT / "tests" / "backup" / "replies"


@pytest.fixture
def member(tmp_path):
    """mongo-2's container, as the recorded replies see the set: all healthy, mongo-2 the
    secondary to lock (replSetGetStatus asked on mongo-2)."""
    state = tmp_path / "state"
    state.mkdir()

    def env(status: str = "replSetGetStatus-healthy-on-mongo-2.json", **extra) -> dict:
        return {"PATH": f"{RECORDED}:{os.environ['PATH']}", "HOSTNAME": "mongo-2", "HOME": str(tmp_path),
                "MONGO_INITDB_ROOT_USERNAME": "root", "MONGO_INITDB_ROOT_PASSWORD": "secret",
                "RECORDED_STATUS": str(REPLIES / status), "RECORDED_STATE_DIR": str(state),
                "BACKUP_HOOK_STATE_DIR": str(state), **extra}

    env.calls = lambda: (state / "calls").read_text().split("\n")[:-1] if (state / "calls").exists() else []
    env.state = state
    return env


def hold(env: dict, seconds: int = 30) -> subprocess.Popen:
    proc = subprocess.Popen(["bash", HOOK, "hold", str(seconds)], env=env, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    line = proc.stdout.readline()
    assert line.startswith("locked "), (line, proc.stderr.read() if proc.poll() is not None else "")
    locked = json.loads(line[len("locked "):])
    assert locked["self"] == "mongo-2" and locked["reply"]["lockCount"] == 1
    return proc


def unlocked(proc: subprocess.Popen, timeout: float = 30) -> dict:
    """The hold's last words; its standard input is left as the test left it (open: nobody asks)."""
    proc.wait(timeout)
    out, err = proc.stdout.read(), proc.stderr.read()
    line = next((l for l in out.splitlines() if l.startswith("unlocked ")), None)
    assert line, (out, err)
    return json.loads(line[len("unlocked "):])


def test_hold_unlocks_when_asked(member):
    proc = hold(member())
    assert member.calls() == ["fsyncLock 1"]
    proc.stdin.write("unlock\n")
    proc.stdin.close()
    reply = unlocked(proc)
    assert proc.returncode == 0
    assert reply["why"] == "asked (unlock)" and reply["reply"]["lockCount"] == 0
    assert float(reply["writesWaitedSeconds"]) >= 0
    assert member.calls() == ["fsyncLock 1", "fsyncUnlock 0"]


def test_hold_unlocks_when_its_input_ends(member):
    """What happens when scripts/backup.py, or its kubectl exec, dies or loses the connection."""
    proc = hold(member())
    proc.stdin.close()
    assert unlocked(proc)["why"] == "standard input ended"
    assert member.calls() == ["fsyncLock 1", "fsyncUnlock 0"]


def test_hold_unlocks_at_its_deadline(member):
    started = time.monotonic()
    proc = hold(member(), seconds=2)
    reply = unlocked(proc)   # stdin left open: nobody asks
    assert reply["why"] == "the 2 s deadline passed"
    assert 1.5 <= time.monotonic() - started < 20
    assert member.calls() == ["fsyncLock 1", "fsyncUnlock 0"]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_hold_unlocks_on_a_signal(member, sig):
    proc = hold(member())
    os.kill(proc.pid, sig)
    reply = unlocked(proc)
    assert proc.returncode == 1 and reply["why"] == "signal"
    assert member.calls() == ["fsyncLock 1", "fsyncUnlock 0"]


@pytest.mark.parametrize("status, host", [
    ("replSetGetStatus-healthy.json", "mongo-0"),                 # the primary: never locked
    ("replSetGetStatus-no-primary.json", "mongo-1"),               # an election under way
    ("../../k8s/replies/replSetGetStatus-member-down.json", "mongo-0"),
])
def test_hold_locks_nothing_but_the_chosen_member(member, status, host):
    result = subprocess.run(["bash", HOOK, "hold", "30"], env=member(status, HOSTNAME=host), input="",
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 4, (result.stdout, result.stderr)
    assert member.calls() == []


def test_hold_over_someone_else_s_lock_unlocks_only_its_own(member):
    """A member already locked by someone else: the hold's lock takes the count to 2, and its
    one unlock leaves the other holder's lock in place."""
    (member.state / "lockCount").write_text("1")
    proc = subprocess.Popen(["bash", HOOK, "hold", "30"], env=member(), stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = proc.communicate("unlock\n", timeout=60)
    assert proc.returncode == 0, err
    assert member.calls() == ["fsyncLock 2", "fsyncUnlock 1"]


def test_freeze_thaw_on_the_chosen_member_and_nowhere_else(member):
    on_primary = subprocess.run(["bash", HOOK, "freeze"], env=member("replSetGetStatus-healthy.json", HOSTNAME="mongo-0"),
                                capture_output=True, text=True, timeout=60)
    assert on_primary.returncode == 0 and member.calls() == []
    assert "nothing locked here: mongo-2 is the member quiesced for the snapshot" in on_primary.stderr

    frozen = subprocess.run(["bash", HOOK, "freeze"], env=member(BACKUP_HOOK_MAX_SECONDS="60"),
                            capture_output=True, text=True, timeout=60)
    assert frozen.returncode == 0, frozen.stderr
    assert '###Phase-output###: {"key":"member","value":"mongo-2"}' in frozen.stdout
    assert member.calls() == ["fsyncLock 1"]
    again = subprocess.run(["bash", HOOK, "freeze"], env=member(), capture_output=True, text=True, timeout=60)
    assert again.returncode == 0 and "not locking twice" in again.stderr and member.calls() == ["fsyncLock 1"]

    thawed = subprocess.run(["bash", HOOK, "thaw"], env=member(), capture_output=True, text=True, timeout=60)
    assert thawed.returncode == 0 and "writes waited here" in thawed.stderr
    assert member.calls() == ["fsyncLock 1", "fsyncUnlock 0"]
    assert not (member.state / "pacman-backup-hook.locked").exists()


def test_freeze_s_watchdog_unlocks_when_no_thaw_comes(member):
    frozen = subprocess.run(["bash", HOOK, "freeze"], env=member(BACKUP_HOOK_MAX_SECONDS="2"),
                            capture_output=True, text=True, timeout=60)
    assert frozen.returncode == 0, frozen.stderr
    marker = member.state / "pacman-backup-hook.locked"
    deadline = time.monotonic() + 60
    # thaw removes the marker just after the unlock has answered
    while (member.calls() != ["fsyncLock 1", "fsyncUnlock 0"] or marker.exists()) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert member.calls() == ["fsyncLock 1", "fsyncUnlock 0"], (member.calls(), marker.exists(), frozen.stderr)
    assert not marker.exists()


# ---- scripts/backup.py's side of the hold ----

def backup_module():
    spec = importlib.util.spec_from_file_location("backup_script", ROOT / "scripts" / "backup.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def local_kubectl(module, env: dict):
    """backup.py's Kubectl with `kubectl exec` replaced by running the same argv's command here:
    what the member's container would run, with the recorded mongosh."""

    class Local(module.Kubectl):
        def exec_hook(self, pod, *args):
            argv = super().exec_hook(pod, *args)
            command = argv[argv.index("--") + 1:]   # env BACKUP_DECIDE_JS=... bash -c SCRIPT backup-hook ARGS
            return ["env", *[f"{k}={v}" for k, v in env.items()], *command]

    return Local("kubectl", "pacman")


def test_backup_py_lock_unlocks_on_close_and_reports_the_wait(member):
    module = backup_module()
    lock = module.Lock(local_kubectl(module, member()), "mongo-2", 30)
    assert lock.wait_locked()["reply"]["lockCount"] == 1
    assert lock.still_locked()
    time.sleep(0.3)
    reply = lock.close()
    assert float(reply["writesWaitedSeconds"]) >= 0.3 and reply["why"] == "asked (unlock)"
    assert member.calls() == ["fsyncLock 1", "fsyncUnlock 0"]
    assert lock.close() == reply   # twice is harmless


def test_backup_py_killed_outright_still_unlocks(member, tmp_path):
    """kill -9 of the backup script: nothing of it runs any more; the member's end sees its
    input close and unlocks."""
    module_path = ROOT / "scripts" / "backup.py"
    driver = tmp_path / "driver.py"
    driver.write_text(
        "import importlib.util, json, sys, time\n"
        f"spec = importlib.util.spec_from_file_location('b', {str(module_path)!r})\n"
        "b = importlib.util.module_from_spec(spec); spec.loader.exec_module(b)\n"
        f"env = json.loads({json.dumps(json.dumps(member()))})\n"
        "class Local(b.Kubectl):\n"
        "    def exec_hook(self, pod, *args):\n"
        "        argv = super().exec_hook(pod, *args)\n"
        "        return ['env', *[f'{k}={v}' for k, v in env.items()], *argv[argv.index('--') + 1:]]\n"
        "lock = b.Lock(Local('kubectl', 'pacman'), 'mongo-2', 60)\n"
        "lock.wait_locked(); print('locked', flush=True); time.sleep(600)\n")
    proc = subprocess.Popen([sys.executable, str(driver)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "locked"
    assert member.calls() == ["fsyncLock 1"]
    proc.kill()
    proc.wait()
    deadline = time.monotonic() + 30
    while member.calls() != ["fsyncLock 1", "fsyncUnlock 0"] and time.monotonic() < deadline:
        time.sleep(0.2)
    assert member.calls() == ["fsyncLock 1", "fsyncUnlock 0"]


def test_backup_py_chooses_as_the_members_do(member):
    module = backup_module()
    choice = module.choose_member(local_kubectl(module, member("replSetGetStatus-healthy.json", HOSTNAME="mongo-0")),
                                  ["mongo-0", "mongo-1", "mongo-2"])
    assert (choice["pod"], choice["asked"]) == ("mongo-2", "mongo-0")
    with pytest.raises(module.Failed, match=r"no member to quiesce \(asked mongo-0\): majority writes need 2"):
        module.choose_member(local_kubectl(module, member("../../k8s/replies/replSetGetStatus-member-down.json",
                                                          HOSTNAME="mongo-0")), ["mongo-0"])
    assert member.calls() == []
