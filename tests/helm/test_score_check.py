"""`helm test`'s script (charts/pacman/files/score-check.sh) against the real server binary and a
real database (FerretDB), configured through the environment the chart gives the web pods.

On the control plane (tests/cluster/test_helm.py) kwok runs no container, so the test Job is
admitted, scheduled and completed there but its script never runs: here it does, with bash as
the members' image has it, and it must fail when the game cannot store or read a score."""

import subprocess
import uuid

import pymongo
import pytest

import chart
from harness import FerretDB, Server

SCRIPT = chart.CHART / "files" / "score-check.sh"


def run_script(url: str, wait_seconds: int = 20) -> subprocess.CompletedProcess:
    # The pod's environment: nothing but what the image sets (HOSTNAME is the pod's name).
    env = {"PATH": "/usr/bin:/bin", "HOSTNAME": "pacman-score-check-x7k2p", "WAIT_SECONDS": str(wait_seconds)}
    return subprocess.run(["bash", str(SCRIPT), url], capture_output=True, text=True, env=env,
                          timeout=wait_seconds + 60)


@pytest.fixture(scope="module")
def ferret():
    db = FerretDB().start()
    yield db
    db.cleanup()


@pytest.fixture
def game(ferret):
    """The server as the chart runs it (MONGO_SERVICE_HOST, the port, the set, the database),
    without credentials: FerretDB offers no SCRAM (docs: ENVIRONMENT.md)."""
    database = f"helm_{uuid.uuid4().hex[:10]}"
    server = Server(env={"MONGO_SERVICE_HOST": "127.0.0.1", "MY_MONGO_PORT": str(ferret.port),
                         "MONGO_REPLICA_SET": "rs0", "MONGO_DATABASE": database}).start()
    yield server, database
    server.stop()


def test_posts_a_score_and_reads_it_back(ferret, game):
    server, database = game
    result = run_script(server.url)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "score-check: passed" in result.stdout
    assert "this one among them" in result.stdout, result.stdout
    # What the script says it stored is in the database: one score, the first one posted.
    stored = list(pymongo.MongoClient(ferret.uri(database))[database]["highscore"].find({}))
    assert [(s["name"], s["score"], s["host"]) for s in stored] == [("helm test", 0, "pacman-score-check-x7k2p")]
    assert stored[0]["submissionId"].startswith("helm-test-")


def test_passes_again_and_under_a_path_prefix(game):
    """`helm test` may run any number of times (each run posts a score of its own), and the URL
    may carry a path (an ingress prefix)."""
    server, _ = game
    assert run_script(server.url).returncode == 0
    second = run_script(server.url + "/")
    assert second.returncode == 0, second.stdout
    assert ", 2 scores, this one among them" in second.stdout


def test_a_full_table_still_passes(ferret, game):
    """With ten higher scores the test's score is not listed: the replay still reads it back."""
    server, database = game
    docs = [{"_id": f"seed{i}", "name": f"p{i}", "cloud": "c", "zone": "z", "host": "h", "score": 1000 + i,
             "level": 1} for i in range(10)]
    pymongo.MongoClient(ferret.uri(database))[database]["highscore"].insert_many(docs)
    result = run_script(server.url)
    assert result.returncode == 0, result.stdout
    assert "10 scores" in result.stdout and "among them" not in result.stdout


def test_fails_when_the_database_is_down(ferret, game):
    server, _ = game
    ferret.stop()
    try:
        result = run_script(server.url)
    finally:
        ferret.start()
    assert result.returncode == 1, result.stdout
    assert "FAILED: POST /highscores answered 503" in result.stdout


def test_fails_when_the_game_does_not_answer():
    result = run_script(f"http://127.0.0.1:{Server().port}", wait_seconds=3)
    assert result.returncode == 1
    assert "FAILED: GET /readyz answered 000 for 3 s: no answer" in result.stdout


def test_fails_when_something_else_answers(ferret):
    """A server that is not the game (here one without a database, whose API answers 503) is
    never taken for it."""
    server = Server(env={"MONGO_SERVICE_HOST": "127.0.0.1", "MY_MONGO_PORT": "1"}).start()
    try:
        result = run_script(server.url, wait_seconds=3)
    finally:
        server.stop()
    assert result.returncode == 1, result.stdout
    assert "FAILED" in result.stdout
