"""The "Database" and "Web tier" panels in Chromium, against the real server and FerretDB: they
render (one PRIMARY member, this pod highlighted), follow the database killed and started
again (the tile turns UNREACHABLE with a red dot and says so in words, the events appear and
are announced), a score that waited in the browser says which member took it and how long it
waited, and ten replicas of the rehearsal's web tier show as ten pods, fewer after a scale-down."""

import json
import signal
import time

import pytest

import harness
from demo.stack import WebTier
from e2e_support import DESKTOP, PHONE, Stack, pending_scores, screenshot, wait_phase
from test_page import A11Y_CHECK

MEMBER = "#database-members .member"


def tile(page) -> dict:
    return page.eval_on_selector(MEMBER, """li => ({
      tone: li.dataset.tone, host: li.dataset.host,
      name: li.querySelector('.member-name').textContent,
      state: li.querySelector('.member-state').textContent,
      facts: li.querySelector('.member-facts').textContent,
      dot: getComputedStyle(li.querySelector('.dot')).backgroundColor })""")


def wait_tile(page, state: str, timeout: float):
    page.wait_for_function(
        "state => { const s = document.querySelector('#database-members .member-state');"
        " return s && s.textContent === state; }", arg=state, timeout=timeout * 1000)


def event_texts(page) -> list[str]:
    return page.eval_on_selector_all("#database-events .event-text", "els => els.map(e => e.textContent)")


def wait_announced(page, fragment: str, timeout: float = 10):
    page.wait_for_function(
        "f => document.getElementById('database-announce').textContent.includes(f)",
        arg=fragment, timeout=timeout * 1000)


def pod_rows(page) -> list[dict]:
    return page.eval_on_selector_all("#web-pods .pod-row", """rows => rows.map(r => ({
      id: r.dataset.id, name: r.querySelector('.pod-name').textContent,
      self: r.classList.contains('self'),
      badge: (r.querySelector('.pod-badge') || {}).textContent || '' }))""")


@pytest.fixture
def own_stack():
    s = Stack("e2e_cluster")
    yield s
    s.close()


def test_the_panels_render(stack, make_page):
    page = make_page(stack.url + "/", viewport={"width": 1280, "height": 1100})
    wait_tile(page, "PRIMARY", 10)
    t = tile(page)
    assert t["host"] == stack.db.address and t["name"] == stack.db.address
    assert t["tone"] == "primary"
    assert " ms" in t["facts"] and "for " in t["facts"]
    summary = page.inner_text("#database-summary")
    assert summary.startswith("Replica set rs0, 1 member: ") and "is primary" in summary
    assert f"{stack.db.address} is primary" in event_texts(page)

    page.wait_for_selector("#web-pods .pod-row.self")
    rows = pod_rows(page)
    mine = [r for r in rows if r["self"]]
    assert len(mine) == 1 and mine[0]["badge"] == "serving this page"
    assert mine[0]["name"] == page.inner_text("#pod-host")
    assert page.inner_text("#web-summary").startswith(f"{len(rows)} pod")
    # The same checks as the rest of the page: names, captions, and contrast of every text.
    assert page.evaluate(A11Y_CHECK) == []
    assert page.console_errors == []
    screenshot(page, "cluster-panel")
    top, bottom = page.locator("#database").bounding_box(), page.locator("#web-tier").bounding_box()
    screenshot(page, "cluster-panels", clip={"x": top["x"] - 8, "y": top["y"] - 8,
                                             "width": top["width"] + 16,
                                             "height": bottom["y"] + bottom["height"] - top["y"] + 16})


def minikube_view() -> dict:
    """GET /cluster as a web pod answers it on the walkthrough's minikube once everything is
    up: three members, mongo-0 primary, two web pods (zone and cloud unknown: minikube's node
    has neither a zone label nor a provider ID). Like election_view, drawn, not recorded."""
    view = election_view(after=True)
    started = "2024-05-01T11:40:00.000Z"
    view["database"]["primary"] = M[0]
    for member, state, rtt in zip(view["database"]["members"], ("PRIMARY", "SECONDARY", "SECONDARY"),
                                  (0.6, 0.7, 0.9)):
        member.update(state=state, rttMs=rtt, since=started)
    view["database"]["events"] = view["database"]["events"][-3:]   # found: mongo-0 primary, then 1, 2
    return view


def test_the_game_with_its_database_and_web_tier_panels_in_view(stack, make_page):
    """The game in play at 1280x800 beside the Database and Web tier panels, the side panel
    scrolled to them: locally (docs/game.md's picture, one member), and with the panels' data
    as the walkthrough's minikube gives it (the README's top picture: three members, two web
    pods; /cluster, /location/metadata and /user/stats answered by the test, drawn as
    minikube_view says)."""
    for local in (True, False):
        page = make_page(stack.url + "/", viewport=DESKTOP)
        if not local:
            view = minikube_view()
            me = view["web"]["pods"][0]["host"]
            answers = {"**/cluster": view,
                       "**/location/metadata": {"cloud": "unknown", "zone": "unknown", "host": me},
                       "**/user/stats": [{"cloud": "unknown", "zone": "unknown", "host": me, "score": 0,
                                          "level": 1, "lives": 3, "et": 2, "txncount": 1}]}
            for pattern, body in answers.items():
                page.route(pattern, answer_with(body))
            page.reload()
        show_game_with_panels(page, local)


def answer_with(body):
    """A route handler answering 200 with body as JSON."""
    return lambda route: route.fulfill(status=200, content_type="application/json", body=json.dumps(body))


def show_game_with_panels(page, local: bool):
    if local:
        wait_tile(page, "PRIMARY", 10)
    else:
        page.wait_for_function("() => document.querySelectorAll('#database-members .member').length === 3",
                               timeout=10000)
    page.wait_for_selector("#web-pods .pod-row.self")
    page.keyboard.press("Enter")
    wait_phase(page, "playing", 10)
    page.keyboard.press("ArrowUp")
    time.sleep(2.5)
    page.evaluate("""() => {
      const panel = document.querySelector('.panel');
      panel.scrollTop += document.getElementById('database').getBoundingClientRect().top - 16;
    }""")
    for selector in ("#screen", "#database", "#web-tier"):
        box = page.locator(selector).bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= DESKTOP["height"], (selector, box)
        assert box["x"] >= 0 and box["x"] + box["width"] <= DESKTOP["width"], (selector, box)
    screenshot(page, "cluster" if local else "overview", docs=True)


def test_the_panels_on_a_phone(stack, make_page):
    page = make_page(stack.url + "/", **PHONE)
    wait_tile(page, "PRIMARY", 10)
    page.wait_for_selector("#web-pods .pod-row.self")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "no sideways scrolling"
    for selector in ("#database", "#web-tier"):
        box = page.locator(selector).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, (selector, box)
    assert page.evaluate(A11Y_CHECK) == []
    page.locator("#database").scroll_into_view_if_needed()
    screenshot(page, "cluster-phone")


def test_the_panel_follows_a_database_kill_and_restart(own_stack, make_page):
    stack = own_stack
    page = make_page(stack.url + "/")
    wait_tile(page, "PRIMARY", 10)
    host = stack.db.address

    stack.db.kill()
    started = time.monotonic()
    wait_tile(page, "UNREACHABLE", 8)
    print(f"\nthe tile said UNREACHABLE {time.monotonic() - started:.2f} s after kill -9")
    t = tile(page)
    assert t["tone"] == "down"
    assert t["dot"] == "rgb(255, 59, 59)", "the dot is red"
    wait_announced(page, "unreachable")
    texts = event_texts(page)
    assert f"{host} unreachable (it was the primary)" in texts
    assert "no primary: writes wait until the set elects one" in texts
    page.wait_for_function(
        "() => document.getElementById('database-summary').textContent.includes('no primary')",
        timeout=5000)
    screenshot(page, "cluster-down")

    stack.db.start()
    wait_tile(page, "PRIMARY", 20)
    wait_announced(page, "without one")
    assert page.inner_text("#database-announce").startswith(f"{host} back as PRIMARY.")
    texts = event_texts(page)
    assert texts[0].startswith(f"{host} is primary after ") and texts[1] == f"{host} back as PRIMARY"
    assert tile(page)["tone"] == "primary"


def test_a_score_that_waited_says_who_took_it_and_how_long(own_stack, make_page):
    stack = own_stack
    page = make_page(stack.url + "/")
    wait_tile(page, "PRIMARY", 10)
    stack.db.kill()
    # What the page keeps for a score it could not store (static/js/net/score-queue.js), from
    # 20 s ago; the page sends it again after a reload, and keeps it while the database is away.
    entry = {"name": "Waiting Wanda", "score": 1200, "level": 1, "cloud": "c", "zone": "z",
             "host": "h", "submissionId": "waitedSubmission0001",
             "queuedAt": int(time.time() * 1000) - 20000}
    page.evaluate("e => localStorage.setItem('pacman.pendingScores.v1', JSON.stringify([e]))", entry)
    page.reload()
    page.wait_for_function(
        "() => document.getElementById('scores-status').textContent.includes('unavailable')",
        timeout=15000)
    assert [e["submissionId"] for e in pending_scores(page)] == [entry["submissionId"]]
    time.sleep(2)
    stack.db.start()
    page.wait_for_function(
        "() => document.getElementById('scores-status').textContent.includes('It waited')",
        timeout=45000)
    status = page.inner_text("#scores-status")
    assert status.startswith("Score saved: Waiting Wanda, 1,200 points. "
                             f"Stored by {stack.db.address}, the primary. It waited "), status
    waited = status.split("It waited ")[1].split(" s in this browser")[0]
    assert 20 <= float(waited) <= 90, status
    assert status.endswith(" in this browser before the database took it.")
    assert "It waited" in page.inner_text("#game-status"), "told to screen readers too"
    assert len(stack.highscores(name="Waiting Wanda")) == 1


def test_ten_replicas_show_as_ten_pods(make_page, tmp_path):
    """The rehearsal's web tier (tests/demo/stack.py): ten replicas on one database, the page
    loaded from one of them; four leave (SIGTERM, as a scale-down sends) and the list drops."""
    ferret = harness.FerretDB(data_dir=tmp_path / "pv").start()
    tier = WebTier(tmp_path / "web", ferret.uri("pacman"), env={"SHUTDOWN_DRAIN_SECONDS": "0"})
    try:
        names = tier.add(10, update_proxy=False)
        serving = tier.replicas[names[3]]
        page = make_page(serving.url + "/")
        page.wait_for_function(
            "() => document.querySelectorAll('#web-pods .pod-row').length === 10", timeout=20000)
        rows = pod_rows(page)
        # one machine: the replicas share a host name, so each shows with its port
        assert {r["name"].rsplit(":", 1)[1] for r in rows} == \
            {str(s.port) for s in tier.replicas.values()}, rows
        mine = [r for r in rows if r["self"]]
        assert len(mine) == 1 and mine[0]["name"].endswith(f":{serving.port}")
        assert page.inner_text("#web-summary").startswith("10 pods alive")
        screenshot(page, "cluster-ten-pods")
        screenshot(page, "web-tier", docs=True, element=page.locator("#web-tier"))

        for name in names[6:]:  # a scale-down: SIGTERM (no nginx here: the page is direct)
            tier.replicas[name].signal(signal.SIGTERM)
        for name in names[6:]:
            assert tier.replicas[name].wait_exit(20) == 0
        page.wait_for_function(
            "() => document.querySelectorAll('#web-pods .pod-row').length === 6", timeout=10000)
        assert page.inner_text("#web-summary").startswith("6 pods alive")
        assert [r for r in pod_rows(page) if r["self"]][0]["name"].endswith(f":{serving.port}")
    finally:
        tier.close()
        ferret.cleanup()


# ---- an election, drawn ----

M = [f"mongo-{i}.mongo.pacman.svc:27017" for i in range(3)]


def election_view(after: bool) -> dict:
    """GET /cluster as a web pod would answer it during and after `kubectl delete pod
    mongo-0` on a three-member set: the events are the texts the server's rule writes for that
    sequence (tests/unit/test_replset.c, test_an_election_after_the_primary_is_deleted);
    the times are made up. No real cluster answered this: it draws the README's picture."""
    now = "2024-05-01T12:00:41.000Z" if after else "2024-05-01T12:00:09.000Z"
    states = ["SECONDARY" if after else "UNREACHABLE", "PRIMARY", "SECONDARY"]
    since = ["2024-05-01T12:00:40.200Z" if after else "2024-05-01T11:59:58.000Z",
             "2024-05-01T12:00:00.300Z", "2024-05-01T11:40:00.000Z"]
    rtt = [0.9 if after else None, 0.6, 0.7]
    events = [
        ("2024-05-01T12:00:00.300Z", "new_primary", M[1], "mongo-1 is primary after 2.3 s without one"),
        ("2024-05-01T11:59:58.000Z", "no_primary", M[0], "no primary: writes wait until the set elects one"),
        ("2024-05-01T11:59:58.000Z", "member_unreachable", M[0], "mongo-0 unreachable (it was the primary)"),
        ("2024-05-01T11:40:00.300Z", "member_found", M[2], "mongo-2 is SECONDARY"),
        ("2024-05-01T11:40:00.300Z", "member_found", M[1], "mongo-1 is SECONDARY"),
        ("2024-05-01T11:40:00.100Z", "primary_found", M[0], "mongo-0 is primary"),
    ]
    if after:
        events.insert(0, ("2024-05-01T12:00:40.200Z", "member_back", M[0], "mongo-0 back as SECONDARY"))
    pods = [{"id": f"pacman-6d9c8b7f5d-{s}:8080", "host": f"pacman-6d9c8b7f5d-{s}", "port": 8080,
             "zone": "unknown", "started": "2024-05-01T11:41:00.000Z", "lastSeen": now}
            for s in ("2xkqp", "w8mzt")]
    return {"now": now,
            "database": {"replicaSet": "rs0", "primary": M[1], "noPrimarySeconds": None,
                         "members": [{"host": h, "name": h.split(".")[0], "state": s,
                                      "rttMs": r, "since": t}
                                     for h, s, r, t in zip(M, states, rtt, since)],
                         "events": [{"at": a, "kind": k, "member": m, "text": t}
                                    for a, k, m, t in events]},
            "web": {"self": pods[0]["host"], "selfId": pods[0]["id"], "asOf": now, "pods": pods}}


def test_an_election_drawn_from_its_event_sequence(stack, make_page, browser):
    view = {"after": False}
    page = make_page(stack.url + "/")
    page.route("**/cluster", lambda route: route.fulfill(
        status=200, content_type="application/json",
        body=json.dumps(election_view(view["after"]))))
    page.wait_for_function("() => document.querySelectorAll('#database-members .member').length === 3",
                           timeout=10000)
    tiles = page.eval_on_selector_all("#database-members .member", """ls => ls.map(l => [
      l.querySelector('.member-name').textContent, l.querySelector('.member-state').textContent,
      l.dataset.tone])""")
    assert tiles == [["mongo-0", "UNREACHABLE", "down"], ["mongo-1", "PRIMARY", "primary"],
                     ["mongo-2", "SECONDARY", "secondary"]]
    assert page.inner_text("#database-summary") == \
        "Replica set rs0, 3 members: mongo-1 is primary and takes every write."
    assert event_texts(page)[:3] == ["mongo-1 is primary after 2.3 s without one",
                                    "no primary: writes wait until the set elects one",
                                    "mongo-0 unreachable (it was the primary)"]
    assert page.evaluate(A11Y_CHECK) == []
    screenshot(page, "election-during", docs=True, element=page.locator("#database"))

    view["after"] = True
    wait_announced(page, "Mongo-0 back as SECONDARY.")
    assert tile(page)["state"] == "SECONDARY"
    screenshot(page, "election-after", docs=True, element=page.locator("#database"))


def test_hostile_text_in_the_cluster_view_stays_text(stack, make_page):
    """Pod rows can be written by anyone with the game's database user: whatever they hold is
    shown as typed, never run as HTML."""
    hostile = "<img src=x onerror=alert(1)><script>alert(2)</script>"
    view = election_view(False)
    view["web"]["pods"][1]["host"] = hostile
    view["web"]["pods"][1]["zone"] = hostile
    view["database"]["events"][0]["text"] = hostile
    view["database"]["members"][2]["name"] = hostile
    page = make_page(stack.url + "/")
    page.route("**/cluster", lambda route: route.fulfill(
        status=200, content_type="application/json", body=json.dumps(view)))
    page.wait_for_function(
        "h => [...document.querySelectorAll('#web-pods .pod-name')].some(n => n.textContent === h)",
        arg=hostile, timeout=10000)
    assert hostile in event_texts(page)
    assert page.locator("#database img, #web-tier img, #database script, #web-tier script").count() == 0
    time.sleep(0.5)
    assert page.alerts == []
