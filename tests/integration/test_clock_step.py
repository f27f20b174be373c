"""The wall clock steps back an hour under a running server (NTP, a resumed VM, `date -s`):
requests are still answered within their deadline, and the database monitor still notices the
database leave and come back. Every timed wait runs on CLOCK_MONOTONIC; on the wall clock each
one that was sleeping when the clock stepped would sleep an hour more.

Only the server's clock steps: clock_step.c (LD_PRELOAD) moves CLOCK_REALTIME for that process,
waits included, and the machine's clock is never touched."""

import datetime
import email.utils
import subprocess
import time
from pathlib import Path

import pytest
import requests

TIMEOUT_MS = 1000
STEP = "-3600"
HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def clock_step(tmp_path_factory):
    library = tmp_path_factory.mktemp("clock_step") / "clock_step.so"
    subprocess.run(["cc", "-O2", "-shared", "-fPIC", "-Wall", "-Wextra", "-Werror",
                    "-o", str(library), str(HERE / "clock_step.c"), "-ldl"], check=True)
    return library


@pytest.fixture
def stepped(clock_step, tmp_path, make_ferret, make_server):
    """A server on a private FerretDB whose wall clock the test steps with step(seconds)."""
    control = tmp_path / "clock_step"
    control.write_text("0\n")
    ferret = make_ferret()
    srv = make_server({"LD_PRELOAD": str(clock_step), "CLOCK_STEP_FILE": str(control),
                       "MONGO_TIMEOUT_MS": str(TIMEOUT_MS), "MONGO_URI": ferret.uri()})

    def step(seconds: str):
        control.write_text(seconds + "\n")
        time.sleep(0.5)  # every thread of the server is asleep in a timed wait again

    return ferret, srv, step


def readyz_database(srv) -> str:
    return requests.get(srv.url + "/readyz", timeout=5).json()["database"]


def wait_database(srv, state: str, within: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < within:
        if readyz_database(srv) == state:
            return time.monotonic() - started
        time.sleep(0.05)
    raise AssertionError(f"/readyz did not say database {state} within {within} s:\n"
                         f"{srv.log()[-2000:]}")


def assert_clock_stepped(srv):
    """The server's own clock reads an hour ago: the Date header it writes says so."""
    reply = requests.get(srv.url + "/healthz", timeout=5)
    assert reply.status_code == 200
    stamp = email.utils.parsedate_to_datetime(reply.headers["Date"])
    behind = (datetime.datetime.now(datetime.timezone.utc) - stamp).total_seconds()
    assert 3590 < behind < 3610, f"the server's clock is {behind:.0f} s behind, not an hour"


def test_the_clock_steps_back_and_requests_still_meet_their_deadline(stepped):
    ferret, srv, step = stepped
    assert requests.get(srv.url + "/highscores/list", timeout=5).status_code == 200
    step(STEP)
    assert_clock_stepped(srv)

    ferret.pause()  # a hung database: only the deadline answers the request
    try:
        started = time.monotonic()
        reply = requests.get(srv.url + "/highscores/list", timeout=30)
        took = time.monotonic() - started
    finally:
        ferret.resume()
    assert took < TIMEOUT_MS / 1000 + 1.5, \
        f"answered {took:.1f} s after it was sent, for a {TIMEOUT_MS} ms deadline: {reply.text}"
    assert reply.status_code == 503, reply.text
    assert "did not answer in time" in reply.json()["error"]
    assert srv.running()


def test_the_clock_steps_back_and_the_monitor_still_notices_the_database(stepped):
    ferret, srv, step = stepped
    wait_database(srv, "up", 10)
    step(STEP)
    assert_clock_stepped(srv)
    # Nothing but the monitor's own pings can tell: no request is sent meanwhile.
    ferret.kill()
    gone = wait_database(srv, "down", 2.0 + TIMEOUT_MS / 1000 + 2)  # one 2 s round, one ping
    ferret.start()
    back = wait_database(srv, "up", 5)  # pings every 0.5 s while the database is away
    print(f"\nafter the step: down noticed in {gone:.2f} s, up again in {back:.2f} s")
    assert srv.running()


def test_the_clock_steps_back_and_request_lines_are_still_written(stepped):
    _, srv, step = stepped
    step(STEP)
    assert_clock_stepped(srv)
    marker = f"/clock-step-{time.monotonic_ns()}"
    assert requests.get(srv.url + marker, timeout=5).status_code == 404
    deadline = time.monotonic() + 2  # request lines are flushed every 250 ms
    while marker not in srv.log():
        assert time.monotonic() < deadline, f"no log line for {marker}:\n{srv.log()[-2000:]}"
        time.sleep(0.05)
