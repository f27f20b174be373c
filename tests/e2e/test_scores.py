"""Game over and the high-score table. A normal game (no test switch: three lives, the whole
maze, Pacman left alone so the ghosts win) asks for a name and stores it once, shown as text
however hostile, and the page says so by the game, where a player on a phone looks; a skipped
name stores nothing, and a list that never answers holds neither the name nor the next game
up. A game with a test switch plays as usual, but is never stored, and the page says so."""

import time

from e2e_support import PHONE, number, pending_scores, phase, screenshot, wait_phase
from test_page import A11Y_CHECK

HOSTILE = "<img src=x onerror=alert(1)> 👾"
ALIENS = "👾" * 20  # 20 characters, 40 UTF-16 units
NORMAL_GAME_SECONDS = 150  # a normal game left alone ends in about 55 s


def wait_name_asked(page, timeout: float):
    wait_phase(page, "gameOver", timeout)
    page.wait_for_selector("#name-dialog[open]", timeout=15000)
    assert page.evaluate("document.activeElement.id") == "player-name", "the name field has focus"


def enter_name(page, name: str):
    page.fill("#player-name", name)
    page.keyboard.press("Enter")
    page.wait_for_selector("#name-dialog", state="hidden")


def wait_in_table(page, name: str, timeout: float = 15):
    page.wait_for_function(
        "name => [...document.querySelectorAll('#scores-body td.name')].some(td => td.textContent === name)",
        arg=name, timeout=timeout * 1000)


def table_rows(page):
    """The rows of the high-score table: {rank, name, cloud, zone, host, score} by the cells' columns."""
    return page.eval_on_selector_all("#scores-body tr", """rows => rows.map(r => Object.fromEntries(
      [...r.children].map(c => [c.className, c.textContent])))""")


def in_view(page, selector: str) -> dict:
    box = page.locator(selector).bounding_box()
    size = page.viewport_size
    assert box and box["y"] >= 0 and box["y"] + box["height"] <= size["height"], (selector, box, size)
    assert box["x"] >= 0 and box["x"] + box["width"] <= size["width"], (selector, box, size)
    return box


def test_a_normal_game_on_a_phone_ends_with_the_name_in_the_table_and_says_so_by_the_game(stack, make_page):
    page = make_page(stack.url + "/", **PHONE)
    assert page.locator("#test-note").is_hidden(), "a normal game"
    page.tap("#stage")
    wait_phase(page, "ready", 5)
    wait_name_asked(page, NORMAL_GAME_SECONDS)
    assert page.inner_text("#lives") == "0"
    final = number(page, "#score")
    assert final > 0
    assert number(page, "#name-score") == final

    # An empty name is explained in the dialog and not sent.
    page.fill("#player-name", "   ")
    page.keyboard.press("Enter")
    assert page.inner_text("#name-error") == "Please type a name."
    assert page.get_attribute("#player-name", "aria-invalid") == "true"
    assert pending_scores(page) == []
    # 20 emoji typed are 20 characters, kept whole (a maxlength of 32 counted them as 40).
    page.fill("#player-name", "")
    page.keyboard.insert_text(ALIENS)
    assert page.input_value("#player-name") == ALIENS
    assert page.inner_text("#name-error") == ""
    # Past 32 characters the field stops, and says why.
    page.keyboard.insert_text("👾" * 15)
    assert page.input_value("#player-name") == "👾" * 32
    assert page.inner_text("#name-error") == "At most 32 characters."
    screenshot(page, "name-dialog-phone")

    # A hostile name is stored and shown as text.
    enter_name(page, HOSTILE)
    # By the game, in view without scrolling: the score is saved.
    page.wait_for_function(
        "() => document.getElementById('game-note').textContent.startsWith('Score saved')", timeout=15000)
    note = in_view(page, "#game-note")
    maze = page.locator("#screen").bounding_box()
    assert maze["y"] <= note["y"] <= maze["y"] + maze["height"], "over the maze"
    assert page.inner_text("#game-note") == f"Score saved: {HOSTILE}, {final:,} points."
    screenshot(page, "phone-saved")

    wait_in_table(page, HOSTILE)
    mine = next(r for r in table_rows(page) if r["name"] == HOSTILE)
    assert mine["rank"] == "1" and mine["host"] == page.inner_text("#pod-host")
    assert int(mine["score"].replace(",", "")) == final
    assert page.locator("#scores-body tr.mine").count() == 1
    assert "Score saved" in page.inner_text("#scores-status")
    assert page.locator("img").count() == 0 and page.alerts == [], "no markup, no script"
    docs = stack.highscores(name=HOSTILE)
    assert len(docs) == 1 and docs[0]["score"] == final
    assert pending_scores(page) == []
    assert page.evaluate("localStorage.getItem('pacman.best')") == str(final)
    page.locator("#scores").scroll_into_view_if_needed()
    screenshot(page, "phone-table")

    # A tap starts the next game, and the note goes.
    page.tap("#stage")
    wait_phase(page, "ready", 5)
    assert page.inner_text("#lives") == "3" and page.inner_text("#score") == "0"
    assert page.locator("#game-note").is_hidden()
    # It reads back as text after a reload, from the server's list.
    page.reload()
    wait_in_table(page, HOSTILE)
    assert page.locator("img").count() == 0 and page.alerts == []
    assert page.console_errors == []


def test_with_a_list_that_never_answers_the_name_is_asked_and_a_skip_stores_nothing(stack, make_page):
    # Nine scores below any finished game's: the last list seen gives this game a place.
    with stack.mongo() as client:
        client[stack.database]["highscore"].delete_many({})
        client[stack.database]["highscore"].insert_many(
            [{"name": f"low{i}", "cloud": "c", "zone": "z", "host": "h", "score": 10 - i, "level": 1}
             for i in range(9)])
    before = len(stack.highscores())
    page = make_page(stack.url + "/")
    page.wait_for_function("() => document.querySelectorAll('#scores-body tr').length === 9")
    # From now on the list never answers (a database that hangs).
    page.route("**/highscores/list", lambda route: None)
    page.keyboard.press("Enter")
    wait_phase(page, "gameOver", NORMAL_GAME_SECONDS)
    over = time.time()
    page.wait_for_selector("#name-dialog[open]", timeout=6000)
    assert time.time() - over < 3.5, "the hanging list did not hold the name up"
    assert page.get_attribute("#game", "data-can-start") == "false", "not while the name is asked"
    page.keyboard.press("Escape")
    page.wait_for_selector("#name-dialog", state="hidden")
    assert pending_scores(page) == []
    assert phase(page) == "gameOver"
    # Enter starts the next game at once.
    page.keyboard.press("Enter")
    wait_phase(page, "ready", 2)
    assert page.inner_text("#lives") == "3" and page.inner_text("#score") == "0"
    time.sleep(1)
    assert len(stack.highscores()) == before
    assert page.console_errors == []


def test_a_test_switch_game_is_played_but_never_stored_and_the_page_says_so(stack, make_page):
    before = len(stack.highscores())
    page = make_page(stack.url + "/?lives=1&seed=5")
    banner = page.locator("#test-note")
    assert banner.is_visible()
    assert "Test game (lives=1, seed=5)" in banner.inner_text()
    assert "not saved" in banner.inner_text()
    assert page.get_attribute("#normal-game", "href") == stack.url + "/"
    screenshot(page, "test-game")
    page.keyboard.press("Enter")
    wait_phase(page, "gameOver", 60)
    final = number(page, "#score")
    assert final > 0
    page.wait_for_function(
        "() => document.getElementById('game-note').textContent.startsWith('Test game')", timeout=5000)
    assert page.inner_text("#game-note") == f"Test game (lives=1, seed=5): {final:,} points, not saved to the high scores."
    assert page.inner_text("#game-status").startswith("Game over. Test game")
    time.sleep(3)  # the name dialog would have opened by now
    assert page.locator("#name-dialog[open]").count() == 0, "no name asked"
    assert pending_scores(page) == []
    assert page.evaluate("localStorage.getItem('pacman.best')") is None, "not this browser's best either"
    assert len(stack.highscores()) == before
    assert page.evaluate(A11Y_CHECK) == [], "the notes are readable"
    screenshot(page, "test-game-over")
    # Enter plays again, still a test game.
    page.keyboard.press("Enter")
    wait_phase(page, "ready", 3)
    assert page.locator("#game-note").is_hidden()
    # The link leads to the normal game.
    page.click("#normal-game")
    page.wait_for_url(stack.url + "/")
    assert page.locator("#test-note").is_hidden()


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
