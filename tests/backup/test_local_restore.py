"""The backup-and-restore story on the local database, for real (docs/backup-restore.md,
"Locally"): the built server on FerretDB, scripts/backup-local.py copying FerretDB's SQLite
files the consistent way while the game writes, the database destroyed, restored, and the
fingerprint (GET /highscores/fingerprint) equal to the one before; the server finds the
database again by itself, the same process throughout.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
import time
import uuid

import pymongo
import pytest
import requests

import harness
from harness import FerretDB, Server

BACKUP_LOCAL = harness.ROOT / "scripts" / "backup-local.py"
DATABASE = "pacman"


def post_score(base: str, name: str, score: int, sid: str | None = None) -> requests.Response:
    form = {"name": name, "cloud": "local", "zone": "local", "host": "test", "score": str(score), "level": "1"}
    if sid:
        form["submissionId"] = sid
    return requests.post(base + "/highscores", data=form, timeout=15)


def fingerprint(base: str) -> dict:
    response = requests.get(base + "/highscores/fingerprint", timeout=15)
    assert response.status_code == 200, response.text
    return response.json()


def backup_local(*args: str) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, str(BACKUP_LOCAL), *args], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result


class Writer:
    """Posts scores one after another (w1, w2, ...), each retried until stored, as the page does;
    records when each was acknowledged."""

    def __init__(self, base: str):
        self.base, self.run_id = base, uuid.uuid4().hex[:8]
        self.acknowledged: list[tuple[int, float]] = []
        self.failures = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        number = 0
        while not self._stop.is_set():
            number += 1
            while not self._stop.is_set():
                try:
                    ok = post_score(self.base, f"w{number}", number, f"{self.run_id}-{number}").status_code == 200
                except requests.RequestException:
                    ok = False
                if ok:
                    self.acknowledged.append((number, time.monotonic()))
                    break
                self.failures += 1
                time.sleep(0.05)

    def start(self):
        self._thread.start()
        harness.wait_for(lambda: len(self.acknowledged) >= 5, 30, "the writer's first scores")
        return self

    def stop(self):
        self._stop.set()
        self._thread.join(30)


@pytest.fixture
def stack(tmp_path):
    ferret = FerretDB(data_dir=tmp_path / "db").start()
    server = Server(env={"MONGO_URI": ferret.uri(DATABASE), "HIGHSCORES_CACHE_MS": "0",
                         "MONGO_TIMEOUT_MS": "3000"}).start()
    yield ferret, server
    server.stop()
    ferret.cleanup()


def destroy(ferret: FerretDB) -> None:
    """The disaster: the database process killed and its data directory deleted."""
    ferret.kill()
    shutil.rmtree(ferret.data_dir)


def restore(ferret: FerretDB, backup) -> None:
    backup_local("restore", str(backup), "--data", str(ferret.data_dir))
    ferret.start()   # the same address: what re-applying the manifests gives the members


def test_backup_destroy_restore_same_fingerprint_server_recovers_by_itself(stack, tmp_path):
    ferret, server = stack
    base = server.url
    for i in range(12):
        assert post_score(base, f"player{i}", 100 * i + 7).status_code == 200
    before = fingerprint(base)
    assert before["count"] == 12 and before["newest"]
    requests.get(base + "/highscores/list", timeout=15).raise_for_status()
    assert fingerprint(base) == before, "reading the table changed the fingerprint"

    out = backup_local("backup", "--data", str(ferret.data_dir), "--to", str(tmp_path / "quiet")).stdout
    assert "pacman.sqlite" in out

    # Scores after the backup: the restore must not have them.
    assert post_score(base, "late", 5000).status_code == 200
    assert fingerprint(base)["count"] == 13

    pid = server.proc.pid
    destroy(ferret)
    listed = requests.get(base + "/highscores/list", timeout=30)
    assert listed.status_code == 503 and "error" in listed.json(), listed.text
    gone = requests.get(base + "/highscores/fingerprint", timeout=30)
    assert gone.status_code == 503 and "error" in gone.json(), gone.text
    assert requests.get(base + "/", timeout=15).status_code == 200, "the page went down with the database"

    restore(ferret, tmp_path / "quiet")
    started = time.monotonic()
    back = harness.wait_for(
        lambda: (lambda r: r.json() if r.status_code == 200 else None)(
            requests.get(base + "/highscores/fingerprint", timeout=15)), 60, "the server to find the database again")
    print(f"\nserver answered from the restored database {time.monotonic() - started:.1f} s after its start")
    assert back == before
    assert server.running() and server.proc.pid == pid, "the server was restarted"
    names = [s["name"] for s in requests.get(base + "/highscores/list", timeout=15).json()]
    assert "late" not in names and "player11" in names


def test_a_backup_taken_while_the_game_writes_is_one_point_in_time(stack, tmp_path):
    """Writes go on during the copy (none waits), and the copy holds the writer's scores
    w1..wk with none missing and none past k: one moment of the database, not a torn mix."""
    ferret, server = stack
    writer = Writer(server.url).start()
    began = time.monotonic()
    backup_local("backup", "--data", str(ferret.data_dir), "--to", str(tmp_path / "busy"))
    ended = time.monotonic()
    time.sleep(0.5)
    writer.stop()
    during = [n for n, at in writer.acknowledged if began <= at <= ended]
    assert writer.failures == 0, f"{writer.failures} writes failed while the backup ran"
    acknowledged_before = max(n for n, at in writer.acknowledged if at < began)
    acknowledged_by_end = max(n for n, at in writer.acknowledged if at <= ended)

    destroy(ferret)
    restore(ferret, tmp_path / "busy")
    client = pymongo.MongoClient(ferret.uri(DATABASE), serverSelectionTimeoutMS=20000)
    try:
        numbers = sorted(int(d["name"][1:]) for d in client[DATABASE].highscore.find({"name": {"$regex": "^w[0-9]+$"}}))
    finally:
        client.close()
    k = len(numbers)
    assert numbers == list(range(1, k + 1)), f"the copy is not one point in time: {numbers}"
    assert acknowledged_before <= k <= acknowledged_by_end + 1, (acknowledged_before, k, acknowledged_by_end)
    print(f"\n{len(during)} scores acknowledged while the backup ran; the copy holds w1..w{k}")
