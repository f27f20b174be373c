"""make bench's "cluster" section: how fast the page's Database panel follows the database.
A private FerretDB (the one-member replica set rs0) is killed with kill -9 and started again
CYCLES times under a server with MONGO_TIMEOUT_MS=1000; each time GET /cluster is polled every
20 ms for the member's state. Prints, and returns, the seconds from the kill to UNREACHABLE and
from the database listening again to PRIMARY: the driver's heartbeat (1 s) and the store's ping
decide them, so they are a figure of the design, little moved by the machine's load."""

import json
import statistics
import time
import urllib.request

from harness import FerretDB, Server, wait_for

CYCLES = 12


def member_state(server: Server) -> str | None:
    with urllib.request.urlopen(server.url + "/cluster", timeout=2) as response:
        members = json.load(response)["database"]["members"]
    return members[0]["state"] if members else None


def figures(seconds: list[float]) -> dict:
    return {"median_s": round(statistics.median(seconds), 2), "min_s": round(min(seconds), 2),
            "max_s": round(max(seconds), 2), "runs_s": [round(s, 2) for s in seconds]}


def run(say, section) -> dict:
    section(f"the Database panel (GET /cluster): kill -9 and restart of the database, "
            f"{CYCLES} times")
    db = FerretDB().start()
    server = Server(env={"MONGO_URI": db.uri("pacman_bench_cluster"),
                         "MONGO_TIMEOUT_MS": "1000"}).start()
    down, up = [], []
    try:
        for cycle in range(CYCLES):
            wait_for(lambda: member_state(server) == "PRIMARY", 20, "PRIMARY", interval=0.02)
            time.sleep(0.3 + (cycle % 4) * 0.27)  # kills at every phase of the 1 s heartbeat
            db.kill()
            killed = time.monotonic()
            wait_for(lambda: member_state(server) == "UNREACHABLE", 10, "UNREACHABLE",
                     interval=0.02)
            down.append(time.monotonic() - killed)
            time.sleep(1)
            db.start()
            listening = time.monotonic()
            wait_for(lambda: member_state(server) == "PRIMARY", 20, "PRIMARY", interval=0.02)
            up.append(time.monotonic() - listening)
    finally:
        server.stop()
        db.cleanup()
    result = {"kill_to_unreachable": figures(down), "listening_to_primary": figures(up)}
    for name, label in (("kill_to_unreachable", "kill -9 -> UNREACHABLE"),
                        ("listening_to_primary", "listening -> PRIMARY")):
        f = result[name]
        say(f"  {label:<24} median {f['median_s']:.2f} s, {f['min_s']:.2f} to {f['max_s']:.2f} s")
    return result
