"""Connections that hold the server's attention without finishing a request (slowloris):
1,000 of them, idle or dripping a byte at a time. Real players must still get the page
quickly; idle connections are closed after CONNECTION_TIMEOUT_SECONDS; past MAX_CONNECTIONS,
new connections wait in the kernel's backlog until slots free, and the server recovers.

What the server does NOT do yet (SECURITY.md, D2): libmicrohttpd restarts its idle timeout on
every byte, so a connection that drips a header byte every few seconds is never closed. Each
costs a file descriptor and its 36 KiB memory pool; MAX_CONNECTIONS (4,096) of them lock
players out. The last test states what is needed (a cap on the total time to receive a
request's headers and body) and is expected to fail until the server has it."""

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest

from demo.stack import http_get

HERE = Path(__file__).resolve().parent


class Slowloris:
    """tests/reliability/slowloris.py in a process of its own."""

    def __init__(self, port: int, count: int, mode: str, drip: float, seconds: float):
        self.proc = subprocess.Popen(
            [sys.executable, str(HERE / "slowloris.py"), str(port), str(count), mode,
             str(drip), str(seconds)], stdout=subprocess.PIPE, text=True,
            start_new_session=True)
        self.reports: list[dict] = []

    def wait_open(self, count: int, timeout: float = 30) -> dict:
        """Reads progress lines until `count` connections are open (or settled)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            self.reports.append(json.loads(line))
            last = self.reports[-1]
            if last["open"] + last["closed"] + last["refused"] >= count:
                return last
        raise TimeoutError(f"slowloris never opened {count} connections: {self.reports[-3:]}")

    def finish(self, timeout: float = 60) -> dict:
        out, _ = self.proc.communicate(timeout=timeout)
        self.reports += [json.loads(line) for line in out.splitlines() if line]
        return self.reports[-1]

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.communicate()


@pytest.fixture
def slowloris():
    started = []

    def start(*args) -> Slowloris:
        attack = Slowloris(*args)
        started.append(attack)
        return attack

    yield start
    for attack in started:
        attack.kill()


def page_times(url: str, seconds: float, interval: float = 0.2) -> list[float]:
    """Fetches the game page (a fresh connection each time) for `seconds`; the durations.
    Every fetch must succeed."""
    times = []
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        t0 = time.monotonic()
        status, body = http_get(url + "/", timeout=5)
        times.append(time.monotonic() - t0)
        assert status == 200 and b"<html" in body.lower(), f"the page answered {status}"
        time.sleep(interval)
    return times


def open_fds(server) -> int:
    return len(list(Path(f"/proc/{server.proc.pid}/fd").iterdir()))


@pytest.mark.slow
def test_players_get_the_page_quickly_beside_1000_slow_connections(make_ferret, make_server,
                                                                    slowloris):
    server = make_server(make_ferret(), {"CONNECTION_TIMEOUT_SECONDS": "5"})
    idle_rss = server.rss_kib()
    attack = slowloris(server.port, 1000, "drip", 1.0, 14)
    state = attack.wait_open(1000)
    assert state["refused"] == 0, state
    time.sleep(1)
    held_rss, fds = server.rss_kib(), open_fds(server)
    times = page_times(server.url, 8)
    status, _ = http_get(server.url + "/highscores/list")
    assert status == 200, "the API is not answering beside the slow connections"
    final = attack.finish()
    median, worst = statistics.median(times), max(times)
    print(f"\n1,000 connections dripping a header byte a second: {fds} fds, RSS {idle_rss} -> "
          f"{held_rss} KiB; page median {median * 1000:.1f} ms, max {worst * 1000:.1f} ms over "
          f"{len(times)} fetches; after 14 s the server had closed {final['closed']} of them")
    assert fds >= 1000, "the connections were not all held by the server"
    assert median < 0.05 and worst < 1.0
    assert server.running()


@pytest.mark.slow
def test_idle_connections_are_closed_after_the_timeout(make_ferret, make_server, slowloris):
    server = make_server(make_ferret(), {"CONNECTION_TIMEOUT_SECONDS": "2"})
    attack = slowloris(server.port, 1000, "idle", 1.0, 8)
    attack.wait_open(1000)
    times = page_times(server.url, 2)
    final = attack.finish()
    closed_by = next((r["t"] for r in attack.reports if r["closed"] >= 1000), None)
    print(f"\nidle: 1,000 connections all closed by the server {closed_by} s after they "
          f"opened; page max {max(times) * 1000:.1f} ms")
    assert final["closed"] == 1000, final
    assert closed_by is not None and closed_by <= 2 + 3
    assert open_fds(server) < 50


@pytest.mark.slow
def test_connections_past_the_limit_wait_and_the_server_recovers(make_ferret, make_server,
                                                                 slowloris):
    """MAX_CONNECTIONS=200 and 400 idle connections: the server holds 200; libmicrohttpd stops
    accepting, so the rest (and a player behind them) wait in the kernel's listen backlog, not
    refused, until idle connections time out and free their slots."""
    timeout = 3
    server = make_server(make_ferret(), {"MAX_CONNECTIONS": "200", "HTTP_THREADS": "2",
                                         "CONNECTION_TIMEOUT_SECONDS": str(timeout)})
    base = open_fds(server)
    attack = slowloris(server.port, 400, "idle", 1.0, 3 * timeout + 2)
    attack.wait_open(400)
    time.sleep(1)
    held = open_fds(server) - base
    started = time.monotonic()
    status, body = http_get(server.url + "/", timeout=3 * timeout + 2)
    waited = time.monotonic() - started
    peak = max(held, open_fds(server) - base)
    final = attack.finish()
    print(f"\nlimit 200: the server held {held} of 400 connections; a player behind them "
          f"waited {waited:.1f} s for the page ({status}); idle ones time out after {timeout} s")
    assert held <= 200 and peak <= 201, f"{peak} connections held past MAX_CONNECTIONS=200"
    assert status == 200, "the player was never served once slots freed"
    assert waited < 2 * timeout + 3
    assert final["refused"] == 0 and final["closed"] >= 395, final
    assert server.running()
    assert max(page_times(server.url, 1)) < 1.0


@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason="no cap on the total time to receive a request "
                   "(SECURITY.md, D2): a connection that drips a byte a second lives for ever")
def test_a_dripping_connection_is_cut_after_a_total_time(make_ferret, make_server, slowloris):
    """With CONNECTION_TIMEOUT_SECONDS=2, a request whose headers (or body) have not arrived
    whole after 12 s is being sent slowly on purpose: the server must close it (with a 408
    or without an answer). 10 connections drip header bytes, 10 drip body bytes."""
    server = make_server(make_ferret(), {"CONNECTION_TIMEOUT_SECONDS": "2"})
    headers = slowloris(server.port, 10, "drip", 1.0, 12)
    bodies = slowloris(server.port, 10, "body", 1.0, 12)
    closed = {"headers": headers.finish()["closed"], "bodies": bodies.finish()["closed"]}
    assert closed == {"headers": 10, "bodies": 10}, f"after 12 s the server had closed {closed}"
