"""GET /cluster: the replica set as the server's driver monitors it, and the web pods alive now,
against the real binary and a real FerretDB (a one-member replica set, rs0, locally).

The member is killed and started again (UNREACHABLE within about a second, PRIMARY again, the
events in the order they happened); several replicas on one database list each other and drop
a replica on SIGTERM at once, and one killed without SIGTERM after the live window; the route
answers from memory while the database hangs (SIGSTOP) or was never there."""

import datetime
import json
import re
import signal
import socket
import time

import pymongo
import pytest

from harness import wait_for
from support import Api, assert_json_error, assert_security_headers, timed
from test_faults import api_calls_in_flight

TIMEOUT_MS = 1000
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
MEMORY_BUDGET = 0.1     # seconds for one /cluster while the database hangs (it never waits)
UNREACHABLE_WITHIN = 2  # seconds from kill -9 to UNREACHABLE (make bench: 0.14-0.92 s)
BEAT = 2                # WEB_PODS_BEAT_MS
LIVE = 6                # WEB_PODS_LIVE_MS


def cluster(api) -> dict:
    response = api.get("/cluster")
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    return response.json()


def parse_time(text: str) -> datetime.datetime:
    assert ISO.match(text), text
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def member(api, host: str) -> dict | None:
    return next((m for m in cluster(api)["database"]["members"] if m["host"] == host), None)


def wait_state(api, host: str, state: str, timeout: float) -> float:
    """Seconds until the member is in `state` (polled every 50 ms)."""
    start = time.monotonic()
    wait_for(lambda: (member(api, host) or {}).get("state") == state, timeout,
             f"{host} to be {state}: {cluster(api)['database']}")
    return time.monotonic() - start


def events_oldest_first(api) -> list[dict]:
    return list(reversed(cluster(api)["database"]["events"]))


def pod_ids(api) -> set[str]:
    return {p["id"] for p in cluster(api)["web"]["pods"]}


def metric(api, name: str, **labels) -> float | None:
    wanted = ",".join(f'{k}="{v}"' for k, v in labels.items())
    line = f"{name}{{{wanted}}}" if labels else name
    for row in api.get("/metrics").text.splitlines():
        if row.startswith(line + " "):
            return float(row.split()[-1])
    return None


@pytest.fixture
def stack(make_ferret, make_server):
    """A private database the test may kill, and a server on it that fails fast."""
    ferret = make_ferret()
    srv = make_server({"MONGO_URI": ferret.uri("pacman"), "MONGO_TIMEOUT_MS": str(TIMEOUT_MS)})
    api = Api(srv.url)
    wait_state(api, ferret.address, "PRIMARY", 10)
    return ferret, srv, api


# ---- the shape ----

def test_cluster_shape(server, ferret, api):
    wait_state(api, ferret.address, "PRIMARY", 10)
    body = cluster(api)
    assert set(body) == {"now", "database", "web"}
    parse_time(body["now"])

    database = body["database"]
    assert database["replicaSet"] == "rs0"
    assert database["primary"] == ferret.address
    assert database["noPrimarySeconds"] is None
    assert len(database["members"]) == 1  # FerretDB: a one-member set
    only = database["members"][0]
    assert set(only) == {"host", "name", "state", "rttMs", "since"}
    assert only["host"] == ferret.address and only["name"] == ferret.address
    assert only["state"] == "PRIMARY"
    assert isinstance(only["rttMs"], (int, float)) and 0 <= only["rttMs"] < 1000
    assert parse_time(only["since"]) <= parse_time(body["now"])

    events = database["events"]
    assert 1 <= len(events) <= 50
    for event in events:
        assert set(event) == {"at", "kind", "text", "member"}
        parse_time(event["at"])
        assert re.fullmatch(r"[a-z_]+", event["kind"]) and event["text"]
    times = [parse_time(e["at"]) for e in events]
    assert times == sorted(times, reverse=True), "events are newest first"
    assert any(e["kind"] == "primary_found" and e["text"] == f"{ferret.address} is primary"
               for e in events), events

    web = body["web"]
    assert set(web) == {"self", "selfId", "asOf", "pods"}
    assert web["self"] == socket.gethostname()[:64]
    assert web["selfId"] == f"{web['self']}:{server.port}"
    mine = [p for p in web["pods"] if p["id"] == web["selfId"]]
    assert len(mine) == 1, web
    assert set(mine[0]) == {"id", "host", "port", "zone", "started", "lastSeen"}
    assert mine[0]["host"] == web["self"] and mine[0]["port"] == server.port
    assert mine[0]["zone"] == "unknown"  # not in a pod: no node to read
    assert parse_time(mine[0]["started"]) <= parse_time(mine[0]["lastSeen"])
    wait_for(lambda: cluster(api)["web"]["asOf"], 10, "the pod list to be read once")
    parse_time(cluster(api)["web"]["asOf"])


def test_cluster_methods_and_headers(api):
    head = api.request("HEAD", "/cluster")
    assert head.status_code == 200 and head.content == b""
    response = api.get("/cluster")
    assert response.headers.get("Cache-Control") == "no-store"
    assert_security_headers(response.headers)
    refused = api.post_json("/cluster", {"database": "mine"})
    assert_json_error(refused, 405)
    assert refused.headers["Allow"] == "GET, HEAD"
    assert cluster(api)["database"]["replicaSet"] == "rs0"  # nothing changed


def test_cluster_metrics(server, ferret, api):
    wait_state(api, ferret.address, "PRIMARY", 10)
    assert metric(api, "pacman_database_member_state", member=ferret.address,
                  state="PRIMARY") == 1
    assert metric(api, "pacman_database_member_state", member=ferret.address,
                  state="UNREACHABLE") == 0
    assert metric(api, "pacman_database_primary_changes_total") == 0
    assert metric(api, "pacman_database_no_primary_seconds") == 0
    assert metric(api, "pacman_web_pods") >= 1


def test_cluster_body_is_made_once_and_served_to_every_poll(server, ferret, api):
    """Every open page polls /cluster: the body is made once and its bytes served until what
    it shows changes, or for at most CLUSTER_CACHE_MS (1 s). Before, every request made it
    anew (no cache, no such metric)."""
    wait_state(api, ferret.address, "PRIMARY", 10)
    hits = metric(api, "pacman_cluster_cache_hits_total")
    assert hits is not None, "no pacman_cluster_cache_hits_total in /metrics"
    started = time.monotonic()
    bodies = [api.get("/cluster").content for _ in range(30)]
    seconds = time.monotonic() - started
    distinct = len(set(bodies))
    assert distinct <= seconds / 1.0 + 2, f"{distinct} different bodies in {seconds:.2f} s"
    assert metric(api, "pacman_cluster_cache_hits_total") - hits >= 30 - distinct
    # served bytes are still the current view: "now" is at most the cache's age behind
    now = parse_time(json.loads(bodies[-1])["now"])
    assert datetime.datetime.now(datetime.timezone.utc) - now < datetime.timedelta(seconds=2)


# ---- the member killed and started again ----

def test_member_down_and_back_with_events_in_order(stack):
    ferret, srv, api = stack
    host = ferret.address
    seen = len(cluster(api)["database"]["events"])

    ferret.kill()
    took = wait_state(api, host, "UNREACHABLE", UNREACHABLE_WITHIN + 2)
    print(f"\nUNREACHABLE {took:.2f} s after kill -9")
    assert took <= UNREACHABLE_WITHIN, f"UNREACHABLE only {took:.2f} s after the kill"
    down = cluster(api)["database"]
    assert down["primary"] is None
    assert down["noPrimarySeconds"] is not None and down["noPrimarySeconds"] >= 0
    assert metric(api, "pacman_database_member_state", member=host, state="UNREACHABLE") == 1
    assert metric(api, "pacman_database_member_state", member=host, state="PRIMARY") == 0
    outage_started = time.monotonic()

    time.sleep(2)
    ferret.start()
    wait_state(api, host, "PRIMARY", 20)
    outage = time.monotonic() - outage_started
    events = events_oldest_first(api)[seen:]
    kinds = [e["kind"] for e in events]
    assert kinds[:2] in (["member_unreachable", "no_primary"], ["no_primary", "member_unreachable"])
    assert kinds[2:] == ["member_back", "new_primary"], events
    texts = [e["text"] for e in events]
    assert f"{host} unreachable (it was the primary)" in texts
    assert "no primary: writes wait until the set elects one" in texts
    assert texts[2] == f"{host} back as PRIMARY"
    gap = re.fullmatch(re.escape(host) + r" is primary after ([\d.]+) s without one", texts[3])
    assert gap, texts[3]
    assert 1.5 <= float(gap.group(1)) <= outage + 1, (gap.group(1), outage)
    times = [parse_time(e["at"]) for e in events]
    assert times == sorted(times)
    assert all(e["member"] == host for e in events)

    back = cluster(api)["database"]
    assert back["primary"] == host and back["noPrimarySeconds"] is None
    assert metric(api, "pacman_database_primary_changes_total") == 1
    assert 1.5 <= metric(api, "pacman_database_no_primary_seconds") <= outage + 1


# ---- the database hangs or was never there ----

def test_cluster_answers_from_memory_while_the_database_hangs(stack):
    ferret, srv, api = stack
    ferret.pause()
    try:
        with api_calls_in_flight(api, threads=10) as statuses:
            worst = 0.0
            for _ in range(40):
                response, seconds = timed(api.get, "/cluster")
                assert response.status_code == 200
                worst = max(worst, seconds)
            # A hung member answers no heartbeat either: the driver gives up on it after
            # connectTimeoutMS (MONGO_TIMEOUT_MS) and the panel says so.
            wait_state(api, ferret.address, "UNREACHABLE", 10)
        assert statuses and all(s == 503 for s in statuses), set(map(str, statuses))
        assert worst < MEMORY_BUDGET * 3, f"a /cluster took {worst * 1000:.0f} ms"
        response, seconds = timed(api.get, "/cluster")
        assert seconds < MEMORY_BUDGET, f"/cluster took {seconds * 1000:.0f} ms"
        assert response.json()["web"]["selfId"] in {p["id"] for p in response.json()["web"]["pods"]}
    finally:
        ferret.resume()
    wait_state(api, ferret.address, "PRIMARY", 20)


def test_cluster_answers_when_the_database_never_came(make_ferret, make_server):
    ferret = make_ferret(launch=False)
    srv = make_server({"MONGO_URI": ferret.uri("pacman"), "MONGO_TIMEOUT_MS": str(TIMEOUT_MS)})
    api = Api(srv.url)
    wait_state(api, ferret.address, "UNREACHABLE", 5)
    body = cluster(api)
    assert body["database"]["primary"] is None
    assert body["database"]["noPrimarySeconds"] is None  # there never was one to lose
    assert [p["id"] for p in body["web"]["pods"]] == [body["web"]["selfId"]]
    assert body["web"]["asOf"] is None
    assert [e["kind"] for e in body["database"]["events"]] == ["member_unreachable"]

    ferret.start()
    wait_state(api, ferret.address, "PRIMARY", 20)
    kinds = [e["kind"] for e in events_oldest_first(api)]
    assert kinds == ["member_unreachable", "member_back", "primary_found"], kinds
    assert metric(api, "pacman_database_primary_changes_total") == 0


# ---- the web pods ----

def test_web_pods_appear_and_leave_on_sigterm(make_ferret, make_server):
    ferret = make_ferret()
    env = {"MONGO_URI": ferret.uri("pacman"), "SHUTDOWN_DRAIN_SECONDS": "5"}
    servers = [make_server(env) for _ in range(3)]
    apis = [Api(s.url) for s in servers]
    ids = {cluster(a)["web"]["selfId"] for a in apis}
    assert len(ids) == 3, ids
    for a in apis:
        wait_for(lambda a=a: pod_ids(a) == ids, BEAT * 3, f"3 pods listed by {a.base}")
    assert metric(apis[0], "pacman_web_pods") == 3
    for pod in cluster(apis[0])["web"]["pods"]:
        assert pod["lastSeen"] >= pod["started"]

    # SIGTERM: the leaving replica deletes its row at once, while it still drains.
    leaving = cluster(apis[2])["web"]["selfId"]
    servers[2].signal(signal.SIGTERM)
    start = time.monotonic()
    for a in apis[:2]:
        wait_for(lambda a=a: leaving not in pod_ids(a), BEAT + 2, f"{leaving} to leave")
    took = time.monotonic() - start
    print(f"\na replica left the others' lists {took:.2f} s after SIGTERM")
    assert servers[2].running(), "still draining: it was dropped before it stopped serving"
    assert servers[2].wait_exit(20) == 0

    # kill -9: no goodbye; the row ages out of the live window.
    killed = cluster(apis[1])["web"]["selfId"]
    servers[1].proc.kill()
    servers[1].proc.wait()
    time.sleep(BEAT)
    assert killed in pod_ids(apis[0]), "dropped before the live window passed"
    wait_for(lambda: killed not in pod_ids(apis[0]), LIVE + BEAT + 2, f"{killed} to age out")
    assert pod_ids(apis[0]) == {cluster(apis[0])["web"]["selfId"]}
    assert metric(apis[0], "pacman_web_pods") == 1


def test_web_pods_keep_the_last_list_while_the_database_is_away(make_ferret, make_server):
    ferret = make_ferret()
    env = {"MONGO_URI": ferret.uri("pacman"), "MONGO_TIMEOUT_MS": str(TIMEOUT_MS)}
    servers = [make_server(env) for _ in range(2)]
    api = Api(servers[0].url)
    wait_for(lambda: len(pod_ids(api)) == 2, BEAT * 3, "2 pods listed")
    as_of = cluster(api)["web"]["asOf"]
    ferret.kill()
    time.sleep(LIVE + BEAT)
    web = cluster(api)["web"]
    assert len(web["pods"]) == 2, "a database outage is not a web-tier outage"
    assert web["asOf"] is not None and web["asOf"] <= cluster(api)["now"]
    assert parse_time(cluster(api)["now"]) - parse_time(web["asOf"]) >= \
        datetime.timedelta(seconds=LIVE), (as_of, web["asOf"])


def test_web_pods_rows_written_by_hand_are_read_defensively(make_ferret, make_server):
    """Anyone with the game's database user can write webpods rows: wrong types, missing
    fields, text too long or not printable, and far too many rows are read back without harm."""
    ferret = make_ferret()
    srv = make_server({"MONGO_URI": ferret.uri("pacman")})
    api = Api(srv.url)
    wait_for(lambda: cluster(api)["web"]["asOf"], 10, "the pod list to be read once")
    now = datetime.datetime.now(datetime.timezone.utc)
    client = pymongo.MongoClient(ferret.uri("pacman"), serverSelectionTimeoutMS=10000)
    try:
        rows = client["pacman"]["webpods"]
        rows.insert_many([
            {"_id": "html:1", "host": "<img src=x onerror=alert(1)>", "port": 1, "zone": "z",
             "started": now, "lastSeen": now},
            {"_id": "long:1", "host": "h" * 300, "port": 1, "zone": "z", "started": now,
             "lastSeen": now},
            {"_id": "65:1", "host": "é" * 65, "port": 1, "zone": "z", "started": now,
             "lastSeen": now},
            {"_id": "64:1", "host": "é" * 64, "port": 1, "zone": "z", "started": now,
             "lastSeen": now},
            {"_id": "control:1", "host": "bad\u0007bell", "port": 1, "zone": "z\u202e",
             "started": now, "lastSeen": now},
            {"_id": "types:1", "host": 42, "port": "1", "zone": ["z"], "started": "yesterday",
             "lastSeen": now},
            {"_id": "when:1", "host": "h", "port": 1, "zone": "z", "lastSeen": "now"},
            {"_id": 7, "host": "numeric-id", "port": 1, "lastSeen": now},
        ] + [{"_id": f"many-{i:03d}:1", "host": f"many-{i:03d}", "port": 1, "zone": "z",
              "started": now, "lastSeen": now} for i in range(150)])

        def listed():
            return cluster(api)["web"]["pods"]
        wait_for(lambda: any(p["id"] == "html:1" for p in listed()), BEAT * 3, "the rows read")
        pods = {p["id"]: p for p in listed()}
        # what is shown is data, rendered as text by the page; what cannot be read is dropped
        assert pods["html:1"]["host"] == "<img src=x onerror=alert(1)>"
        assert "long:1" not in pods and "types:1" not in pods and "when:1" not in pods
        assert "65:1" not in pods and pods["64:1"]["host"] == "é" * 64  # 64 characters at most
        assert "control:1" not in pods  # a host of control characters reads as none
        assert all(isinstance(p["port"], int) and isinstance(p["zone"], str) for p in pods.values())
        # 100 rows read back (the unreadable ones among them dropped), and this pod
        assert len(pods) <= 101 and sum(i.startswith("many-") for i in pods) >= 90, len(pods)
        assert cluster(api)["web"]["selfId"] in pods
        assert metric(api, "pacman_web_pods") == len(pods)
        assert srv.running()
    finally:
        client.close()
