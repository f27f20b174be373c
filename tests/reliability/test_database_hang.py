"""A database that accepts connections but never answers (kill -STOP): API calls fail within
MONGO_TIMEOUT_MS as JSON 503s, the game's files are served as fast as ever, and after
kill -CONT the API comes back by itself with nothing acknowledged lost."""

import statistics
import time

import pytest

from demo.stack import acknowledged_scores, check_acknowledged, http_get

TIMEOUT_MS = 1000
SLACK = 1.0   # seconds on top of the timeout for one failing call on a busy 2-core machine
HANG = 6      # seconds the database is stopped


@pytest.mark.slow
def test_hung_database_under_load(make_ferret, make_server, make_load):
    ferret = make_ferret()
    server = make_server(ferret, {"MONGO_TIMEOUT_MS": str(TIMEOUT_MS)})
    database = server.env["MONGO_URI"].rsplit("/", 1)[1].split("?")[0]
    load = make_load(server.url, players=6)
    time.sleep(3)

    stopped = time.monotonic()
    ferret.pause()
    page_times = []
    try:
        while time.monotonic() - stopped < HANG:
            started = time.monotonic()
            status, body = http_get(server.url + "/", timeout=5)
            page_times.append(time.monotonic() - started)
            assert status == 200 and body, f"the game page answered {status} during the hang"
            time.sleep(0.1)
    finally:
        resumed = time.monotonic()
        ferret.resume()
    back = None
    while time.monotonic() - resumed < 15:
        if http_get(server.url + "/highscores/list", timeout=3)[0] == 200:
            back = time.monotonic() - resumed
            break
        time.sleep(0.05)
    assert back is not None, f"the API did not come back after SIGCONT:\n{server.log()[-3000:]}"
    time.sleep(3)
    records = load.stop()

    print(f"\npage during the hang: median {statistics.median(page_times) * 1000:.1f} ms, "
          f"max {max(page_times) * 1000:.1f} ms over {len(page_times)} fetches; "
          f"API back {back:.2f} s after SIGCONT")
    assert statistics.median(page_times) < 0.05
    assert max(page_times) < 1.0

    during = [r for r in records if r["t1"] > stopped and r["t0"] < resumed]
    api = [r for r in during if r["p"] != "/" and not r["p"].startswith(("/js", "/css", "/fav"))]
    failed = [r for r in api if r["s"] != 200]
    assert failed, "no API call failed while the database was stopped: was it?"
    assert all(r["s"] == 503 and r.get("je") for r in failed), \
        {(r["s"], r.get("je"), r.get("e")) for r in failed}
    slow = [r for r in failed if r["t1"] - r["t0"] > TIMEOUT_MS / 1000 + SLACK]
    assert not slow, f"{len(slow)} API calls took longer than the timeout to fail: {slow[:3]}"
    pages = [r for r in records if r["p"] in ("/", "/js/main.js") and r["s"] != 200]
    assert not pages, pages[:3]
    after = [r for r in records if r["t0"] > resumed + back + 0.5]
    assert after and all(r["s"] == 200 for r in after), \
        [r for r in after if r["s"] != 200][:5]

    acknowledged = acknowledged_scores(records)
    problems = check_acknowledged(ferret, database, acknowledged)
    assert not problems, problems[:10]
    assert server.running() and server.stop() == 0
