"""Connections that hold the server's attention without finishing a request (slowloris):
1,000 of them, idle or dripping a byte at a time. Real players must still get the page
quickly; idle connections are closed after CONNECTION_TIMEOUT_SECONDS; a request still
arriving REQUEST_TIMEOUT_SECONDS after its first byte is cut, headers or body; past
MAX_CONNECTIONS, new connections wait in the kernel's backlog until slots free, and the
server recovers."""

import json
import os
import socket
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


def held_connections(server) -> int:
    """The connections the server holds on its own port: its TCP sockets whose local port is
    the server's, the listening one aside. Its connections to the database are not counted:
    the driver's pool opens them as it is used, so a count of all descriptors once read 201
    with 200 clients held and two new ones to FerretDB."""
    sockets = set()
    for fd in Path(f"/proc/{server.proc.pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:  # closed meanwhile
            continue
        if target.startswith("socket:["):
            sockets.add(target[len("socket:["):-1])
    held = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):  # dual stack: IPv4 clients are in tcp6
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()  # local address, remote address, state, ..., inode
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            if fields[9] in sockets and local_port == server.port and fields[3] != "0A":
                held += 1  # 0A: LISTEN
    return held


@pytest.mark.slow
def test_players_get_the_page_quickly_beside_1000_slow_connections(make_ferret, make_server,
                                                                    slowloris):
    server = make_server(make_ferret(), {"CONNECTION_TIMEOUT_SECONDS": "5"})
    idle_rss = server.rss_kib()
    attack = slowloris(server.port, 1000, "drip", 1.0, 14)
    state = attack.wait_open(1000)
    assert state["refused"] == 0, state
    time.sleep(1)
    held_rss, fds, held = server.rss_kib(), open_fds(server), held_connections(server)
    times = page_times(server.url, 8)
    status, _ = http_get(server.url + "/highscores/list")
    assert status == 200, "the API is not answering beside the slow connections"
    final = attack.finish()
    median, worst = statistics.median(times), max(times)
    all_cut = next((r["t"] for r in attack.reports if r["closed"] >= 1000), None)
    print(f"\n1,000 connections dripping a header byte a second: {fds} fds, RSS {idle_rss} -> "
          f"{held_rss} KiB; page median {median * 1000:.1f} ms, max {worst * 1000:.1f} ms over "
          f"{len(times)} fetches; all cut (REQUEST_TIMEOUT_SECONDS=10) {all_cut} s after they "
          f"opened")
    assert held == 1000, f"the server held {held} of the 1,000 connections"
    assert median < 0.05 and worst < 1.0
    assert final["closed"] == 1000 and all_cut is not None and 9.5 <= all_cut <= 13, final
    assert server.running()
    assert open_fds(server) < 50
    time.sleep(0.5)  # the log's flush thread reports what it left out
    warnings = [line for line in server.log().splitlines() if " warn http: " in line]
    dropped = sum(int(line.split(" warn ")[1].split()[0]) for line in server.log().splitlines()
                  if "more warnings like the ones above were not written" in line)
    print(f"log: {len(warnings)} libmicrohttpd warnings written, {dropped} more counted")
    assert len(warnings) <= 10 * 20, "1,000 cut connections flooded the log"
    assert len(warnings) + dropped >= 1000, "the left-out warnings were not counted"


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
    attack = slowloris(server.port, 400, "idle", 1.0, 3 * timeout + 2)
    attack.wait_open(400)
    time.sleep(1)
    held = held_connections(server)
    started = time.monotonic()
    status, body = http_get(server.url + "/", timeout=3 * timeout + 2)
    waited = time.monotonic() - started
    peak = max(held, held_connections(server))
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
def test_a_dripping_connection_is_cut_after_a_total_time(make_ferret, make_server, slowloris):
    """With the default REQUEST_TIMEOUT_SECONDS (10) and CONNECTION_TIMEOUT_SECONDS=2 (which a
    byte a second keeps restarting), a request whose headers or body have not arrived whole
    10 s after its first byte is cut (closed without an answer, as nginx does): 10
    connections drip header bytes, 10 drip body bytes; all are closed within 12.5 s."""
    server = make_server(make_ferret(), {"CONNECTION_TIMEOUT_SECONDS": "2"})
    headers = slowloris(server.port, 10, "drip", 1.0, 12.5)
    bodies = slowloris(server.port, 10, "body", 1.0, 12.5)
    head_final, body_final = headers.finish(), bodies.finish()
    closed = {"headers": head_final["closed"], "bodies": body_final["closed"]}
    first_cut = {name: next((r["t"] for r in attack.reports if r["closed"]), None)
                 for name, attack in (("headers", headers), ("bodies", bodies))}
    print(f"\ndripping a byte a second: closed {closed} of 10 + 10, the first after "
          f"{first_cut} s")
    assert closed == {"headers": 10, "bodies": 10}, f"after 12.5 s the server had closed {closed}"
    assert all(t is not None and t >= 9.5 for t in first_cut.values()), \
        f"cut before the 10 s deadline: {first_cut}"
    assert server.running()
    _, metrics = http_get(server.url + "/metrics")
    assert b"pacman_http_slow_requests_closed_total 20\n" in metrics, \
        "the cut connections are not counted in /metrics"
    log = server.log()
    assert "whose request took more than 10000 ms to arrive" in log
    assert log.count("POST /highscores 408") == 10, \
        "the body drippers' requests are not logged as 408"


def test_idle_keep_alive_connections_are_left_to_the_idle_timeout(make_ferret, make_server):
    """The deadline times requests, not connections: a keep-alive connection that answered a
    request and then sends nothing for longer than REQUEST_TIMEOUT_SECONDS is still usable
    (until CONNECTION_TIMEOUT_SECONDS), and a request that arrives slowly but within the
    deadline is answered."""
    server = make_server(make_ferret(), {"REQUEST_TIMEOUT_SECONDS": "1",
                                         "CONNECTION_TIMEOUT_SECONDS": "10"})
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        request = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
        for _ in range(3):
            sock.sendall(request)
            assert read_response(sock).startswith(b"HTTP/1.1 200"), "keep-alive request failed"
            time.sleep(2.5)  # idle for 2.5 deadlines
        for byte in request:  # 0.6 s in all: slow, but within the 1 s deadline
            sock.sendall(bytes([byte]))
            time.sleep(0.6 / len(request))
        assert read_response(sock).startswith(b"HTTP/1.1 200"), "slow in-time request failed"
        time.sleep(0.5)  # a client coming back to its connection with half a request
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHo")  # then nothing more: past the deadline
        started = time.monotonic()
        assert sock.recv(4096) == b"", "the half-sent request was answered"
        cut_after = time.monotonic() - started
    print(f"\na half-sent request was cut {cut_after:.2f} s after its first bytes "
          f"(REQUEST_TIMEOUT_SECONDS=1, idle timeout 10 s)")
    assert 0.9 <= cut_after <= 2.0


def read_response(sock: socket.socket) -> bytes:
    """Reads one response with a Content-Length body."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        assert chunk, f"connection closed mid-response: {data!r}"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(next(line.split(b":")[1] for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length:")))
    while len(body) < length:
        body += sock.recv(4096)
    return data
