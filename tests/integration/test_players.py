"""The players (the old client's /user/ routes): GET /user/id, POST /user/stats and GET
/user/stats, the live-stats flow of the old client."""

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

from bson import ObjectId

from support import OBJECT_ID, Api, assert_json_error, snapshot


def new_player(api) -> str:
    response = api.get("/user/id")
    assert response.status_code == 200, response.text
    return response.json()


def report(api, user_id, host="pod-1", score=100, level=1, lives=3, elapsed=10, **extra):
    """One live-stats update exactly as the old client sends it (form, numbers as strings)."""
    fields = {"userId": user_id, "cloud": "aws", "zone": "us-east-1a", "host": host,
              "score": str(score), "level": str(level), "lives": str(lives),
              "elapsedTime": str(elapsed), **extra}
    response = api.post_form("/user/stats", fields)
    assert response.status_code == 200, response.text
    return response


def test_user_id_is_a_json_string_of_24_hex_digits(api, db):
    response = api.get("/user/id")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    user_id = response.json()
    assert isinstance(user_id, str) and OBJECT_ID.match(user_id), response.text


def test_user_id_creates_a_player_document(api, db):
    user_id = new_player(api)
    assert db.userstats.count_documents({"_id": ObjectId(user_id)}) == 1


def test_every_user_id_is_new(api, db):
    ids = {new_player(api) for _ in range(10)}
    assert len(ids) == 10
    assert db.userstats.count_documents({}) == 10


def test_players_without_stats_are_not_listed(api, db):
    new_player(api)
    new_player(api)
    response = api.get("/user/stats")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json() == []


def test_stats_update_answers_success_and_sets_the_fields(api, db):
    user_id = new_player(api)
    response = report(api, user_id, host="pod-7", score=2500, level=3, lives=2, elapsed=95)
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json() == {"rs": "success"}
    doc = db.userstats.find_one({"_id": ObjectId(user_id)})
    assert {k: doc.get(k) for k in ("cloud", "zone", "host", "score", "level", "lives",
                                    "elapsedTime", "updateCounter")} == \
        {"cloud": "aws", "zone": "us-east-1a", "host": "pod-7", "score": 2500, "level": 3,
         "lives": 2, "elapsedTime": 95, "updateCounter": 1}


def test_stats_list_shows_the_reported_values(api, db):
    user_id = new_player(api)
    report(api, user_id, host="pod-7", score=2500, level=3, lives=2, elapsed=95)
    assert api.get("/user/stats").json() == [
        {"cloud": "aws", "zone": "us-east-1a", "host": "pod-7", "score": 2500, "level": 3,
         "lives": 2, "et": 95, "txncount": 1}]


def test_each_update_counts_and_overwrites(api, db):
    user_id = new_player(api)
    for i in range(1, 4):
        report(api, user_id, score=100 * i, lives=3 - i + 1, elapsed=10 * i)
    doc = db.userstats.find_one({"_id": ObjectId(user_id)})
    assert (doc["updateCounter"], doc["score"], doc["lives"], doc["elapsedTime"]) == \
        (3, 300, 1, 30)
    [entry] = api.get("/user/stats").json()
    assert (entry["txncount"], entry["score"], entry["et"]) == (3, 300, 30)


def test_json_stats_update(api, db):
    user_id = new_player(api)
    response = api.post_json("/user/stats", {
        "userId": user_id, "cloud": "gcp", "zone": "europe-west1-b", "host": "h",
        "score": 40, "level": "2", "lives": 1, "elapsedTime": "33"})
    assert response.status_code == 200, response.text
    assert response.json() == {"rs": "success"}
    doc = db.userstats.find_one({"_id": ObjectId(user_id)})
    assert (doc["score"], doc["level"], doc["lives"], doc["elapsedTime"], doc["updateCounter"]) \
        == (40, 2, 1, 33, 1)


def test_zero_lives_and_zero_time_are_valid(api, db):
    user_id = new_player(api)
    report(api, user_id, score=0, lives=0, elapsed=0)
    assert api.get("/user/stats").json()[0]["lives"] == 0


def test_unknown_but_well_formed_player_is_404_and_creates_nothing(api, db):
    new_player(api)
    before = snapshot(db)
    response = api.post_form("/user/stats", {
        "userId": "0123456789abcdef01234567", "cloud": "c", "zone": "z", "host": "h",
        "score": "1", "level": "1", "lives": "1", "elapsedTime": "1"})
    assert_json_error(response, 404)
    assert snapshot(db) == before
    assert db.userstats.count_documents({}) == 1


def test_concurrent_updates_of_many_players_are_all_counted(api, db):
    """Twenty players reporting at once, three updates each.

    Each player's own updates go one after another: FerretDB 1.x applies an update as
    read-modify-write, so concurrent $inc on ONE document lose counts there (checked with
    pymongo alone: 20 concurrent $inc left 5). MongoDB's $inc is atomic; the server relies on
    it, and this suite cannot check that part against FerretDB.
    """
    players = [new_player(api) for _ in range(20)]

    def play(user_id):
        return [api.post_form("/user/stats", {
            "userId": user_id, "cloud": "c", "zone": "z", "host": "h", "score": str(n),
            "level": "1", "lives": "3", "elapsedTime": str(n)}).status_code for n in range(3)]

    with ThreadPoolExecutor(20) as pool:
        statuses = list(pool.map(play, players))
    assert statuses == [[200, 200, 200]] * 20
    for user_id in players:
        doc = db.userstats.find_one({"_id": ObjectId(user_id)})
        assert (doc["updateCounter"], doc["score"]) == (3, 2), doc


def test_most_recent_reporter_first(api, db):
    players = {name: new_player(api) for name in ("a", "b", "c")}
    for name in ("a", "b", "c"):
        report(api, players[name], host=name)
        time.sleep(0.02)
    assert [e["host"] for e in api.get("/user/stats").json()] == ["c", "b", "a"]
    report(api, players["a"], host="a")
    assert [e["host"] for e in api.get("/user/stats").json()] == ["a", "c", "b"]


def test_stats_list_is_bounded_to_the_hundred_most_recent(api, db):
    for i in range(105):
        report(api, new_player(api), host=f"h{i:03d}")
        if i < 5:
            time.sleep(0.01)  # the five oldest are clearly older than the rest
    entries = api.get("/user/stats").json()
    assert len(entries) == 100
    hosts = {e["host"] for e in entries}
    assert not hosts & {f"h{i:03d}" for i in range(5)}, "the oldest reporters were listed"
    assert entries[0]["host"] == "h104"


# ---- players the old Node.js server created ----

def test_players_created_by_the_old_server(api, db):
    """routes/user.js inserted {date} for a new id and $set the stats with updateCounter."""
    date = "Tue Mar 05 2019 10:11:12 GMT+0000 (Coordinated Universal Time)"
    only_id = db.userstats.insert_one({"date": date}).inserted_id
    with_stats = db.userstats.insert_one({
        "date": date, "cloud": "aws", "zone": "us-east-1a", "host": "old-pod", "score": 900,
        "level": 4, "lives": 1, "elapsedTime": 321, "referer": "http://pacman/",
        "user_agent": "Mozilla/5.0", "hostname": "pacman", "ip_addr": "::1",
        "updateCounter": 7}).inserted_id
    response = api.get("/user/stats")
    assert response.status_code == 200, response.text
    assert response.json() == [{"cloud": "aws", "zone": "us-east-1a", "host": "old-pod",
                                "score": 900, "level": 4, "lives": 1, "et": 321,
                                "txncount": 7}]
    report(api, str(with_stats), host="new-pod", score=950)
    report(api, str(only_id), host="first-report", score=10)
    assert db.userstats.find_one({"_id": with_stats})["updateCounter"] == 8
    assert db.userstats.find_one({"_id": only_id})["updateCounter"] == 1
    assert [e["host"] for e in api.get("/user/stats").json()] == ["first-report", "new-pod"]


# ---- the per-replica cache of the live players ----

def metric(api, name) -> float:
    """The value of an unlabelled sample in /metrics."""
    for line in api.get("/metrics").text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    raise AssertionError(f"{name} is not in /metrics")


def database_reads(api) -> dict:
    return {key: metric(api, f"pacman_{key}") for key in (
        "players_cache_hits_total", "players_cache_misses_total",
        "database_operations_total")}


def other_replicas_report(database, host):
    """A stats report stored by another replica: straight into the database."""
    database.userstats.insert_one({
        "cloud": "gcp", "zone": "europe-west1-b", "host": host, "score": 70, "level": 1,
        "lives": 2, "elapsedTime": 12, "updateCounter": 1})


def cached_server(make_server, mongo, cache_ms: str):
    """A server of its own on a database of its own, with HIGHSCORES_CACHE_MS=cache_ms."""
    name = f"stats_cache_{time.time_ns()}"
    return Api(make_server({"HIGHSCORES_CACHE_MS": cache_ms}, database=name).url), mongo[name]


def test_a_second_list_within_the_cache_age_does_not_reach_the_database(make_server, mongo):
    api, database = cached_server(make_server, mongo, "60000")
    assert api.get("/user/stats").json() == []
    other_replicas_report(database, "elsewhere")
    before = database_reads(api)
    for _ in range(3):
        response = api.get("/user/stats")
        assert response.status_code == 200, response.text
        assert response.headers["Content-Type"].startswith("application/json")
        assert response.json() == [], "the cached list was not served"
    after = database_reads(api)
    assert after["players_cache_hits_total"] - before["players_cache_hits_total"] == 3
    assert after["players_cache_misses_total"] == before["players_cache_misses_total"]
    assert after["database_operations_total"] == before["database_operations_total"]


def test_players_cache_ms_sets_the_live_players_age_apart_from_the_top_10(make_server, mongo):
    name = f"stats_cache_{time.time_ns()}"
    api = Api(make_server({"HIGHSCORES_CACHE_MS": "0", "PLAYERS_CACHE_MS": "60000"},
                          database=name).url)
    assert api.get("/user/stats").json() == []
    other_replicas_report(mongo[name], "elsewhere")
    before = database_reads(api)
    assert api.get("/user/stats").json() == [], "the live players were not cached"
    assert api.get("/highscores/list").status_code == 200
    after = database_reads(api)
    assert after["players_cache_hits_total"] - before["players_cache_hits_total"] == 1
    # the top 10, uncached, went to the database
    assert after["database_operations_total"] - before["database_operations_total"] == 1


def test_concurrent_misses_make_one_database_read(make_server, mongo):
    api, database = cached_server(make_server, mongo, "60000")
    other_replicas_report(database, "elsewhere")
    before = database_reads(api)
    with ThreadPoolExecutor(16) as pool:
        lists = list(pool.map(lambda _: api.get("/user/stats"), range(32)))
    assert {r.status_code for r in lists} == {200}
    assert all(r.json()[0]["host"] == "elsewhere" for r in lists)
    after = database_reads(api)
    assert after["database_operations_total"] - before["database_operations_total"] == 1
    assert after["players_cache_hits_total"] + after["players_cache_misses_total"] - \
        before["players_cache_hits_total"] - before["players_cache_misses_total"] == 32


def test_own_reports_keep_the_cached_list_for_its_age(make_server, mongo):
    """Every open page reports every 5 s: if each report dropped the replica's copy, nearly
    every list would go to the database. So a report leaves it; the list is that old at most."""
    api, _ = cached_server(make_server, mongo, "60000")
    user_id = new_player(api)
    assert api.get("/user/stats").json() == []  # cached, for a minute
    before = database_reads(api)
    report(api, user_id, host="pod-1", score=300)
    assert api.get("/user/stats").json() == [], "the report dropped the cached list"
    after = database_reads(api)
    assert after["players_cache_hits_total"] - before["players_cache_hits_total"] == 1
    assert after["players_cache_misses_total"] == before["players_cache_misses_total"]
    assert after["database_operations_total"] - before["database_operations_total"] == 1  # the report


def test_own_report_is_listed_within_the_cache_age(make_server, mongo):
    api, _ = cached_server(make_server, mongo, "1000")
    user_id = new_player(api)
    assert api.get("/user/stats").json() == []
    report(api, user_id, host="pod-1", score=300)
    reported = time.monotonic()
    while time.monotonic() < reported + 2.5:
        rows = [(e["host"], e["score"], e["txncount"]) for e in api.get("/user/stats").json()]
        if rows:
            break
        time.sleep(0.05)
    assert rows == [("pod-1", 300, 1)], "the own report was not listed within 2.5 s"


def test_a_refused_report_keeps_the_cached_list(make_server, mongo):
    api, _ = cached_server(make_server, mongo, "60000")
    assert api.get("/user/stats").json() == []
    response = api.post_form("/user/stats", {
        "userId": "0123456789abcdef01234567", "cloud": "c", "zone": "z", "host": "h",
        "score": "1", "level": "1", "lives": "1", "elapsedTime": "1"})
    assert_json_error(response, 404)
    before = database_reads(api)
    assert api.get("/user/stats").json() == []
    after = database_reads(api)
    assert after["players_cache_hits_total"] - before["players_cache_hits_total"] == 1


def test_other_replicas_reports_show_within_the_cache_age(make_server, mongo):
    api, database = cached_server(make_server, mongo, "1000")
    assert api.get("/user/stats").json() == []
    other_replicas_report(database, "elsewhere")
    deadline = time.monotonic() + 2.5
    while time.monotonic() < deadline:
        hosts = [e["host"] for e in api.get("/user/stats").json()]
        if hosts == ["elsewhere"]:
            break
        time.sleep(0.1)
    assert hosts == ["elsewhere"], "a replica served its cached live players for over 2.5 s"


def test_a_zero_cache_age_reads_the_database_every_time(make_server, mongo):
    api, database = cached_server(make_server, mongo, "0")
    before = database_reads(api)
    assert api.get("/user/stats").json() == []
    other_replicas_report(database, "elsewhere")
    assert [e["host"] for e in api.get("/user/stats").json()] == ["elsewhere"]
    assert [e["host"] for e in api.get("/user/stats").json()] == ["elsewhere"]
    after = database_reads(api)
    assert after["players_cache_hits_total"] == before["players_cache_hits_total"] == 0
    assert after["players_cache_misses_total"] - before["players_cache_misses_total"] == 3
    assert after["database_operations_total"] - before["database_operations_total"] == 3


# ---- players who stopped reporting expire (PLAYER_TTL_SECONDS) ----

def test_silent_players_expire_and_reporting_ones_stay(make_server, mongo):
    name = f"expiry_{time.time_ns()}"
    api = Api(make_server({"PLAYER_TTL_SECONDS": "3"}, database=name).url)
    database = mongo[name]
    never_reported = new_player(api)
    stopped = new_player(api)
    report(api, stopped, host="gone")
    playing = new_player(api)
    legacy = database.userstats.insert_one(  # the old server's shape: no lastUpdate date
        {"date": "Tue Mar 05 2019 10:11:12 GMT+0000", "host": "old-pod", "updateCounter": 3})
    started = time.monotonic()
    while time.monotonic() < started + 10:
        report(api, playing, host="playing")
        ids = {str(d["_id"]) for d in database.userstats.find({}, {"_id": 1})}
        if never_reported not in ids and stopped not in ids:
            break
        time.sleep(0.3)
    ids = {str(d["_id"]) for d in database.userstats.find({}, {"_id": 1})}
    assert never_reported not in ids and stopped not in ids, \
        "players silent for over 3 s were still stored 10 s later"
    assert playing in ids, "a player reporting every 0.3 s expired"
    assert str(legacy.inserted_id) in ids, "a document without lastUpdate was deleted"
    assert metric(api, "pacman_players_expired_total") == 2

    # The page's next report for an expired id is refused; it asks for a new id and goes on.
    response = api.post_form("/user/stats", {
        "userId": stopped, "cloud": "c", "zone": "z", "host": "gone", "score": "1",
        "level": "1", "lives": "1", "elapsedTime": "1"})
    assert_json_error(response, 404)
    assert database.userstats.count_documents({"host": "gone"}) == 0
    report(api, new_player(api), host="back")
    assert database.userstats.count_documents({"host": "back"}) == 1


def test_a_zero_ttl_keeps_players_for_ever(make_server, mongo):
    """Two replicas on two databases, each holding a player last seen two days ago: the one
    with PLAYER_TTL_SECONDS=1 deletes it within its 1 s round, the one with 0 never does."""
    two_days_ago = datetime.now(timezone.utc) - timedelta(days=2)
    apis = {}
    for ttl in ("0", "1"):
        name = f"expiry_{ttl}_{time.time_ns()}"
        mongo[name].userstats.insert_one({"lastUpdate": two_days_ago, "updateCounter": 1,
                                          "host": "old"})
        apis[ttl] = (Api(make_server({"PLAYER_TTL_SECONDS": ttl}, database=name).url),
                     mongo[name])
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and apis["1"][1].userstats.count_documents({}):
        time.sleep(0.2)
    assert apis["1"][1].userstats.count_documents({}) == 0, "TTL 1 s kept a 2-day-old player"
    assert metric(apis["1"][0], "pacman_players_expired_total") == 1
    assert apis["0"][1].userstats.count_documents({}) == 1, "TTL 0 deleted a player"
    assert metric(apis["0"][0], "pacman_players_expired_total") == 0
