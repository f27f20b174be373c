"""The game's presentation and the page's handling of it, in Chromium: the intermission acts
play and take a fresh key press to skip (a held key never does), the attract show (roll-call,
demo) plays until a key or a tap, audio wakes on the gesture that resumes a game, toggle
buttons say their state once, and leaving the window pauses. Screenshots of each scene go to
build/screenshots/ (the docs' to docs/screenshots/ too with DOCS_SCREENSHOTS=1). Enter at
game over: test_scores.py."""

import time

from e2e_support import number, phase, screenshot, wait_phase

# Pixels of Blinky's red and Pacman's yellow on the canvas (sprites.js COLORS).
COLOUR_COUNT = """([r, g, b]) => {
  const c = document.getElementById('screen');
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 0; i < d.length; i += 4) {
    if (Math.abs(d[i] - r) < 24 && Math.abs(d[i + 1] - g) < 24 && Math.abs(d[i + 2] - b) < 24) n++;
  }
  return n;
}"""
RED = [255, 42, 42]
YELLOW = [255, 230, 0]
CANVAS_HASH = """() => {
  const c = document.getElementById('screen');
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let h = 0;
  for (let i = 0; i < d.length; i += 4 * 7) h = (h * 31 + d[i] + d[i + 1] * 3 + d[i + 2] * 7) >>> 0;
  return h;
}"""


def scene_shot(page, name: str, docs: bool = False):
    """A screenshot of the canvas alone: docs/game.md's pictures of the scenes."""
    return screenshot(page, name, docs=docs, clip=page.locator("#screen").bounding_box())


def attr(page, name: str) -> str:
    return page.get_attribute("#game", f"data-{name}")


def wait_attr(page, name: str, value: str, timeout: float):
    page.wait_for_selector(f"#game[data-{name}='{value}']", state="attached", timeout=timeout * 1000)


def reach_intermission(page, level: int, hold=None):
    """Plays level `level` (one pellet: ?dots=1) to its end. With `hold` a key is held down
    from before the level ends until the intermission has begun, auto-repeating as a
    keyboard does."""
    page.keyboard.press("Enter")
    wait_phase(page, "ready", 5)
    if hold:
        page.keyboard.down(hold)
        deadline = time.time() + 15
        while phase(page) != "intermission" and time.time() < deadline:
            page.keyboard.down(hold)  # a key already down: Playwright sends it with repeat=true
            time.sleep(0.05)
    wait_phase(page, "intermission", 15)
    assert page.inner_text("#level") == str(level)


def test_intermission_plays_and_a_held_key_never_skips_it(stack, make_page):
    page = make_page(stack.url + "/?level=2&dots=1")
    reach_intermission(page, 2, hold="ArrowLeft")
    # The arrow stays held, repeating, for over a second: the act plays on.
    for _ in range(24):
        page.keyboard.down("ArrowLeft")
        time.sleep(0.05)
    assert phase(page) == "intermission", "a held key's repeats do not skip"
    assert attr(page, "act") == "1"
    # About 2 s in: Pacman runs from Blinky, both on screen.
    assert page.evaluate(COLOUR_COUNT, RED) > 200 and page.evaluate(COLOUR_COUNT, YELLOW) > 200
    scene_shot(page, "act1", docs=True)
    before = page.evaluate(CANVAS_HASH)
    time.sleep(0.3)
    assert page.evaluate(CANVAS_HASH) != before, "the scene moves"
    page.keyboard.up("ArrowLeft")
    # A fresh press skips it.
    page.keyboard.press("ArrowUp")
    wait_phase(page, "ready", 2)
    assert page.inner_text("#level") == "3"
    assert page.console_errors == []


def test_a_press_in_the_first_half_second_does_not_skip(stack, make_page):
    page = make_page(stack.url + "/?level=2&dots=1")
    reach_intermission(page, 2)
    page.keyboard.press("Space")
    page.keyboard.press("ArrowRight")
    time.sleep(0.6)
    assert phase(page) == "intermission"
    page.keyboard.press("ArrowRight")
    wait_phase(page, "ready", 2)


def test_act_two_plays_to_its_end_and_act_three_can_be_skipped(stack, make_page):
    page = make_page(stack.url + "/?level=5&dots=1")
    reach_intermission(page, 5)
    assert attr(page, "act") == "2"
    started = time.time()
    time.sleep(3.9)  # the cloak stretched on the peg
    scene_shot(page, "act2", docs=True)
    time.sleep(2.0)
    scene_shot(page, "act2-torn")
    assert page.evaluate(COLOUR_COUNT, RED) > 200, "Blinky on stage"
    wait_phase(page, "ready", 10)
    played = time.time() - started
    assert 8 <= played <= 11, f"act 2 played {played:.1f} s"
    assert page.inner_text("#level") == "6"

    page = make_page(stack.url + "/?level=9&dots=1")
    reach_intermission(page, 9)
    assert attr(page, "act") == "3"
    time.sleep(2.0)
    scene_shot(page, "act3", docs=True)
    time.sleep(4.8)
    scene_shot(page, "act3-bare")
    page.keyboard.press("Escape")
    wait_phase(page, "ready", 2)
    assert page.inner_text("#level") == "10"
    assert page.console_errors == []


def test_attract_mode_roll_call_and_demo_play_until_a_key(stack, make_page):
    page = make_page(stack.url + "/")
    assert attr(page, "attract") == "title"
    wait_attr(page, "attract", "rollCall", 16)
    time.sleep(9.2)  # all four ghosts, and the chase frozen on the first ghost eaten: 200
    scene_shot(page, "rollcall", docs=True)
    wait_attr(page, "attract", "demo", 10)
    time.sleep(4)  # READY, then the bot plays
    first = page.evaluate(CANVAS_HASH)
    time.sleep(0.5)
    assert page.evaluate(CANVAS_HASH) != first, "the demo game moves"
    assert page.evaluate(COLOUR_COUNT, YELLOW) > 100
    scene_shot(page, "demo", docs=True)
    assert phase(page) == "attract" and page.inner_text("#score") == "0", "the demo does not count"
    page.keyboard.press("ArrowUp")
    wait_attr(page, "attract", "title", 2)
    assert phase(page) == "attract", "a key ends the show; it does not start a game"
    page.keyboard.press("Enter")
    wait_phase(page, "ready", 3)
    assert page.console_errors == []


def test_attract_show_ends_with_a_tap(stack, make_page):
    page = make_page(stack.url + "/", has_touch=True)
    wait_attr(page, "attract", "rollCall", 16)
    page.tap("#stage")
    wait_attr(page, "attract", "title", 2)
    assert phase(page) == "attract"
    page.tap("#stage")
    wait_phase(page, "ready", 3)


# iOS Safari resumes an AudioContext only from inside a user gesture. Chromium is laxer, so the
# page is given Safari's rule: resume() outside a key, pointer or touch event does nothing.
IOS_AUDIO = """(() => {
  let gesture = false;
  for (const type of ['keydown', 'keyup', 'pointerdown', 'pointerup', 'mousedown', 'click', 'touchend']) {
    window.addEventListener(type, () => {
      gesture = true;
      setTimeout(() => { gesture = false; }, 0);
    }, true);
  }
  const resume = AudioContext.prototype.resume;
  AudioContext.prototype.resume = function () {
    return gesture ? resume.call(this) : Promise.resolve();
  };
  const Real = window.AudioContext;
  window.__audio = [];
  window.AudioContext = class extends Real {
    constructor(...args) {
      super(...args);
      window.__audio.push(this);
    }
  };
})()"""

SET_HIDDEN = """hidden => {
  Object.defineProperty(document, 'hidden', { value: hidden, configurable: true });
  Object.defineProperty(document, 'visibilityState', { value: hidden ? 'hidden' : 'visible', configurable: true });
  document.dispatchEvent(new Event('visibilitychange'));
}"""


def audio_state(page) -> str:
    return page.evaluate("() => window.__audio.length ? window.__audio[0].state : 'none'")


def test_sound_wakes_on_the_key_that_resumes_after_a_tab_switch(stack, browser):
    context = browser.new_context()
    try:
        context.add_init_script(IOS_AUDIO)
        page = context.new_page()
        page.goto(stack.url + "/")
        page.keyboard.press("Enter")
        wait_phase(page, "ready", 5)
        page.wait_for_function("() => window.__audio.length && window.__audio[0].state === 'running'", timeout=3000)
        page.evaluate(SET_HIDDEN, True)
        page.wait_for_function("() => window.__audio[0].state === 'suspended'", timeout=3000)
        page.evaluate(SET_HIDDEN, False)
        time.sleep(0.5)
        assert audio_state(page) == "suspended", "no gesture yet: Safari keeps it suspended"
        page.keyboard.press("p")  # resume the game
        page.wait_for_selector("#game[data-paused='false']")
        page.wait_for_function("() => window.__audio[0].state === 'running'", timeout=2000)
    finally:
        context.close()


def ax_button(page, selector: str):
    """The button's accessible name and pressed state as Chromium's accessibility tree has them."""
    cdp = page.context.new_cdp_session(page)
    try:
        root = cdp.send("DOM.getDocument")["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        ax = cdp.send("Accessibility.getPartialAXTree", {"nodeId": node, "fetchRelatives": False})["nodes"][0]
        props = {p["name"]: p["value"].get("value") for p in ax.get("properties", [])}
        return ax["name"]["value"], props.get("pressed")
    finally:
        cdp.detach()


def test_toggle_buttons_say_their_state_once(stack, make_page):
    page = make_page(stack.url + "/")
    assert ax_button(page, "#mute-button") == ("Mute", "false")
    page.keyboard.press("m")
    assert ax_button(page, "#mute-button") == ("Mute", "true"), "the name stays; pressed says muted"
    page.keyboard.press("m")
    page.keyboard.press("Enter")
    wait_phase(page, "playing", 10)
    assert ax_button(page, "#pause-button") == ("Pause", None)
    page.keyboard.press("p")
    page.wait_for_selector("#game[data-paused='true']")
    assert ax_button(page, "#pause-button") == ("Resume", None), "an action: its name says what it does"
    # The volume: a labelled slider, remembered across visits.
    page.fill("#volume", "35")
    page.reload()
    assert page.input_value("#volume") == "35"
    assert page.evaluate("localStorage.getItem('pacman.volume')") == "0.35"


def test_the_game_pauses_when_the_window_loses_focus(stack, make_page):
    page = make_page(stack.url + "/")
    page.keyboard.press("Enter")
    wait_phase(page, "playing", 10)
    # Headless Chromium keeps every page focused: play the browser's part of a focus loss.
    page.evaluate("window.dispatchEvent(new FocusEvent('blur'))")
    page.wait_for_selector("#game[data-paused='true']", timeout=1000)
    score = number(page, "#score")
    time.sleep(0.5)
    assert number(page, "#score") == score
    page.keyboard.press("p")
    page.wait_for_selector("#game[data-paused='false']")
