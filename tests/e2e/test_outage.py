"""The database goes away (kill -9, as `kubectl delete pod mongo-0` would) while a game is on:
the game goes on, the page says plainly that high scores are unavailable, the score waits in
localStorage with its submissionId (also across a reload) and is stored exactly once when the
database is back."""

import time

import pytest

from e2e_support import Stack, pending_scores, screenshot, wait_phase

NAME = "Outage Olga"


@pytest.fixture
def outage_stack():
    s = Stack("e2e_outage")
    yield s
    s.close()


def test_a_score_made_while_the_database_is_down_is_stored_once_when_it_returns(outage_stack, make_page):
    stack = outage_stack
    page = make_page(stack.url + "/")  # a normal game: a test switch's game is never stored
    page.wait_for_selector("#scores-body td")

    stack.db.kill()
    page.keyboard.press("Enter")
    wait_phase(page, "playing", 10)
    page.wait_for_function("() => Number(document.getElementById('score').textContent) > 0", timeout=5000)
    wait_phase(page, "gameOver", 150)  # the game went on without the database

    page.wait_for_selector("#name-dialog[open]", timeout=15000)
    page.fill("#player-name", NAME)
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => document.getElementById('scores-status').textContent.includes('High scores are unavailable')",
        timeout=15000)
    status = page.inner_text("#scores-status")
    assert "will be submitted automatically" in status
    # And by the game, where the player looks.
    assert page.inner_text("#game-note").startswith("High scores are unavailable right now: your score is kept")
    queued = pending_scores(page)
    assert len(queued) == 1 and queued[0]["name"] == NAME
    submission_id = queued[0]["submissionId"]
    score = queued[0]["score"]
    assert score == int(page.inner_text("#score").replace(",", ""))
    screenshot(page, "outage")

    # A reload while the database is still down keeps the score and says so again.
    page.reload()
    page.wait_for_function(
        "() => document.getElementById('scores-status').textContent.includes('High scores are unavailable')",
        timeout=15000)
    assert [e["submissionId"] for e in pending_scores(page)] == [submission_id]

    # The database comes back on the same data: the waiting score goes in, once.
    stack.db.start()
    page.wait_for_function(
        "() => !localStorage.getItem('pacman.pendingScores.v1')", timeout=45000)
    page.wait_for_function(
        "name => [...document.querySelectorAll('#scores-body td')].some(td => td.textContent === name)",
        arg=NAME, timeout=30000)
    assert "Score saved" in page.inner_text("#scores-status")
    time.sleep(2)  # any late retry would land now
    docs = stack.highscores(name=NAME)
    assert len(docs) == 1, docs
    assert docs[0]["score"] == score
    assert docs[0].get("submissionId", submission_id) == submission_id
