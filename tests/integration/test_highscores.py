"""POST /highscores and GET /highscores/list: the old client's flow, JSON bodies, ordering, the
limit of 10, idempotent retries and concurrent submissions."""

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from support import OBJECT_ID, Api

# What the old client posts at the end of a game (pacman-canvas.js ajaxAdd): every value is a
# string, cloud/zone/host are what /location/metadata returned.
OLD_CLIENT_SCORE = {"name": "Pac Man", "cloud": "unknown", "zone": "unknown",
                    "host": "pacman-7d9f-x2z", "score": "3140", "level": "2"}


def post_score(api, name, score, **extra):
    fields = {"name": name, "cloud": "c", "zone": "z", "host": "h", "score": str(score),
              "level": "1", **extra}
    response = api.post_form("/highscores", fields)
    assert response.status_code == 200, response.text
    return response


def listed(api):
    response = api.get("/highscores/list")
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    return response.json()


# ---- the compatible flow ----

def test_old_client_form_post_answers_like_the_original(api, db):
    response = api.post_form("/highscores", OLD_CLIENT_SCORE)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json() == {"name": "Pac Man", "zone": "unknown", "score": 3140, "level": 2,
                               "rs": "success"}


def test_old_client_form_post_stores_typed_fields(api, db):
    api.post_form("/highscores", OLD_CLIENT_SCORE)
    docs = list(db.highscore.find({}))
    assert len(docs) == 1
    doc = docs[0]
    assert (doc["name"], doc["cloud"], doc["zone"], doc["host"]) == \
        ("Pac Man", "unknown", "unknown", "pacman-7d9f-x2z")
    # Integers, not strings: the list sorts on score.
    assert doc["score"] == 3140 and type(doc["score"]) is int
    assert doc["level"] == 2 and type(doc["level"]) is int


def test_list_returns_the_old_client_fields(api, db):
    api.post_form("/highscores", OLD_CLIENT_SCORE)
    # jQuery adds a cache-busting query string to GETs in some setups.
    response = api.get(f"/highscores/list?timestamp={int(time.time() * 1000)}")
    assert response.status_code == 200
    entries = response.json()
    assert len(entries) == 1
    entry = entries[0]
    assert {k: entry[k] for k in ("name", "cloud", "zone", "host", "score")} == \
        {"name": "Pac Man", "cloud": "unknown", "zone": "unknown", "host": "pacman-7d9f-x2z",
         "score": 3140}


def test_list_of_an_empty_database_is_an_empty_array(api, db):
    assert listed(api) == []


def test_old_client_full_game_flow(api, db):
    """The calls the old client makes in one game, in order, with its encodings."""
    meta = api.get("/location/metadata").json()
    user_id = api.get("/user/id").json()
    assert OBJECT_ID.match(user_id)
    stats = {"userId": user_id, "cloud": meta["cloud"], "zone": meta["zone"],
             "host": meta["host"], "score": "1200", "level": "1", "lives": "3",
             "elapsedTime": "10"}
    assert api.post_form("/user/stats", stats).json() == {"rs": "success"}
    score = {"name": "Inky Fan", "cloud": meta["cloud"], "zone": meta["zone"],
             "host": meta["host"], "score": "1200", "level": "1"}
    assert api.post_form("/highscores", score).json()["rs"] == "success"
    assert [e["name"] for e in listed(api)] == ["Inky Fan"]
    live = api.get("/user/stats").json()
    assert len(live) == 1 and live[0]["score"] == 1200 and live[0]["txncount"] == 1


def test_fields_the_old_client_may_leave_empty_or_out_are_accepted(api, db):
    # Before /location/metadata answers, the old client sends empty cloud/zone/host.
    empty = api.post_form("/highscores", {"name": "Early", "cloud": "", "zone": "", "host": "",
                                          "score": "10", "level": "1"})
    assert empty.status_code == 200, empty.text
    missing = api.post_form("/highscores", {"name": "Bare", "score": "20", "level": "1"})
    assert missing.status_code == 200, missing.text
    assert db.highscore.count_documents({}) == 2
    for entry in listed(api):
        assert all(isinstance(entry[k], str) for k in ("cloud", "zone", "host")), entry


# ---- JSON bodies ----

def test_json_body_with_integers(api, db):
    response = api.post_json("/highscores", {"name": "Json", "cloud": "gcp", "zone": "eu-1",
                                             "host": "h1", "score": 500, "level": 3})
    assert response.status_code == 200, response.text
    assert response.json() == {"name": "Json", "zone": "eu-1", "score": 500, "level": 3,
                               "rs": "success"}
    doc = db.highscore.find_one({"name": "Json"})
    assert doc["score"] == 500 and doc["level"] == 3 and doc["cloud"] == "gcp"


def test_json_body_with_decimal_strings(api, db):
    response = api.post_json("/highscores", {"name": "Strings", "score": "700", "level": "4"})
    assert response.status_code == 200, response.text
    doc = db.highscore.find_one({"name": "Strings"})
    assert doc["score"] == 700 and type(doc["score"]) is int and doc["level"] == 4


def test_json_content_type_with_charset(api, db):
    response = api.post_raw("/highscores", '{"name": "Charset", "score": 1, "level": 1}',
                            "application/json; charset=utf-8")
    assert response.status_code == 200, response.text
    assert db.highscore.count_documents({"name": "Charset"}) == 1


# ---- names ----

@pytest.mark.parametrize("name", ["Zoë", "山田太郎", "Ωμέγα", "O'Brien & <Sons>", "C++ a+b=c&d;%",
                                  "é" * 32, "𠀋" * 32])
def test_printable_unicode_names_round_trip(api, db, name):
    post_score(api, name, 100)
    assert [e["name"] for e in listed(api)] == [name]
    assert db.highscore.find_one({})["name"] == name


def test_json_unicode_escapes_are_decoded(api, db):
    body = '{"name": "\\u5c71\\u7530 \\ud83d\\ude00", "score": 1, "level": 1}'
    response = api.post_raw("/highscores", body, "application/json")
    assert response.status_code == 200, response.text
    assert db.highscore.find_one({})["name"] == "山田 😀"


def test_places_of_64_four_byte_characters_round_trip(api, db):
    place = "𠀋" * 64  # 256 bytes of UTF-8: the largest value allowed
    response = api.post_json("/highscores", {"name": "Wide", "cloud": place, "zone": place,
                                             "host": place, "score": 1, "level": 1})
    assert response.status_code == 200, response.text
    assert response.json()["zone"] == place
    [entry] = listed(api)
    assert (entry["cloud"], entry["zone"], entry["host"]) == (place, place, place)


def test_name_length_counts_characters_after_trimming(api, db):
    # 32 characters padded with spaces: valid, because the limit applies after trimming.
    post_score(api, "   " + "x" * 32 + "   ", 100)
    assert db.highscore.find_one({})["name"].strip() == "x" * 32


def test_list_is_json_even_for_html_looking_names(api, db):
    """The stored-XSS defect of the original was in the client; the API must at least never
    answer the list as HTML."""
    post_score(api, "<img src=x onerror=alert(1)>", 100)
    response = api.get("/highscores/list")
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json()[0]["name"] == "<img src=x onerror=alert(1)>"


# ---- boundaries that must be accepted ----

@pytest.mark.parametrize("score,level", [("0", "1"), ("10000000", "999")])
def test_range_limits_are_inclusive(api, db, score, level):
    response = api.post_form("/highscores", {"name": "Edge", "score": score, "level": level})
    assert response.status_code == 200, response.text
    doc = db.highscore.find_one({})
    assert (doc["score"], doc["level"]) == (int(score), int(level))


# ---- ordering and the limit ----

def test_list_is_sorted_by_score_descending(api, db):
    for name, score in [("b", 300), ("a", 100), ("d", 900), ("c", 500)]:
        post_score(api, name, score)
    assert [(e["name"], e["score"]) for e in listed(api)] == \
        [("d", 900), ("c", 500), ("b", 300), ("a", 100)]


def test_equal_scores_list_the_earlier_submission_first(api, db):
    # Submission ids chosen so that an order by a key derived from them would be wrong.
    post_score(api, "first", 1000, submissionId="zzzz-first")
    post_score(api, "second", 1000, submissionId="aaaa-second")
    post_score(api, "third", 1000)
    post_score(api, "fourth", 1000, submissionId="mmmm-fourth")
    post_score(api, "top", 2000)
    assert [e["name"] for e in listed(api)] == ["top", "first", "second", "third", "fourth"]


def test_list_holds_at_most_ten_the_highest(api, db):
    for i in range(15):
        post_score(api, f"p{i:02d}", (i * 7919) % 15 * 10)  # scores 0..140 in scrambled order
    entries = listed(api)
    assert [e["score"] for e in entries] == list(range(140, 40, -10))


# ---- idempotent retries ----

def test_retry_with_the_same_submission_id_stores_once_and_answers_the_same(api, db):
    fields = {"name": "Retry", "zone": "z1", "score": "4242", "level": "3",
              "submissionId": "game-7f3a_01"}
    first = api.post_form("/highscores", fields)
    second = api.post_form("/highscores", fields)
    assert first.status_code == second.status_code == 200
    assert second.json() == first.json()
    assert db.highscore.count_documents({}) == 1
    assert [e["name"] for e in listed(api)] == ["Retry"]


def test_retry_answers_as_the_first_time_even_if_the_payload_differs(api, db):
    first = api.post_json("/highscores", {"name": "Orig", "score": 10, "level": 1,
                                          "submissionId": "same-id"})
    second = api.post_json("/highscores", {"name": "Changed", "score": 99999, "level": 9,
                                           "submissionId": "same-id"})
    assert second.status_code == 200 and second.json() == first.json()
    assert [(d["name"], d["score"]) for d in db.highscore.find({})] == [("Orig", 10)]


def test_a_retry_through_json_matches_a_first_form_post(api, db):
    first = api.post_form("/highscores", {"name": "Mixed", "score": "5", "level": "1",
                                          "submissionId": "mixed-1"})
    second = api.post_json("/highscores", {"name": "Mixed", "score": 5, "level": 1,
                                           "submissionId": "mixed-1"})
    assert first.status_code == second.status_code == 200
    assert second.json() == first.json()
    assert db.highscore.count_documents({}) == 1


def test_different_submission_ids_are_different_scores(api, db):
    for i in range(3):
        post_score(api, "Same", 100, submissionId=f"distinct-{i}")
    post_score(api, "Same", 100)
    post_score(api, "Same", 100)
    assert db.highscore.count_documents({}) == 5


def test_submission_id_of_64_allowed_characters(api, db):
    sid = ("Az09_-" * 11)[:64]
    post_score(api, "Long id", 1, submissionId=sid)
    post_score(api, "Long id", 1, submissionId=sid)
    assert db.highscore.count_documents({}) == 1


def test_twenty_concurrent_posts_with_one_submission_id_store_one(api, db):
    fields = {"name": "Racer", "score": "777", "level": "2", "submissionId": "race-0001"}
    barrier = threading.Barrier(20)

    def send(_):
        barrier.wait()
        return api.post_form("/highscores", fields)

    with ThreadPoolExecutor(20) as pool:
        responses = list(pool.map(send, range(20)))
    assert [r.status_code for r in responses] == [200] * 20, [r.text for r in responses]
    assert all(r.json() == responses[0].json() for r in responses)
    assert db.highscore.count_documents({}) == 1


# ---- concurrency ----

def test_two_hundred_concurrent_posts_are_each_stored_exactly_once(api, db):
    def send(i):
        return i, api.post_form("/highscores", {"name": f"player-{i:03d}", "cloud": "c",
                                                "zone": "z", "host": "h",
                                                "score": str(1000 + i), "level": "1"})

    with ThreadPoolExecutor(50) as pool:
        results = list(pool.map(send, range(200)))
    failures = [(i, r.status_code, r.text[:200]) for i, r in results if r.status_code != 200]
    assert not failures, failures
    for i, r in results:
        assert r.json() == {"name": f"player-{i:03d}", "zone": "z", "score": 1000 + i,
                            "level": 1, "rs": "success"}
    names = [d["name"] for d in db.highscore.find({}, {"name": 1})]
    assert len(names) == 200
    assert sorted(names) == [f"player-{i:03d}" for i in range(200)]
    assert [e["score"] for e in listed(api)] == list(range(1199, 1189, -1))


# ---- the per-replica cache ----

def test_cached_list_sees_other_replicas_writes_within_the_cache_time(make_server, mongo):
    """HIGHSCORES_CACHE_MS bounds how stale a replica's list may be; a score written by another
    replica (here: straight into the database) shows up once that time has passed."""
    database = "cache_" + str(int(time.time() * 1000))
    api = Api(make_server({"HIGHSCORES_CACHE_MS": "1000"}, database=database).url)
    assert api.get("/highscores/list").json() == []
    mongo[database].highscore.insert_one({"name": "Other replica", "cloud": "c", "zone": "z",
                                          "host": "h", "score": 50, "level": 1})
    deadline = time.monotonic() + 2.5
    while time.monotonic() < deadline:
        names = [e["name"] for e in api.get("/highscores/list").json()]
        if names == ["Other replica"]:
            break
        time.sleep(0.1)
    assert names == ["Other replica"], "a replica served its cached list for over 2.5 s"



# ---- a database the old Node.js server wrote ----

# The shape the original server inserted (routes/highscores.js): parseInt'ed numbers, a Date()
# string, request details; a form without a field left it out, a bad number stored NaN.
LEGACY_DATE = "Tue Mar 05 2019 10:11:12 GMT+0000 (Coordinated Universal Time)"
DROP_FIELD = object()


def legacy_score(name, score, **changes):
    doc = {"name": name, "cloud": "aws", "zone": "us-east-1a", "host": "pacman-old",
           "score": score, "level": 1, "date": LEGACY_DATE, "referer": "http://pacman/",
           "user_agent": "Mozilla/5.0", "hostname": "pacman", "ip_addr": "::ffff:10.0.0.1"}
    doc.update(changes)
    return {k: v for k, v in doc.items() if v is not DROP_FIELD}



def strict_json(response):
    """Parses as a browser would: NaN and Infinity are not JSON."""
    def refuse(constant):
        raise ValueError(f"{constant} is not JSON")
    return json.loads(response.text, parse_constant=refuse)


def test_scores_written_by_the_old_server_are_listed_with_new_ones(api, db):
    db.highscore.insert_many([legacy_score("old 500", 500), legacy_score("old 300", 300),
                              legacy_score("old 100", 100)])
    post_score(api, "new 400", 400)
    assert [(e["name"], e["score"]) for e in listed(api)] == \
        [("old 500", 500), ("new 400", 400), ("old 300", 300), ("old 100", 100)]


def test_odd_legacy_documents_do_not_break_the_list(api, db):
    # The old server stored NaN for a score it could not parse; FerretDB refuses NaN (it
    # closes the connection), so that case can only be checked against MongoDB.
    db.highscore.insert_many([
        legacy_score("double score", 250.0),
        legacy_score("no place", 200, cloud=DROP_FIELD, zone=DROP_FIELD, host=DROP_FIELD),
        legacy_score(None, 150),
        legacy_score("good", 100),
    ])
    response = api.get("/highscores/list")
    assert response.status_code == 200, response.text
    entries = strict_json(response)
    numeric = [(e["name"], e["score"]) for e in entries]
    assert ("double score", 250) in numeric and ("good", 100) in numeric, entries
    ordered = [score for _, score in numeric]
    assert ordered == sorted(ordered, reverse=True), entries
