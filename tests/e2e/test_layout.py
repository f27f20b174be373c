"""The page around the maze, measured in Chromium at 1280x800 and at 390x844 with touch, with
long realistic values stored through the real API (a 32-character name, emoji names, zones
like us-central1-a and europe-west4-b, pods like pacman-7f9c6d8b5-x2lq3, 7-digit scores): no
column of the tables is cut, no word is broken across lines, every score shows whole; finished
games are not listed as live; the score line is as wide as the maze; the buttons keep their
place and a disabled one looks disabled whatever its kind."""

import json
import time
import urllib.request

import pytest

from e2e_support import PHONE, screenshot, wait_phase
from test_page import A11Y_CHECK

LONG_NAME = "Maximiliana Featherstonehaugh-Ng"
assert len(LONG_NAME) == 32
SCORES = [
    (LONG_NAME, "gcp", "us-central1-a", "pacman-7f9c6d8b5-x2lq3", 3333360),
    ("👾 Space Invader 👾", "gcp", "europe-west4-b", "pacman-7f9c6d8b5-x2lq3", 2468100),
    ("👾" * 20, "aws", "eu-central-1a", "pacman-5d8f7c9b4-k7m2p", 1999990),
    ("Zoë Ångström-Nakamura", "azure", "westeurope-3", "pacman-7f9c6d8b5-qw9zt", 1234567),
    ("Grace Hopper", "gcp", "asia-northeast1-c", "pacman-7f9c6d8b5-x2lq3", 987650),
    ("李小龍 Bruce", "gcp", "us-central1-a", "pacman-6c4d9f8b7-hh2vx", 765430),
    ("O'Brien & Sons <script>", "aws", "us-east-1b", "pacman-5d8f7c9b4-k7m2p", 543210),
    ("Ada", "unknown", "unknown", "vm", 99990),
    ("🍒🍒 Cherry Queen 🍒🍒", "gcp", "europe-west4-b", "pacman-7f9c6d8b5-x2lq3", 45670),
    ("Pac Fan 2024", "gcp", "us-central1-a", "pacman-7f9c6d8b5-x2lq3", 3210),
]
LIVE = [  # host, zone, cloud, score, level, lives, elapsed seconds
    ("pacman-7f9c6d8b5-x2lq3", "us-central1-a", "gcp", 1234567, 150, 2, 3725),
    ("pacman-5d8f7c9b4-k7m2p", "europe-west4-b", "gcp", 24560, 3, 5, 312),
]
FINISHED_HOST = "pacman-0a0a0a0a0-gone0"

# For every cell of the two tables: is its text cut (wider than its box, or outside the
# table's box), and is any word of it spread over two lines? A word is a run of non-space
# characters other than emoji alone (a row of 20 emoji may wrap between two of them).
MEASURE = """() => {
  const problems = [];
  const emojiOnly = /^[\\p{Extended_Pictographic}\\u200d\\ufe0f]+$/u;
  for (const id of ['scores-body', 'live-body']) {
    const wrap = document.getElementById(id).closest('.table-wrap');
    const box = wrap.getBoundingClientRect();
    if (wrap.scrollWidth > wrap.clientWidth + 1) problems.push(`${id} scrolls sideways: ${wrap.scrollWidth} > ${wrap.clientWidth}`);
    for (const cell of wrap.querySelectorAll('th, td, .where-host, .where-place > span')) {
      const text = cell.textContent.trim();
      if (!text || cell.matches('.visually-hidden *')) continue;
      const r = cell.getBoundingClientRect();
      const label = `${id} ${cell.className || cell.tagName} "${text}"`;
      if (cell.scrollWidth > cell.clientWidth + 1) problems.push(`${label}: cut (${cell.scrollWidth} > ${cell.clientWidth})`);
      if (r.left < box.left - 1 || r.right > box.right + 1) problems.push(`${label}: outside the table (${r.left}-${r.right} of ${box.left}-${box.right})`);
      const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        if (n.parentElement !== cell && !cell.matches('.where-host, .where-place > span') && n.parentElement.closest('.where-host, .where-place')) continue;
        for (const m of n.textContent.matchAll(/\\S+/gu)) {
          if (emojiOnly.test(m[0])) continue;
          const range = document.createRange();
          range.setStart(n, m.index);
          range.setEnd(n, m.index + m[0].length);
          const tops = new Set([...range.getClientRects()].filter((q) => q.width > 0).map((q) => Math.round(q.top)));
          if (tops.size > 1) problems.push(`${label}: "${m[0]}" broken over ${tops.size} lines`);
        }
      }
    }
    for (const score of wrap.querySelectorAll('td.score')) {
      const lines = new Set([...score.getClientRects()].map((q) => Math.round(q.top)));
      if (lines.size !== 1) problems.push(`${id} score "${score.textContent}" on ${lines.size} lines`);
    }
  }
  return problems;
}"""


def post(url: str, path: str, body: dict):
    request = urllib.request.Request(url + path, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def get(url: str, path: str):
    with urllib.request.urlopen(url + path, timeout=10) as response:
        return json.load(response)


@pytest.fixture(scope="module")
def long_values(stack):
    """Ten high scores and three players, stored through the server's own API."""
    for name, cloud, zone, host, score in SCORES:
        post(stack.url, "/highscores", {"name": name, "cloud": cloud, "zone": zone, "host": host,
                                        "score": score, "level": 150})
    for host, zone, cloud, score, level, lives, elapsed in LIVE + [
            (FINISHED_HOST, "us-central1-a", "gcp", 4200, 2, 0, 200)]:
        user = get(stack.url, "/user/id")
        post(stack.url, "/user/stats", {"userId": user, "cloud": cloud, "zone": zone, "host": host,
                                         "score": score, "level": level, "lives": lives,
                                         "elapsedTime": elapsed})
    return stack


def open_with_tables(make_page, stack, **options):
    page = make_page(stack.url + "/", **options)
    page.wait_for_function("() => document.querySelectorAll('#scores-body tr').length === 10")
    page.wait_for_function(
        "h => [...document.querySelectorAll('#live-body .where-host')].some(e => e.textContent === h)",
        arg=LIVE[0][0], timeout=15000)
    return page


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_long_values_fit_the_tables_whole(long_values, make_page, size):
    options = {} if size == "desktop" else PHONE
    page = open_with_tables(make_page, long_values, **options)
    page.locator("#scores").scroll_into_view_if_needed()
    if size == "desktop":
        screenshot(page, "highscores", docs=True)  # the README's picture of the table
    screenshot(page, f"tables-{size}")
    page.locator("#live").scroll_into_view_if_needed()
    screenshot(page, f"live-{size}")
    assert page.evaluate(MEASURE) == []
    assert page.evaluate(A11Y_CHECK) == [], "captions, headers, contrast of every text"
    shown = page.eval_on_selector_all("#scores-body td.score", "cells => cells.map(c => c.innerText)")
    assert shown == [f"{s[4]:,}" for s in SCORES], "every score whole, in order"
    names = page.eval_on_selector_all("#scores-body td.name", "cells => cells.map(c => c.textContent)")
    assert names == [s[0] for s in SCORES]
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    # Finished games are not live; the players still in a game are.
    live_hosts = page.eval_on_selector_all("#live-body .where-host", "els => els.map(e => e.textContent)")
    assert FINISHED_HOST not in live_hosts
    assert set(h for h, *_ in LIVE) <= set(live_hosts)
    assert page.console_errors == []


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_score_line_is_as_wide_as_the_maze(stack, make_page, size):
    page = make_page(stack.url + "/", **({} if size == "desktop" else PHONE))
    page.evaluate("localStorage.setItem('pacman.best', '3333360')")
    page.reload()
    page.wait_for_function("() => document.getElementById('high-score').textContent === '3333360'")
    maze = page.locator("#screen").bounding_box()
    for selector in (".hud", ".hud-item:first-child", ".hud-item:last-child"):
        box = page.locator(selector).bounding_box()
        assert box["x"] >= maze["x"] - 1 and box["x"] + box["width"] <= maze["x"] + maze["width"] + 1, \
            (selector, box, maze)
    hud = page.locator(".hud").bounding_box()
    assert abs(hud["width"] - maze["width"]) <= 1, (hud, maze)
    # The high score (7 digits) shows whole.
    assert page.evaluate("(() => { const e = document.getElementById('high-score'); "
                         "return e.scrollWidth <= e.clientWidth + 1; })()")


def test_pause_keeps_the_buttons_in_place_and_disabled_buttons_look_alike(stack, make_page):
    page = make_page(stack.url + "/")
    look = """sel => { const s = getComputedStyle(document.querySelector(sel));
      return [s.backgroundColor, s.color, s.borderColor]; }"""
    assert page.get_attribute("#pause-button", "disabled") is not None
    page.keyboard.press("Enter")
    wait_phase(page, "ready", 5)
    assert page.evaluate("document.getElementById('start-button').disabled")
    disabled_start = page.evaluate(look, "#start-button")
    wait_phase(page, "playing", 10)

    def places():
        return [page.locator(s).bounding_box() for s in ("#start-button", "#pause-button", "#mute-button", "#volume")]

    before = places()
    page.keyboard.press("p")
    page.wait_for_selector("#game[data-paused='true']")
    assert page.inner_text("#pause-button") == "Resume"
    assert places() == before, "Resume is as wide as Pause: nothing moves"
    page.keyboard.press("p")
    page.wait_for_selector("#game[data-paused='false']")
    assert page.inner_text("#pause-button") == "Pause"
    assert places() == before
    # A disabled Start looks like any disabled button, not like a dimmed yellow one.
    page2 = make_page(stack.url + "/")
    assert disabled_start == page2.evaluate(look, "#pause-button"), "Start (disabled) and Pause (disabled) alike"
