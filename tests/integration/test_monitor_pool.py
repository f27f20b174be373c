"""A database whose writes hang while it still answers pings (lock contention: here an exclusive
SQLite transaction held under FerretDB) cannot starve the database monitor of a connection.

Every thread that can hold a pooled client at once has one: each database worker, the monitor
and player expiry. With a pool one short, the worker stuck on a write and the expiry round
stuck on its delete held every client, and the monitor's ping waited in the pool for the
socket timeout (10 s) instead of finding the database up again."""

import datetime
import sqlite3
import time

import pymongo
import requests

TIMEOUT_MS = 1000


def readyz_database(srv) -> str:
    return requests.get(srv.url + "/readyz", timeout=5).json()["database"]


def test_a_hung_database_cannot_starve_the_monitor(make_ferret, make_server):
    ferret = make_ferret()
    srv = make_server({"MONGO_URI": ferret.uri("starve"), "DB_WORKERS": "1",
                       "MONGO_TIMEOUT_MS": str(TIMEOUT_MS),
                       "PLAYER_TTL_SECONDS": "10"})  # an expiry round every second
    assert requests.get(srv.url + "/user/id", timeout=5).status_code == 200
    time.sleep(1.5)  # the expiry round has run: every thread has used a pooled client

    # A player long gone, so that the next expiry round has something to delete: a write.
    with pymongo.MongoClient(ferret.uri()) as client:
        client.starve.userstats.insert_one(
            {"lastUpdate": datetime.datetime.now(datetime.timezone.utc)
             - datetime.timedelta(hours=1)})
    lock = sqlite3.connect(str(ferret.data_dir / "starve.sqlite"), isolation_level=None)
    lock.execute("BEGIN EXCLUSIVE")  # FerretDB's writes now wait; its pings still answer
    try:
        time.sleep(1.5)  # the expiry round's delete is stuck, holding a client
        started = time.monotonic()
        reply = requests.get(srv.url + "/user/id", timeout=30)  # the worker's insert sticks too
        assert reply.status_code == 503 and "did not answer in time" in reply.json()["error"], \
            reply.text
        assert time.monotonic() - started < TIMEOUT_MS / 1000 + 1.5
        # The expiry marked the database away; the monitor must find it answering pings again.
        marked = time.monotonic()
        while readyz_database(srv) != "up":
            assert time.monotonic() - marked < 3, \
                f"the monitor did not ping within 3 s: starved of a client?\n{srv.log()[-2000:]}"
            time.sleep(0.05)
        print(f"\nmonitor found the database up {time.monotonic() - marked:.2f} s after the 503")
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    deadline = time.monotonic() + 15
    while requests.get(srv.url + "/user/id", timeout=15).status_code != 200:
        assert time.monotonic() < deadline, srv.log()[-2000:]
        time.sleep(0.2)
    assert srv.running()
