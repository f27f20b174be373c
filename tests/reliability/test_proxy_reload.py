"""The harness's proxy (tests/demo/stack.py's Nginx) changes its replicas by a graceful reload.
The rolling restart and the demo rehearsal count every request that fails as the server's
fault, so a reload must drop no client request by itself: keep-alive clients, as players.py
runs them, hammer two healthy replicas while the backend set changes 60 times, and every request
must be answered, logged once by nginx and once by a replica. With client keep-alive through
nginx (the harness until it set keepalive_timeout 0) dozens fail per run, with "Remote end closed
connection without response" or "Connection reset by peer", the failures the two suites saw."""

import re
import threading
import time

import pytest
import requests

from demo.stack import Nginx
from harness import Server, free_port

RELOADS = 60
CLIENTS = 8
REQUEST_LINE = re.compile(r" (GET /favicon\.svg|POST /user/stats) \d{3} ")


def keep_alive_client(base: str, stop: threading.Event, records: list, lock: threading.Lock):
    """One session reused for every request (as players.py does); a new one after an error."""
    session = requests.Session()
    sent = 0
    while not stop.is_set():
        sent += 1
        record = {"p": "/favicon.svg" if sent % 2 else "/user/stats", "s": 0}
        try:
            if sent % 2:
                response = session.get(base + "/favicon.svg", timeout=10)
            else:  # answered 400 by the replica itself, after reading the body: no database
                response = session.post(base + "/user/stats", data={"userId": "x"}, timeout=10)
            record["s"] = response.status_code
        except requests.RequestException as error:
            record["e"] = f"{type(error).__name__}: {str(error)[:160]}"
            session.close()
            session = requests.Session()
        with lock:
            records.append(record)
        stop.wait(0.002)


@pytest.mark.slow
def test_reloading_the_proxy_drops_no_client_request(tmp_path):
    nowhere = f"mongodb://127.0.0.1:{free_port()}/reload"  # static files need no database
    replicas = [Server(env={"MONGO_URI": nowhere}, log_path=tmp_path / f"pacman{i}.log")
                for i in range(2)]
    nginx = Nginx(tmp_path)
    stop, lock, records = threading.Event(), threading.Lock(), []
    clients = [threading.Thread(target=keep_alive_client, args=(nginx.url, stop, records, lock))
               for _ in range(CLIENTS)]
    try:
        for server in replicas:
            server.start()
        nginx.start([server.port for server in replicas])
        for client in clients:
            client.start()
        time.sleep(0.3)
        sets = [[replicas[0].port], [replicas[1].port], [s.port for s in replicas]]
        for reload in range(RELOADS):
            nginx.set_backends(sets[reload % len(sets)])
            time.sleep(0.05)
        time.sleep(0.3)
    finally:
        stop.set()
        for client in clients:
            client.join(15)
        nginx.stop()
        for server in replicas:
            server.stop()

    unanswered = [r for r in records if r["s"] == 0]
    wrong = [r for r in records if r["s"] != {"/favicon.svg": 200, "/user/stats": 400}[r["p"]]]
    assert not unanswered, (f"{len(unanswered)} of {len(records)} requests got no answer over "
                            f"{RELOADS} reloads: {unanswered[:3]}")
    assert not wrong, f"{len(wrong)} of {len(records)} wrong answers: {wrong[:3]}"
    assert len(records) > 20 * RELOADS, f"only {len(records)} requests: the load did not run"
    access = (nginx.dir / "logs" / "access.log").read_text().splitlines()
    proxied = [line for line in access if "/__generation" not in line]
    served = sum(len(REQUEST_LINE.findall(server.log())) for server in replicas)
    assert len(proxied) == len(records) == served, (
        f"{len(records)} requests made, {len(proxied)} in nginx's access log, {served} in the "
        "replicas' logs: each must pass nginx and reach a replica exactly once")
