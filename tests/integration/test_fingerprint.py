"""GET /highscores/fingerprint: the count, the SHA-256 and the newest time of every stored score,
against the real database. The hash is recomputed here from the documents as the server's
definition says (server/store.h, store_fingerprint_scores), so the definition is checked, not
only the server's agreement with itself."""

import datetime
import hashlib
import re
import time
from pathlib import Path

import bson
import pytest
from bson.int64 import Int64
from bson.objectid import ObjectId

from harness import server_binary, wait_for
from support import Api, assert_json_error

EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def fingerprint(api) -> dict:
    response = api.get("/highscores/fingerprint")
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.headers.get("Cache-Control") == "no-store"
    body = response.json()
    assert set(body) == {"count", "sha256", "newest"}, body
    assert re.fullmatch(r"[0-9a-f]{64}", body["sha256"]), body
    assert body["newest"] is None or ISO_UTC.match(body["newest"]), body
    return body


def canonical(value):
    """A document with its fields sorted by name (bytes of UTF-8), in embedded documents too;
    arrays keep their order."""
    if isinstance(value, dict):
        return {key: canonical(value[key]) for key in sorted(value, key=lambda k: k.encode())}
    if isinstance(value, list):
        return [canonical(item) for item in value]
    return value


def expected(db) -> dict:
    """The fingerprint as its definition computes it: SHA-256 over the scores in ascending _id
    order, each as BSON with its fields sorted; the newest score's date (or ObjectId time)."""
    digest = hashlib.sha256()
    count, newest = 0, None
    for doc in db.highscore.find({}).sort("_id", 1):
        digest.update(bson.encode(canonical(doc)))
        count += 1
        if isinstance(doc.get("date"), datetime.datetime):
            at = doc["date"].replace(tzinfo=datetime.timezone.utc)
        elif isinstance(doc["_id"], ObjectId):
            at = doc["_id"].generation_time
        else:
            continue
        newest = at if newest is None or at > newest else newest
    return {"count": count, "sha256": digest.hexdigest(),
            "newest": None if newest is None else iso(newest)}


def iso(when: datetime.datetime) -> str:
    return when.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + \
        f"{when.microsecond // 1000:03d}Z"


def post_score(api, name, score, **extra):
    response = api.post_form("/highscores", {"name": name, "cloud": "c", "zone": "z",
                                             "host": "h", "score": str(score), "level": "1",
                                             **extra})
    assert response.status_code == 200, response.text


def old_app_document(**fields) -> dict:
    """A score as the old Node.js app stored it: text numbers, a text date, more fields."""
    return {"name": "Old Timer", "cloud": "gcp", "zone": "us-east1-b", "host": "pacman-1",
            "score": "2300", "level": "2", "date": "Mon Dec 07 2026 06:55:30 GMT+0000 (UTC)",
            "referer": "http://pacman/", "user_agent": "Mozilla/5.0", "hostname": "pacman-1",
            "ip_addr": "10.0.0.7", **fields}


def test_an_empty_collection(api, db):
    assert fingerprint(api) == {"count": 0, "sha256": EMPTY_SHA256, "newest": None}


def test_the_hash_is_the_documented_one(api, db):
    post_score(api, "Zoë 山田", 120)
    post_score(api, "retry-safe", 240, submissionId="fp-1")
    db.highscore.insert_one(old_app_document())
    db.highscore.insert_one({"_id": "by-hand", "name": "Nested", "score": Int64(7),
                             "extra": {"z": 1, "a": [3, {"y": 2.5, "b": None}], "m": "x"}})
    body = fingerprint(api)
    assert body == expected(db)
    assert body["count"] == 4


def test_unchanged_by_reads_and_by_players(api, db):
    post_score(api, "Blinky", 300)
    post_score(api, "Pinky", 200, submissionId="fp-reads")
    before = fingerprint(api)
    for path in ("/highscores/list", "/user/stats", "/location/metadata", "/cluster",
                 "/metrics", "/highscores/fingerprint"):
        assert api.get(path).status_code == 200, path
    assert api.request("HEAD", "/highscores/fingerprint").status_code == 200
    # players live in another collection: their writes are not scores
    user_id = api.get("/user/id").json()
    assert api.post_form("/user/stats", {"userId": user_id, "score": "10", "level": "1",
                                         "lives": "3", "elapsedTime": "5"}).status_code == 200
    # a retried submission stores nothing new
    post_score(api, "Pinky", 200, submissionId="fp-reads")
    assert fingerprint(api) == before


def test_changed_by_any_new_score(api, db):
    seen = {fingerprint(api)["sha256"]}
    for n, name in enumerate(["Inky", "Clyde", "Inky"]):  # the same score twice is two scores
        post_score(api, name, 100)
        body = fingerprint(api)
        assert body["count"] == n + 1
        assert body["sha256"] not in seen, "a new score left the hash as it was"
        seen.add(body["sha256"])
        newest = max(doc["date"] for doc in db.highscore.find({}))
        assert body["newest"] == iso(newest.replace(tzinfo=datetime.timezone.utc))
        assert body == expected(db)


def test_changed_by_any_changed_field_and_back_when_restored(api, db):
    post_score(api, "Sue", 500)
    post_score(api, "Funky", 400)
    original = fingerprint(api)
    doc = db.highscore.find_one({"name": "Sue"})
    changes = [
        {"$set": {"level": 2}},                    # a value
        {"$set": {"score": Int64(500)}},           # the same number as another type
        {"$set": {"note": "restored by hand"}},    # a field more
        {"$unset": {"host": ""}},                  # a field less
        {"$set": {"name": "Sue "}},                # one character
    ]
    for change in changes:
        db.highscore.update_one({"_id": doc["_id"]}, change)
        changed = fingerprint(api)
        assert changed["sha256"] != original["sha256"], change
        assert changed == expected(db)
        # Deleted and inserted again rather than replaced: FerretDB takes a replacement that
        # is equal in value (500 as int64 and as int32) for no change and keeps the int64.
        db.highscore.delete_one({"_id": doc["_id"]})
        db.highscore.insert_one(doc)
        assert fingerprint(api) == original, f"not back to the original after {change}"
    db.highscore.delete_one({"_id": doc["_id"]})
    removed = fingerprint(api)
    assert removed["count"] == 1 and removed["sha256"] != original["sha256"]
    db.highscore.insert_one(doc)
    assert fingerprint(api) == original


def test_equal_data_equal_hash_whatever_the_order_written(api, db, mongo, ferret, make_server):
    post_score(api, "Pac", 3000)
    post_score(api, "Man", 2000, submissionId="fp-order")
    db.highscore.insert_one(old_app_document())
    original = fingerprint(api)
    # The same documents written to another database backwards, each with its fields backwards
    # (_id first, as MongoDB keeps it), as a restore tool could write them.
    copy_name = f"fp_copy_{int(time.time() * 1000)}"
    copy = mongo[copy_name]
    try:
        for doc in reversed(list(db.highscore.find({}))):
            fields = [key for key in doc if key != "_id"]
            copy.highscore.insert_one({"_id": doc["_id"],
                                       **{key: doc[key] for key in reversed(fields)}})
        first = next(iter(copy.highscore.find({}).sort("_id", -1)))
        assert list(first)[1:] != list(db.highscore.find_one({"_id": first["_id"]}))[1:], \
            "the copy's fields are in the same order: this test would prove nothing"
        other = make_server({"MONGO_URI": ferret.uri(copy_name)})
        assert fingerprint(Api(other.url)) == original
    finally:
        mongo.drop_database(copy_name)


def test_newest_is_the_latest_date_or_object_id_time(api, db):
    early = datetime.datetime(2024, 5, 1, 12, 0, 0, 123000)
    late = datetime.datetime(2025, 1, 2, 3, 4, 5, 678000)
    db.highscore.insert_one({"_id": "no-time", "name": "Undated", "score": 1, "level": 1})
    assert fingerprint(api)["newest"] is None  # neither a date nor an ObjectId
    db.highscore.insert_many([
        {"name": "Early", "score": 1, "level": 1, "date": early},
        {"name": "Late", "score": 2, "level": 1, "date": late},
    ])
    assert fingerprint(api)["newest"] == "2025-01-02T03:04:05.678Z"
    old_id = ObjectId.from_datetime(datetime.datetime(2025, 6, 1, tzinfo=datetime.timezone.utc))
    db.highscore.insert_one(old_app_document(_id=old_id))  # its date is text
    assert fingerprint(api)["newest"] == "2025-06-01T00:00:00.000Z"
    assert fingerprint(api) == expected(db)


def test_head_allow_and_metrics(api, db, server):
    post_score(api, "Head", 10)
    head = api.request("HEAD", "/highscores/fingerprint")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["Content-Type"].startswith("application/json")
    refused = api.post_form("/highscores/fingerprint", {"count": "0"})
    assert_json_error(refused, 405)
    assert refused.headers["Allow"] == "GET, HEAD"
    fingerprint(api)
    metrics = api.get("/metrics").text
    count = re.search(r'^pacman_http_requests_total\{route="highscores_fingerprint",'
                      r'status="200"\} (\d+)$', metrics, re.M)
    assert count and int(count.group(1)) >= 2, "no fingerprint requests in /metrics"
    assert re.search(r'^pacman_http_request_duration_seconds_count\{route="highscores_'
                     r'fingerprint"\} \d+$', metrics, re.M)
    assert re.search(r'^pacman_http_requests_total\{route="highscores_fingerprint",'
                     r'status="405"\} \d+$', metrics, re.M)


def test_read_from_the_primary_whatever_the_connection_string_prefers(ferret, make_server):
    """readPreference=secondary in MONGO_URI: FerretDB has no secondary, so a read that
    followed the connection string would find no server and fail; the fingerprint's reads go
    to the primary."""
    database = f"fp_primary_{int(time.time() * 1000)}"
    srv = make_server({"MONGO_URI": ferret.uri(database) + "&readPreference=secondary",
                       "MONGO_TIMEOUT_MS": "1500"})
    api = Api(srv.url)
    post_score(api, "Primary", 10)
    assert fingerprint(api)["count"] == 1


@pytest.mark.skipif(b"__asan_init" in Path(server_binary()).read_bytes(),
                    reason="AddressSanitizer keeps freed memory in quarantine: the peak RSS of a "
                           "sanitizer build measures that, not what the server holds")
def test_many_scores_are_streamed_not_loaded(make_server, mongo, ferret):
    """2,000 scores of 8 KiB (16 MiB): the server's peak memory grows by a small part of it.
    MONGO_TIMEOUT_MS is the default, 2 s, which FerretDB needs more than to read them all:
    the fingerprint, a read of every score, has a deadline of its own."""
    database = f"fp_many_{int(time.time() * 1000)}"
    server = make_server({"MONGO_URI": ferret.uri(database), "MONGO_TIMEOUT_MS": "2000"})
    api, db = Api(server.url), mongo[database]
    blob = "x" * 8192
    for start in range(0, 2000, 500):
        db.highscore.insert_many([{"name": f"n{i}", "score": i, "level": 1, "pad": blob}
                                  for i in range(start, start + 500)])
    before = peak_rss_kib(server)
    body = fingerprint(api)
    grown = peak_rss_kib(server) - before
    mongo.drop_database(database)
    assert body["count"] == 2000
    assert grown < 6 * 1024, f"peak memory grew by {grown} KiB reading 16 MiB of scores"


def peak_rss_kib(server) -> int:
    with open(f"/proc/{server.proc.pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise AssertionError("no VmHWM")


def test_503_while_the_database_is_away_then_the_same_again(make_ferret, make_server):
    ferret = make_ferret()
    srv = make_server({"MONGO_URI": ferret.uri("pacman"), "MONGO_TIMEOUT_MS": "1000"})
    api = Api(srv.url)
    post_score(api, "Survivor", 900)
    before = fingerprint(api)
    ferret.kill()
    started = time.monotonic()
    assert_json_error(api.get("/highscores/fingerprint"), 503)
    assert time.monotonic() - started < 2.5
    assert api.request("HEAD", "/highscores/fingerprint").status_code == 503
    ferret.start()  # the same data directory: what a restored volume is
    wait_for(lambda: api.get("/highscores/fingerprint").status_code == 200, 20,
             "the fingerprint to answer again")
    assert fingerprint(api) == before
