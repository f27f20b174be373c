#!/usr/bin/env python3
"""Records the GET /cluster answers (and fingerprints) a page would read through the local
rehearsal (tests/demo/stack.py: FerretDB, web replicas behind nginx) while the walkthrough's
local steps happen: two replicas, scaled to ten, the database killed and started again, the
tier scaled back to two. Writes tests/unit-js/lesson-recorded-rehearsal.json, which
lesson-recorded.test.js feeds to the lesson's logic. Run it again when /cluster changes:

    build/venv/bin/python tests/unit-js/lesson-record.py

Each record: {"t": browser ms, "cluster": answer} or {"t", "fingerprint": answer or null},
plus {"t", "mark": what was done then}."""

import json
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE.parent / "demo")]

from harness import FerretDB  # noqa: E402
from stack import WebTier, http_get  # noqa: E402

OUT = HERE / "lesson-recorded-rehearsal.json"


def main():
    work = Path(tempfile.mkdtemp(prefix="pacman-lesson-record-"))
    db = FerretDB(work / "db").start()
    tier = WebTier(work, db.uri("lesson"), env={"MONGO_TIMEOUT_MS": "1500"}).start(2)
    records, stop = [], threading.Event()

    def now():
        return int(time.time() * 1000)

    def poll():
        while not stop.wait(1.0):
            status, body = http_get(tier.nginx.url + "/cluster")
            if status == 200:
                records.append({"t": now(), "cluster": json.loads(body)})
            status, body = http_get(tier.nginx.url + "/highscores/fingerprint")
            if status in (200, 503):
                records.append({"t": now(), "fingerprint": json.loads(body) if status == 200 else None})

    def mark(text):
        records.append({"t": now(), "mark": text})
        print(text, flush=True)

    poller = threading.Thread(target=poll, daemon=True)
    try:
        for score in (2710, 1990):
            urllib.request.urlopen(urllib.request.Request(
                tier.nginx.url + "/highscores", method="POST",
                data=f"name=ada&cloud=unknown&zone=unknown&host=vm&score={score}&level=1".encode()), timeout=5)
        poller.start()
        time.sleep(6)
        mark("scale to ten")
        tier.add(8)
        time.sleep(8)
        mark("kill the database")
        db.kill()
        time.sleep(12)
        mark("start the database")
        db.start()
        time.sleep(12)
        mark("scale to two")
        tier.remove(list(tier.replicas)[2:], wait=True)
        time.sleep(6)
        mark("done")
    finally:
        stop.set()
        poller.join(5) if poller.is_alive() else None
        tier.close()
        db.cleanup()
    OUT.write_text(json.dumps(records, indent=None, separators=(",", ":")) + "\n")
    print(f"{len(records)} records -> {OUT}")


if __name__ == "__main__":
    main()
