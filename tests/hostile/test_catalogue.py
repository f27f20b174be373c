"""Throws the whole catalogue (catalogue.py) at one server and checks each answer; then checks
that the server is still up, stored nothing, shuts down cleanly, and logged no secret and no
line a client forged."""

import json
import re
import uuid

import pytest

import catalogue
from catalogue import CATALOGUE, Case
from hostile_support import TIMEOUT, exchange

COOKIE = f"COOKIE-SECRET-{uuid.uuid4().hex}"
JSON_TYPE = re.compile(r"^application/json\b")


def fill(request: bytes, secrets: dict) -> bytes:
    return request.replace(b"{TOKEN}", secrets["token"].encode()).replace(
        b"{COOKIE}", COOKIE.encode())


def with_defects(cases):
    """Cases marked with a known defect are expected to fail until it is fixed."""
    return [pytest.param(c, id=c.id, marks=[pytest.mark.xfail(strict=True, reason=c.defect)])
            if c.defect else pytest.param(c, id=c.id) for c in cases]


@pytest.mark.parametrize("case", with_defects(CATALOGUE))
def test_hostile_request(server, secrets, case: Case):
    responses, seconds = exchange(server.port, fill(case.request, secrets))
    allowed = case.status if isinstance(case.status, tuple) else (case.status,)
    if not responses:
        assert None in allowed, f"closed without an answer; expected {case.status}"
        return
    assert len(responses) == 1, \
        f"{len(responses)} answers to one request: {[r['status'] for r in responses]}"
    response = responses[0]
    assert response["status"] in allowed, \
        f"got {response['status']}, expected {case.status}: {response['body'][:300]!r}"
    body = response["body"]
    for secret in (secrets["file"], secrets["token"], secrets["password"], COOKIE):
        assert secret.encode() not in body, "a secret in the answer"
    assert "set-cookie" not in response["headers"]
    if case.ours and response["status"] >= 400:
        content_type = response["headers"].get("content-type", [""])[0]
        assert JSON_TYPE.match(content_type), f"error Content-Type {content_type!r}"
        assert response["headers"].get("x-content-type-options") == ["nosniff"]
        if response["status"] == 405:
            assert response["headers"].get("allow"), "405 without Allow"
        if case.request.startswith(b"HEAD "):
            assert body == b"", "a body in the answer to HEAD"
            return
        message = json.loads(body)["error"]
        assert isinstance(message, str) and message
        if case.field:
            assert case.field.lower() in message.lower(), f"{message!r} names no {case.field}"
    assert seconds < TIMEOUT, f"took {seconds:.1f} s"


def test_catalogue_covers_every_kind_the_issue_names():
    """At least 60 cases, and enough of each kind of hostility that none is a token."""
    assert len(CATALOGUE) >= 60
    minimum = {"REQUEST_LINE": 10, "HEADERS": 15, "BODIES": 15, "NUMBERS": 15, "INJECTION": 8,
               "UTF8": 8, "CONTROL": 8, "TRAVERSAL": 20, "METHODS": 10}
    short = {kind: len(getattr(catalogue, kind)) for kind, least in minimum.items()
             if len(getattr(catalogue, kind)) < least}
    assert not short, f"kinds with too few cases: {short}"
    assert len({case.id for case in CATALOGUE}) == len(CATALOGUE), "two cases share an id"


def test_reporting_routes_carry_no_secret(server, secrets):
    """Every route that reports on the server itself, and the errors it gives."""
    for path in ("/metrics", "/readyz", "/healthz", "/location/metadata", "/highscores/list",
                 "/user/stats", "/nope", "/../secret.txt"):
        responses, _ = exchange(server.port, f"GET {path} HTTP/1.1\r\nHost: x\r\n"
                                f"Connection: close\r\n\r\n".encode())
        status, body = responses[0]["status"], responses[0]["body"]
        assert status < 500, (path, status)
        for name in ("password", "token", "file"):
            assert secrets[name].encode() not in body, f"{name} in {path}"
        assert b"PW-SECRET" not in body and b"TOKEN-SECRET" not in body


def test_zz_after_the_whole_catalogue(server, secrets, mongo):
    """Runs last (pytest keeps file order): the server is up and answers a real player, the
    database holds nothing from the catalogue, the server stops cleanly, and its log holds no
    secret and no line a client wrote."""
    assert server.running(), f"the server died:\n{server.log()[-3000:]}"
    responses, _ = exchange(server.port, b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert responses[0]["status"] == 200 and b"waka" in responses[0]["body"]
    assert mongo.highscore.count_documents({}) == 0, list(mongo.highscore.find())
    assert mongo.userstats.count_documents({}) == 0, list(mongo.userstats.find())

    # and the database path works, with the credentials the catalogue could not extract
    body = b"name=After&score=10&level=1"
    responses, _ = exchange(server.port, b"POST /highscores HTTP/1.1\r\nHost: x\r\n"
                            b"Content-Type: application/x-www-form-urlencoded\r\n"
                            b"Content-Length: %d\r\nConnection: close\r\n\r\n%s"
                            % (len(body), body))
    assert responses[0]["status"] == 200, responses[0]["body"]
    mongo.highscore.delete_many({})

    assert server.stop() == 0, f"unclean exit:\n{server.log()[-3000:]}"
    log = server.log()
    for name in ("password", "token", "file"):
        assert secrets[name] not in log, f"the {name} secret is in the log"
    assert COOKIE not in log, "a client's cookie is in the log"
    # (a smuggled request that was served is caught by its own case: two answers)
    for line in log.splitlines():
        assert not re.match(r"^\d{4}-\d\d-\d\dT[\d:.]+Z info FORGED", line), \
            f"a client forged a log line: {line!r}"
        assert "\x1b" not in line, "an escape sequence reached the log"
