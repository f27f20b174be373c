"""Game over and the high-score table: the normal game, the short test switch, a hostile name,
and level progression through the test switch."""

import time

from e2e_support import number, pending_scores, phase, screenshot, wait_phase

HOSTILE = "<img src=x onerror=alert(1)>"


def play_until_name_asked(page, timeout: float):
    """Starts a game, lets the ghosts win, and waits for the name dialog."""
    page.keyboard.press("Enter")
    wait_phase(page, "ready", 5)
    wait_phase(page, "gameOver", timeout)
    page.wait_for_selector("#name-dialog[open]", timeout=15000)
    assert page.evaluate("document.activeElement.id") == "player-name", "the name field has focus"


def enter_name(page, name: str):
    page.fill("#player-name", name)
    page.keyboard.press("Enter")
    page.wait_for_selector("#name-dialog", state="hidden")


def wait_in_table(page, name: str, timeout: float = 15):
    page.wait_for_function(
        "name => [...document.querySelectorAll('#scores-body td')].some(td => td.textContent === name)",
        arg=name, timeout=timeout * 1000)


def table_rows(page):
    return page.eval_on_selector_all(
        "#scores-body tr", "rows => rows.map(r => [...r.children].map(c => c.textContent))")


def test_a_full_normal_game_ends_with_the_name_in_the_table(stack, make_page):
    # No test switch: three lives, the whole maze. Pacman is left alone, so the ghosts win.
    page = make_page(stack.url + "/?seed=2")
    play_until_name_asked(page, timeout=150)
    assert page.inner_text("#lives") == "0"
    final = number(page, "#score")
    assert final > 0
    assert number(page, "#name-score") == final
    enter_name(page, "Normal Nora")
    wait_in_table(page, "Normal Nora")
    rows = table_rows(page)
    mine = next(r for r in rows if r[1] == "Normal Nora")
    host = page.inner_text("#pod-host")
    assert mine[0] == "1"
    assert mine[4] == host
    assert int(mine[5].replace(",", "")) == final
    assert "Score saved" in page.inner_text("#scores-status")
    assert pending_scores(page) == []
    docs = stack.highscores(name="Normal Nora")
    assert len(docs) == 1 and docs[0]["score"] == final
    screenshot(page, "highscores")
    # Enter starts the next game from the game-over screen.
    page.keyboard.press("Enter")
    wait_phase(page, "ready", 5)
    assert page.inner_text("#lives") == "3" and page.inner_text("#score") == "0"
    assert page.console_errors == []


def test_a_hostile_name_is_shown_as_text(stack, make_page):
    page = make_page(stack.url + "/?lives=1&seed=5")
    play_until_name_asked(page, timeout=60)
    # An empty name is explained in the dialog and not sent.
    page.fill("#player-name", "   ")
    page.keyboard.press("Enter")
    assert page.inner_text("#name-error") == "Please type a name."
    assert page.get_attribute("#player-name", "aria-invalid") == "true"
    assert page.locator("#name-dialog[open]").count() == 1
    assert pending_scores(page) == []
    page.fill("#player-name", HOSTILE)
    screenshot(page, "name-dialog")
    enter_name(page, HOSTILE)
    wait_in_table(page, HOSTILE)
    assert page.locator("#scores-body img").count() == 0
    assert page.locator("img").count() == 0
    assert page.alerts == [], "no script ran"
    assert len(stack.highscores(name=HOSTILE)) == 1
    # It also reads back as text after a reload, from the server's list.
    page.reload()
    wait_in_table(page, HOSTILE)
    assert page.locator("#scores-body img").count() == 0
    assert page.alerts == []


def test_skipping_the_name_stores_nothing(stack, make_page):
    before = len(stack.highscores())
    page = make_page(stack.url + "/?lives=1&seed=8")
    play_until_name_asked(page, timeout=60)
    page.keyboard.press("Escape")
    page.wait_for_selector("#name-dialog", state="hidden")
    assert pending_scores(page) == []
    assert len(stack.highscores()) == before
    assert phase(page) == "gameOver"


def test_the_dots_switch_clears_levels_quickly(stack, make_page):
    # ?dots=3 keeps 3 pellets on Pacman's way: he clears each level on his own.
    page = make_page(stack.url + "/?dots=3")
    page.keyboard.press("Enter")
    wait_phase(page, "levelComplete", 15)
    page.wait_for_function("() => document.getElementById('level').textContent === '2'", timeout=10000)
    wait_phase(page, "playing", 10)
    # After level 2 comes an intermission; a key skips it (after its first half second).
    wait_phase(page, "intermission", 15)
    time.sleep(0.6)
    screenshot(page, "intermission")
    page.keyboard.press("ArrowLeft")
    page.wait_for_function("() => document.getElementById('level').textContent === '3'", timeout=5000)
    assert number(page, "#score") == 60, "3 dots on each of the two levels cleared"
    assert page.console_errors == []
