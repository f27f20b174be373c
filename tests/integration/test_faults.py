"""The database goes away (killed), never came (down at start-up) or hangs (SIGSTOP): the
game's files keep coming fast, API calls fail as 503 JSON within MONGO_TIMEOUT_MS, and when the
database is back the API recovers without restarting the server, with every earlier score."""

import threading
import time
from contextlib import contextmanager

import pytest
import requests

from harness import wait_for
from support import Api, assert_json_error, timed

TIMEOUT_MS = 1000
SLACK = 1.5          # seconds allowed on top of MONGO_TIMEOUT_MS for one failing API call
STATIC_BUDGET = 0.1  # seconds for one static file while the database is away
RECOVERY = 20        # seconds for the API to come back once the database is back


def api_calls(api, user_id="0123456789abcdef01234567"):
    """One of each API call, as (label, thunk)."""
    return [
        ("GET /highscores/list", lambda: api.get("/highscores/list")),
        ("POST /highscores", lambda: api.post_form("/highscores", {
            "name": "during outage", "score": "1", "level": "1"})),
        ("GET /user/id", lambda: api.get("/user/id")),
        ("POST /user/stats", lambda: api.post_form("/user/stats", {
            "userId": user_id, "cloud": "c", "zone": "z", "host": "h", "score": "1",
            "level": "1", "lives": "1", "elapsedTime": "1"})),
        ("GET /user/stats", lambda: api.get("/user/stats")),
    ]


def assert_api_unavailable(api):
    for label, call in api_calls(api):
        response, seconds = timed(call)
        assert_json_error(response, 503)
        assert seconds < TIMEOUT_MS / 1000 + SLACK, f"{label} took {seconds:.2f}s to fail"


def slowest_static(api, count):
    worst = 0.0
    for i in range(count):
        path = ("/", "/app.js", "/img/noise.png", "/healthz")[i % 4]
        response, seconds = timed(api.get, path)
        assert response.status_code == 200, (path, response.status_code)
        worst = max(worst, seconds)
    return worst


def assert_static_fast(api, site, count=20):
    """Every one of `count` static requests under STATIC_BUDGET. One more round is allowed
    when a round has a slow request: a machine shared with other jobs can stall a process for
    100 ms now and then, while a static path that waits for the database is slow every time
    (the database timeout is 1 s)."""
    worst = slowest_static(api, count)
    if worst >= STATIC_BUDGET:
        worst = slowest_static(api, count)
    assert worst < STATIC_BUDGET, f"a static request took {worst * 1000:.0f} ms (twice)"
    assert api.get("/", headers={"Accept-Encoding": "identity"}).content == \
        site["files"]["index.html"]


@contextmanager
def api_calls_in_flight(api, threads=40):
    """Keeps up to `threads` API calls outstanding. Each thread waits a little after an answer,
    so calls that fail at once do not turn into a busy loop that starves the machine (two
    cores) and makes the static timings measure this test's own CPU use."""
    stop = threading.Event()
    statuses = []

    def loop():
        while not stop.is_set():
            try:
                statuses.append(api.get("/highscores/list", timeout=30).status_code)
            except requests.RequestException as error:
                statuses.append(repr(error))
            stop.wait(0.25)

    workers = [threading.Thread(target=loop, daemon=True) for _ in range(threads)]
    for worker in workers:
        worker.start()
    time.sleep(0.3)  # let them reach the database layer
    try:
        yield statuses
    finally:
        stop.set()
        for worker in workers:
            worker.join(40)
    assert not [w for w in workers if w.is_alive()], "API calls still hanging after 40 s"


def wait_api_back(api):
    wait_for(lambda: api.get("/highscores/list").status_code == 200, RECOVERY,
             "the API to recover after the database came back")


def post(api, name, score, **extra):
    return api.post_form("/highscores", {"name": name, "score": str(score), "level": "1",
                                         **extra})


@pytest.fixture
def stack(make_ferret, make_server):
    """A private database and a server on it that fails fast (MONGO_TIMEOUT_MS=1000), with a
    single HTTP thread: if a database call ever ran on it, static files would stall."""
    ferret = make_ferret()
    srv = make_server({"MONGO_URI": ferret.uri("pacman"), "MONGO_TIMEOUT_MS": str(TIMEOUT_MS),
                       "HTTP_THREADS": "1"})
    return ferret, srv, Api(srv.url)


def test_database_killed_then_restarted_on_the_same_data(stack, site):
    ferret, srv, api = stack
    assert post(api, "before", 100).status_code == 200
    assert post(api, "also before", 50).status_code == 200

    ferret.kill()
    assert_api_unavailable(api)
    with api_calls_in_flight(api) as statuses:
        assert_static_fast(api, site)
    assert statuses and all(s == 503 for s in statuses), set(map(str, statuses))
    assert api.get("/readyz").status_code == 200, "ready: the game's files are still served"

    ferret.start()
    wait_api_back(api)
    assert srv.running(), "the server restarted or died"
    assert [e["name"] for e in api.get("/highscores/list").json()] == ["before", "also before"]
    assert post(api, "after", 75).status_code == 200
    assert [e["name"] for e in api.get("/highscores/list").json()] == \
        ["before", "after", "also before"]


def test_database_down_at_start_up(make_ferret, make_server, site, mongo):
    ferret = make_ferret(launch=False)  # its port is chosen, nothing listens there yet
    srv = make_server({"MONGO_URI": ferret.uri("pacman"), "MONGO_TIMEOUT_MS": str(TIMEOUT_MS)})
    api = Api(srv.url)
    assert_static_fast(api, site)
    assert_api_unavailable(api)

    ferret.start()
    wait_api_back(api)
    assert post(api, "late database", 10).status_code == 200
    user_id = api.get("/user/id").json()
    assert api.post_form("/user/stats", {"userId": user_id, "cloud": "c", "zone": "z",
                                         "host": "h", "score": "1", "level": "1", "lives": "1",
                                         "elapsedTime": "1"}).status_code == 200
    assert [e["name"] for e in api.get("/highscores/list").json()] == ["late database"]


def test_database_hung(stack, site):
    ferret, srv, api = stack
    assert post(api, "before the hang", 100).status_code == 200
    assert api.get("/highscores/list").status_code == 200  # a pooled connection now exists

    ferret.pause()
    try:
        assert_api_unavailable(api)
        with api_calls_in_flight(api) as statuses:
            assert_static_fast(api, site)
        assert statuses and all(s == 503 for s in statuses), set(map(str, statuses))
        # A score sent while the database hangs may or may not have reached it: the client
        # keeps its submissionId and retries.
        assert_json_error(post(api, "retried", 300, submissionId="hung-1"), 503)
    finally:
        ferret.resume()

    wait_api_back(api)
    assert srv.running()
    retry = post(api, "retried", 300, submissionId="hung-1")
    assert retry.status_code == 200, retry.text
    assert [e["name"] for e in api.get("/highscores/list").json()] == \
        ["retried", "before the hang"]


@pytest.mark.slow
def test_repeated_outages(stack, site):
    """Three kill/restart cycles in a row: no leaked state makes recovery slower or fail."""
    ferret, srv, api = stack
    for cycle in range(3):
        assert post(api, f"cycle {cycle}", 10 + cycle).status_code == 200
        ferret.kill()
        assert_json_error(api.get("/highscores/list"), 503)
        assert_static_fast(api, site, count=4)
        ferret.start()
        wait_api_back(api)
    assert [e["name"] for e in api.get("/highscores/list").json()] == \
        ["cycle 2", "cycle 1", "cycle 0"]
    assert srv.running()
