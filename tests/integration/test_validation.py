"""Bad input: every case answers its status with a JSON error naming the field, and leaves the
database exactly as it was. Also unknown paths (404), unknown methods (405 with Allow) and
bodies over 16 KiB (413)."""

import json
import socket
import time

import pytest

from support import assert_json_error, jquery_encode, raw_get, raw_http, snapshot

VALID_SCORE = {"name": "Valid", "cloud": "c", "zone": "z", "host": "h", "score": "100",
               "level": "1"}
VALID_STATS = {"userId": "{user}", "cloud": "c", "zone": "z", "host": "h", "score": "100",
               "level": "1", "lives": "3", "elapsedTime": "10"}
DROP = object()  # marks a field to leave out

LONG_65 = "x" * 65


def form(base, **changes):
    fields = dict(base)
    for key, value in changes.items():
        if value is DROP:
            fields.pop(key, None)
        else:
            fields[key] = value
    return fields


def score_form(**changes):
    return ("/highscores", "form", form(VALID_SCORE, **changes))


def score_json(**changes):
    base = {"name": "Valid", "cloud": "c", "zone": "z", "host": "h", "score": 100, "level": 1}
    return ("/highscores", "json", form(base, **changes))


def stats_form(**changes):
    return ("/user/stats", "form", form(VALID_STATS, **changes))


def stats_json(**changes):
    base = {"userId": "{user}", "cloud": "c", "zone": "z", "host": "h", "score": 100,
            "level": 1, "lives": 3, "elapsedTime": 10}
    return ("/user/stats", "json", form(base, **changes))


def raw(path, body, content_type="application/x-www-form-urlencoded"):
    return (path, "raw", (body, content_type))


# id -> (path, encoding, payload), the field the message must name, the status
BAD_INPUT = {
    # --- POST /highscores, form bodies as the old client sends them ---
    "name missing": (score_form(name=DROP), "name", 400),
    "name empty": (score_form(name=""), "name", 400),
    "name only spaces": (score_form(name="    "), "name", 400),
    "name 33 characters": (score_form(name="n" * 33), "name", 400),
    "name 33 non-ASCII characters": (score_form(name="é" * 33), "name", 400),
    "name with newline": (score_form(name="Eve\nINFO forged log line"), "name", 400),
    "name with tab": (score_form(name="a\tb"), "name", 400),
    "name with ANSI escape": (score_form(name="\x1b[31mred"), "name", 400),
    "name with DEL": (score_form(name="a\x7fb"), "name", 400),
    "name with NUL": (raw("/highscores", "name=a%00b&score=1&level=1"), "name", 400),
    "name invalid UTF-8": (raw("/highscores", "name=%C3%28abc&score=1&level=1"), "name", 400),
    "name lone continuation byte": (raw("/highscores", "name=ab%80&score=1&level=1"),
                                    "name", 400),
    "name overlong UTF-8": (raw("/highscores", "name=%C0%AE%C0%AE&score=1&level=1"), "name",
                            400),
    "name UTF-8 surrogate": (raw("/highscores", "name=%ED%A0%80x&score=1&level=1"), "name",
                             400),
    "name truncated UTF-8": (raw("/highscores", "name=abc%E5%B1&score=1&level=1"), "name",
                             400),
    "score missing": (score_form(score=DROP), "score", 400),
    "score empty": (score_form(score=""), "score", 400),
    "score not a number": (score_form(score="abc"), "score", 400),
    "score negative": (score_form(score="-1"), "score", 400),
    "score over ten million": (score_form(score="10000001"), "score", 400),
    "score fractional": (score_form(score="1.5"), "score", 400),
    "score exponent": (score_form(score="1e3"), "score", 400),
    "score hexadecimal": (score_form(score="0x10"), "score", 400),
    "score trailing garbage": (score_form(score="12abc"), "score", 400),
    "score overflows 64 bits": (score_form(score="99999999999999999999999"), "score", 400),
    "level missing": (score_form(level=DROP), "level", 400),
    "level zero": (score_form(level="0"), "level", 400),
    "level 1000": (score_form(level="1000"), "level", 400),
    "cloud 65 characters": (score_form(cloud=LONG_65), "cloud", 400),
    "zone 65 characters": (score_form(zone=LONG_65), "zone", 400),
    "host 65 characters": (score_form(host=LONG_65), "host", 400),
    "submissionId empty": (score_form(submissionId=""), "submissionId", 400),
    "submissionId 65 characters": (score_form(submissionId="a" * 65), "submissionId", 400),
    "submissionId with space": (score_form(submissionId="abc def"), "submissionId", 400),
    "submissionId with slash": (score_form(submissionId="a/b"), "submissionId", 400),
    "submissionId non-ASCII": (score_form(submissionId="idé"), "submissionId", 400),
    # --- POST /highscores, JSON bodies ---
    "json score fractional": (score_json(score=1.5), "score", 400),
    "json score boolean": (score_json(score=True), "score", 400),
    "json score null": (score_json(score=None), "score", 400),
    "json score array": (score_json(score=[100]), "score", 400),
    "json score object": (score_json(score={"$gt": 0}), "score", 400),
    "json score negative": (score_json(score=-5), "score", 400),
    # Too big for any integer type: a JSON parser may reject the document before the field.
    "json score huge": (score_json(score=2 ** 64), None, 400),
    "json level string garbage": (score_json(level="one"), "level", 400),
    "json name number": (score_json(name=12345), "name", 400),
    "json name object": (score_json(name={"$ne": None}), "name", 400),
    "json name with newline": (score_json(name="a\nb"), "name", 400),
    "json name with escaped NUL": (raw("/highscores",
                                       '{"name":"a\\u0000b","score":1,"level":1}',
                                       "application/json"), None, 400),
    "json name with escaped control": (raw("/highscores",
                                           '{"name":"a\\u001bb","score":1,"level":1}',
                                           "application/json"), "name", 400),
    "json cloud number": (score_json(cloud=5), "cloud", 400),
    "json submissionId number": (score_json(submissionId=12), "submissionId", 400),
    "json malformed": (raw("/highscores", '{"name": "a", "score": ', "application/json"),
                       None, 400),
    "json trailing garbage": (raw("/highscores", '{"name":"a","score":1,"level":1} x',
                                  "application/json"), None, 400),
    "json array body": (raw("/highscores", "[]", "application/json"), None, 400),
    "json string body": (raw("/highscores", '"name"', "application/json"), None, 400),
    "json nested 8000 deep": (raw("/highscores", "[" * 8000 + "]" * 8000,  # < 16 KiB
                                  "application/json"), None, 400),
    "json invalid UTF-8": (raw("/highscores", b'{"name":"\xff\xfe","score":1,"level":1}',
                               "application/json"), None, 400),
    "empty body": (raw("/highscores", ""), None, 400),
    "unsupported content type": (raw("/highscores", "name=a&score=1&level=1", "text/plain"),
                                 None, (400, 415)),
    # --- POST /user/stats ---
    "userId missing": (stats_form(userId=DROP), "userId", 400),
    "userId zero (old client before /user/id answered)": (stats_form(userId="0"), "userId",
                                                          400),
    "userId too short": (stats_form(userId="abc123"), "userId", 400),
    "userId 25 hex digits": (stats_form(userId="0123456789abcdef012345678"), "userId", 400),
    "userId not hex": (stats_form(userId="zzzzzzzzzzzzzzzzzzzzzzzz"), "userId", 400),
    "userId injection object": (stats_json(userId={"$ne": None}), "userId", 400),
    "stats score not a number": (stats_form(score="lots"), "score", 400),
    "stats score over ten million": (stats_form(score="10000001"), "score", 400),
    "stats level zero": (stats_form(level="0"), "level", 400),
    "lives negative": (stats_form(lives="-1"), "lives", 400),
    "lives 100": (stats_form(lives="100"), "lives", 400),
    "lives missing": (stats_form(lives=DROP), "lives", 400),
    "elapsedTime over a day": (stats_form(elapsedTime="86401"), "elapsedTime", 400),
    "elapsedTime negative": (stats_form(elapsedTime="-1"), "elapsedTime", 400),
    "elapsedTime fractional": (stats_form(elapsedTime="2.5"), "elapsedTime", 400),
    "stats host 65 characters": (stats_form(host=LONG_65), "host", 400),
    "json lives boolean": (stats_json(lives=False), "lives", 400),
    "json stats malformed": (raw("/user/stats", "{", "application/json"), None, 400),
}


@pytest.fixture
def player(api, db):
    """A player that exists, so that user/stats cases fail on the field under test only."""
    response = api.get("/user/id")
    assert response.status_code == 200, response.text
    return response.json()


def send(api, path, kind, payload, user_id):
    def fill(value):
        return user_id if value == "{user}" else value

    if kind == "form":
        return api.post_form(path, {k: fill(v) for k, v in payload.items()})
    if kind == "json":
        return api.post_json(path, {k: fill(v) for k, v in payload.items()})
    body, content_type = payload
    return api.post_raw(path, body, content_type)


@pytest.mark.parametrize("case", list(BAD_INPUT), ids=list(BAD_INPUT))
def test_bad_input_is_rejected_and_nothing_is_stored(api, db, player, case):
    (path, kind, payload), field, status = BAD_INPUT[case]
    before = snapshot(db)
    response = send(api, path, kind, payload, player)
    assert_json_error(response, status, field)
    assert snapshot(db) == before, "bad input changed the database"


def test_the_valid_bases_of_the_bad_cases_are_accepted(api, db, player):
    """Guards the table above: each case differs from an accepted request in one field only."""
    for path, kind, payload in (score_form(), score_json(), stats_form(), stats_json()):
        response = send(api, path, kind, payload, player)
        assert response.status_code == 200, (path, kind, response.text)


def test_bad_input_count_meets_the_issue():
    assert len(BAD_INPUT) >= 30


# ---- body size ----

MAX_BODY = 16 * 1024


def padded_json(size: int) -> bytes:
    """A valid score as JSON, padded with whitespace to exactly `size` bytes."""
    body = json.dumps({"name": "Padded", "score": 1, "level": 1}).encode()
    return body[:-1] + b" " * (size - len(body)) + b"}"


def test_body_of_exactly_16_kib_is_accepted(api, db):
    response = api.post_raw("/highscores", padded_json(MAX_BODY), "application/json")
    assert response.status_code == 200, response.text
    assert db.highscore.count_documents({}) == 1


@pytest.mark.parametrize("kind", ["json", "form"])
def test_body_over_16_kib_is_413(api, db, kind):
    if kind == "json":
        body, content_type = padded_json(MAX_BODY + 1), "application/json"
    else:
        body = jquery_encode({**VALID_SCORE, "pad": "p" * MAX_BODY}).encode()
        content_type = "application/x-www-form-urlencoded"
    response = api.post_raw("/highscores", body, content_type)
    assert_json_error(response, 413)
    assert db.highscore.count_documents({}) == 0


def test_chunked_body_over_16_kib_is_413(api, db):
    def chunks():
        yield b'{"name": "Chunky", "score": 1, "level": 1, "pad": "'
        for _ in range(40):
            yield b"p" * 1024
        yield b'"}'

    response = api.post_raw("/highscores", chunks(), "application/json")
    assert_json_error(response, 413)
    assert db.highscore.count_documents({}) == 0


def test_huge_declared_length_is_refused_without_waiting_for_the_body(server, db):
    request = (b"POST /highscores HTTP/1.1\r\nHost: 127.0.0.1\r\n"
               b"Content-Type: application/json\r\nContent-Length: 1000000000\r\n\r\n{")
    start = time.monotonic()
    response = raw_http(server.port, request, timeout=5)
    assert time.monotonic() - start < 2
    assert response.status == 413
    assert response.headers.get("content-type", "").startswith("application/json")
    assert json.loads(response.body)["error"]


# ---- request line and headers ----

def headers_of(size: int) -> str:
    """A header line that makes the request's line and headers about size bytes."""
    return "X-Pad: " + "p" * (size - 60) + "\r\n"


@pytest.mark.parametrize("path", ["/index.html", "/highscores/list", "/nope"])
def test_headers_up_to_5_kib_and_a_half_are_answered(server, path):
    response = raw_get(server.port, path, headers_of(5500))
    assert response.status in (200, 404)


@pytest.mark.parametrize("size", [6300, 6700])
def test_headers_past_6_kib_get_431_with_a_json_error(server, size):
    """Past 6 KiB the connection's 8 KiB pool may not hold the answer's headers: refused
    before, with a short answer that fits (not read and then closed without one)."""
    response = raw_get(server.port, "/index.html", headers_of(size))
    assert response.status == 431
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "6 KiB" in json.loads(response.body)["error"]


@pytest.mark.parametrize("size", [7200, 7650])
def test_headers_near_the_pool_size_get_a_bare_431(server, size):
    response = raw_get(server.port, "/index.html", headers_of(size))
    assert response.status == 431


def test_many_short_headers_count_too(server):
    """Each header also takes a record in the pool: 20 headers are fine, 60 are too many."""
    def lines(count):
        return "".join(f"X-H{i:03}: {'v' * 30}\r\n" for i in range(count))
    assert raw_get(server.port, "/index.html", lines(20)).status == 200
    response = raw_get(server.port, "/index.html", lines(60))
    assert response.status == 431 and json.loads(response.body)["error"]


def test_headers_past_the_pool_get_libmicrohttpds_431(server):
    assert raw_get(server.port, "/index.html", headers_of(9000)).status == 431


# ---- unknown paths and methods ----

@pytest.mark.parametrize("path", ["/nope", "/api/highscores", "/highscores/list/extra",
                                  "/user", "/user/unknown", "/missing.js", "/img/missing.png"])
def test_unknown_path_is_404_json(api, path):
    assert_json_error(api.get(path), 404)


@pytest.mark.parametrize("method,path,allowed", [
    ("GET", "/highscores", {"POST"}),
    ("DELETE", "/highscores", {"POST"}),
    ("PUT", "/highscores/list", {"GET"}),
    ("POST", "/highscores/list", {"GET"}),
    ("POST", "/user/id", {"GET"}),
    ("DELETE", "/user/stats", {"GET", "POST"}),
    ("PATCH", "/user/stats", {"GET", "POST"}),
    ("POST", "/location/metadata", {"GET"}),
    ("POST", "/healthz", {"GET"}),
    ("DELETE", "/metrics", {"GET"}),
])
def test_unknown_method_on_a_known_path_is_405_with_allow(api, db, method, path, allowed):
    before = snapshot(db)
    response = api.request(method, path, data=b"name=x&score=1&level=1",
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert_json_error(response, 405)
    allow = {m.strip().upper() for m in response.headers.get("Allow", "").split(",")}
    assert allowed <= allow, f"Allow: {response.headers.get('Allow')!r}"
    assert method not in allow
    assert snapshot(db) == before


def test_garbage_request_line_gets_an_error_and_the_server_lives_on(server, api):
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03garbage\r\n\r\n")
        try:
            sock.recv(4096)
        except (ConnectionResetError, socket.timeout):
            pass
    assert api.get("/healthz").status_code == 200
