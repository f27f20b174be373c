"""What the store writes is built from validated, typed values only: fields a client adds are
ignored (no mass assignment), operators never reach a query, and text that looks like HTML is
kept as the data it is, for a page that never treats it as markup."""

import json
import re
from datetime import datetime, timedelta, timezone

import pymongo
import pytest
import requests

from harness import ROOT

JSON = {"Content-Type": "application/json"}


@pytest.fixture
def own(ferret, make_server):
    """A server on a database of its own: these tests store things."""
    database = f"hostile_inj_{__import__('uuid').uuid4().hex[:8]}"
    srv = make_server({"MONGO_URI": ferret.uri(database), "HIGHSCORES_CACHE_MS": "0"})
    client = pymongo.MongoClient(ferret.uri(database), serverSelectionTimeoutMS=10000)
    yield srv.url, client[database]
    client.close()


def test_extra_fields_are_not_stored(own):
    url, db = own
    response = requests.post(url + "/highscores", timeout=10, headers=JSON, data=json.dumps({
        "name": "Ann", "score": 500, "level": 1, "_id": "chosen", "date": 0, "rs": "x",
        "admin": True, "cloud": "c", "zone": "z", "host": "h", "name.first": "x"}))
    assert response.status_code == 200, response.text
    [doc] = list(db.highscore.find())
    assert set(doc) == {"_id", "name", "cloud", "zone", "host", "score", "level", "date"}
    assert doc["_id"] != "chosen" and doc["score"] == 500 and doc["name"] == "Ann"
    date = doc["date"].replace(tzinfo=timezone.utc)
    assert abs(datetime.now(timezone.utc) - date) < timedelta(minutes=5), "client chose the date"


def test_update_counter_cannot_be_set_by_the_client(own):
    url, db = own
    user = requests.get(url + "/user/id", timeout=10).json()
    for counter in ("1000000", "-5"):
        response = requests.post(url + "/user/stats", timeout=10, data={
            "userId": user, "score": "10", "level": "1", "lives": "3", "elapsedTime": "5",
            "updateCounter": counter, "lastUpdate": "0"})
        assert response.status_code == 200, response.text
    doc = db.userstats.find_one()
    assert doc["updateCounter"] == 2
    assert isinstance(doc["lastUpdate"], datetime)


def test_operator_shaped_text_is_stored_as_text(own):
    """A name is text: '{"$gt": ""}' typed into the name box is a name, not an operator."""
    url, db = own
    name = '{"$gt": ""} $where'
    response = requests.post(url + "/highscores", timeout=10,
                             data={"name": name, "score": "7", "level": "1"})
    assert response.status_code == 200, response.text
    assert db.highscore.find_one()["name"] == name
    assert requests.get(url + "/highscores/list", timeout=10).json()[0]["name"] == name


HTML_NAMES = ["<img src=x onerror=alert(1)>", "<script>alert(1)</script>", "\"><svg onload=x>",
              "javascript:alert(1)", "{{7*7}}${7*7}"]


def test_html_in_a_name_comes_back_as_json_data(own):
    url, _ = own
    for i, name in enumerate(HTML_NAMES):
        response = requests.post(url + "/highscores", timeout=10,
                                 data={"name": name, "score": str(100 + i), "level": "1"})
        assert response.status_code == 200, (name, response.text)
    response = requests.get(url + "/highscores/list", timeout=10)
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert sorted(e["name"] for e in response.json()) == sorted(HTML_NAMES)
    page = requests.get(url + "/", timeout=10)
    csp = page.headers["Content-Security-Policy"]
    assert re.search(r"script-src 'self'(;|$)", csp), csp  # no inline script can run
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp


SINKS = re.compile(r"\.innerHTML\b|\.outerHTML\b|insertAdjacentHTML|document\.write|"
                   r"\beval\s*\(|new\s+Function\s*\(|setTimeout\s*\(\s*['\"`]|"
                   r"\.setAttribute\s*\(\s*['\"]on|createContextualFragment|DOMParser")


def test_the_page_has_no_html_sink_for_a_name():
    """The stored-XSS hole of the old app was jQuery's .html(name). The client must write
    every server string as text: no script in static/ uses an HTML-parsing sink."""
    offenders = []
    for path in sorted((ROOT / "static").rglob("*")):
        if path.suffix in (".js", ".mjs", ".html"):
            for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
                if SINKS.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, "HTML sinks in the client:\n" + "\n".join(offenders)
    html = (ROOT / "static" / "index.html").read_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "an inline script"
    assert not re.search(r"\son[a-z]+\s*=", html), "an inline event handler"
