"""The page: loads cleanly, plays from the keyboard and from touch, passes basic accessibility
checks, shows the Kubernetes story (pod, live players), keeps the game's keys when the volume
slider has the focus, and says plainly when its server cannot be reached."""

import time

from e2e_support import DESKTOP, PHONE, number, phase, screenshot, wait_phase

A11Y_CHECK = """() => {
  const problems = [];
  const name = (el) => (el.getAttribute('aria-label') || el.textContent || '').trim();
  if (!document.documentElement.lang) problems.push('html has no lang');
  if (!document.title) problems.push('no title');
  for (const b of document.querySelectorAll('button')) if (!name(b)) problems.push('button without a name: ' + b.outerHTML);
  for (const i of document.querySelectorAll('input, select, textarea')) {
    if (!(i.labels && i.labels.length) && !i.getAttribute('aria-label')) problems.push('unlabelled field: ' + i.id);
  }
  for (const c of document.querySelectorAll('canvas')) {
    if (c.getAttribute('role') !== 'img' || !c.getAttribute('aria-label')) problems.push('canvas without a text alternative');
  }
  for (const th of document.querySelectorAll('thead th')) if (th.scope !== 'col') problems.push('header without scope: ' + th.textContent);
  for (const t of document.querySelectorAll('table')) if (!t.querySelector('caption')) problems.push('table without caption');
  if (document.querySelectorAll('h1').length !== 1) problems.push('want exactly one h1');

  // Contrast of every piece of visible text against the background behind it.
  const rgb = (s) => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) return c.slice(0, 3);
    }
    return [0, 0, 0];
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!n.textContent.trim() || seen.has(el)) continue;
    seen.add(el);
    const r = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (!r.width || !r.height || style.visibility === 'hidden' || el.closest('.visually-hidden, [hidden], dialog:not([open])')) continue;
    const fg = lum(rgb(style.color));
    const bg = lum(background(el));
    const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5)) problems.push(`contrast ${ratio.toFixed(2)} for "${n.textContent.trim().slice(0, 30)}"`);
  }
  return problems;
}"""


def canvas_is_drawn(page) -> bool:
    return page.evaluate("""() => {
      const c = document.getElementById('screen');
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let lit = 0;
      for (let i = 0; i < d.length; i += 4 * 97) if (d[i] + d[i + 1] + d[i + 2] > 60) lit++;
      return lit > 50;
    }""")


def test_page_loads_without_errors_and_shows_the_pod(stack, make_page):
    page = make_page(stack.url + "/")
    page.wait_for_selector("#scores-body td")
    time.sleep(1)  # a few frames of the title screen
    assert page.console_errors == []
    assert phase(page) == "attract"
    assert canvas_is_drawn(page)
    host = page.inner_text("#pod-host")
    assert host and host != "unknown", "the pod's host name comes from location/metadata"
    assert page.inner_text("#pod-zone") and page.inner_text("#pod-cloud")
    assert page.inner_text("#score") == "0"
    assert page.inner_text("#lives") == "3"
    assert page.inner_text("#level") == "1"
    assert "No scores yet" in page.inner_text("#scores-body")
    screenshot(page, "start", docs=True)


def test_keyboard_starts_a_game_pacman_moves_and_scores(stack, make_page):
    page = make_page(stack.url + "/")
    page.keyboard.press("Enter")
    wait_phase(page, "ready", 5)
    wait_phase(page, "playing", 10)
    page.wait_for_function("() => Number(document.getElementById('score').textContent) >= 30", timeout=5000)
    assert number(page, "#high-score") >= number(page, "#score")
    assert page.inner_text("#lives") == "3"
    page.keyboard.press("ArrowUp")
    time.sleep(1.5)
    screenshot(page, "play", docs=True)

    # P pauses: nothing moves and the score stands still; P again resumes.
    page.keyboard.press("p")
    page.wait_for_selector("#game[data-paused='true']")
    frozen = number(page, "#score")
    time.sleep(1)
    assert number(page, "#score") == frozen
    assert page.inner_text("#pause-button") == "Resume"
    screenshot(page, "paused")
    page.keyboard.press("p")
    page.wait_for_selector("#game[data-paused='false']")

    # M mutes, and says so on its button.
    page.keyboard.press("m")
    assert page.get_attribute("#mute-button", "aria-pressed") == "true"
    page.keyboard.press("m")
    assert page.get_attribute("#mute-button", "aria-pressed") == "false"
    assert page.console_errors == []


def test_live_players_lists_this_game(stack, make_page):
    page = make_page(stack.url + "/?seed=3")
    host = page.inner_text("#pod-host")
    page.keyboard.press("Enter")
    wait_phase(page, "playing", 10)
    # Stats go out at the start and every 5 s; the view refreshes itself every 5 s.
    page.wait_for_function(
        "host => [...document.querySelectorAll('#live-body tr')].some(r => r.textContent.includes(host))",
        arg=host, timeout=15000)
    rows = page.locator("#live-body tr")
    assert rows.count() >= 1
    cells = rows.first.locator("td")
    assert cells.count() == 6
    assert cells.nth(2).inner_text() == "1"  # level


def test_the_page_passes_basic_accessibility_checks(stack, make_page):
    page = make_page(stack.url + "/")
    page.wait_for_selector("#scores-body td")
    assert page.evaluate(A11Y_CHECK) == []


def test_keyboard_only_tab_to_start_and_play(stack, make_page):
    page = make_page(stack.url + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to the high scores"
    for _ in range(5):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "start-button":
            break
    assert page.evaluate("document.activeElement.id") == "start-button"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "focus is visible"
    page.keyboard.press("Enter")
    wait_phase(page, "ready", 5)
    wait_phase(page, "playing", 10)
    page.wait_for_function("() => Number(document.getElementById('score').textContent) > 0", timeout=5000)
    assert page.console_errors == []


def test_phone_touch_controls(stack, make_page):
    page = make_page(stack.url + "/", **PHONE)
    assert page.locator("#touchpad").is_visible()
    # The maze fills the width of the phone, crisp: canvas pixels = CSS pixels x 3.
    size = page.evaluate("(() => { const c = document.getElementById('screen'); "
                         "return [c.width, c.getBoundingClientRect().width]; })()")
    assert size[1] >= 330 and abs(size[0] - size[1] * 3) < 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "no sideways scrolling"
    page.tap("#stage")
    wait_phase(page, "ready", 5)
    page.tap("#touchpad [data-dir='up']")
    wait_phase(page, "playing", 10)
    time.sleep(2.5)
    # With "up" buffered Pacman turns up at the first opening (column 12) and stops under the
    # wall three dots later: 4 dots. Left alone he would have eaten the 7 dots of his row.
    assert number(page, "#score") == 40
    screenshot(page, "phone", docs=True)
    assert page.console_errors == []


def test_layout_fits_small_and_large_windows(stack, make_page):
    for viewport in ({"width": 800, "height": 600}, {"width": 1920, "height": 1080}, DESKTOP):
        page = make_page(stack.url + "/", viewport=viewport)
        box = page.locator("#screen").bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"] + 1, viewport
        assert box["width"] <= viewport["width"], viewport
        assert box["height"] >= viewport["height"] * 0.6, f"the maze uses the height: {box} in {viewport}"
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], viewport


def test_the_game_pauses_when_the_tab_is_hidden(stack, make_page):
    page = make_page(stack.url + "/")
    page.keyboard.press("Enter")
    wait_phase(page, "playing", 10)
    # Headless Chromium never hides a tab: play the browser's part, as it does on a tab switch.
    page.evaluate("""() => {
      Object.defineProperty(document, 'hidden', { value: true, configurable: true });
      Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));
    }""")
    page.wait_for_selector("#game[data-paused='true']")
    score = number(page, "#score")
    page.evaluate("""() => {
      Object.defineProperty(document, 'hidden', { value: false, configurable: true });
      Object.defineProperty(document, 'visibilityState', { value: 'visible', configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));
    }""")
    time.sleep(1)
    assert page.get_attribute("#game", "data-paused") == "true", "still paused until the player resumes"
    assert number(page, "#score") == score
    page.keyboard.press("Escape")
    page.wait_for_selector("#game[data-paused='false']")
    assert page.console_errors == []


def test_the_volume_slider_leaves_the_game_its_keys(stack, make_page):
    """Clicked in the middle of a game, the slider used to keep the arrows (the volume moved,
    Pacman did not turn) and ignore Enter and P."""
    page = make_page(stack.url + "/")
    page.keyboard.press("Enter")
    wait_phase(page, "ready", 5)
    page.click("#volume")  # its middle: 50
    assert page.evaluate("document.activeElement.id") == "volume"
    volume = page.input_value("#volume")
    # Up, buffered during READY: Pacman turns up at the first opening and stops under the wall
    # three dots later (4 dots); left alone he would have eaten the 7 dots of his row.
    page.keyboard.press("ArrowUp")
    wait_phase(page, "playing", 10)
    time.sleep(2.5)
    assert page.input_value("#volume") == volume, "the arrow did not move the volume"
    assert number(page, "#score") == 40, "the arrow turned Pacman"
    # P pauses from the slider; paused, its arrows set the volume again.
    page.keyboard.press("p")
    page.wait_for_selector("#game[data-paused='true']")
    page.keyboard.press("ArrowRight")
    assert int(page.input_value("#volume")) == int(volume) + 5
    page.keyboard.press("p")
    page.wait_for_selector("#game[data-paused='false']")
    assert page.evaluate("document.activeElement.id") == "volume"
    assert page.console_errors == []


def test_with_its_server_away_the_page_says_so_and_never_loading(stack, make_page):
    """Every call to the API fails (a server gone, a proxy that answers nothing useful): each
    panel says it is unavailable, none keeps saying "Loading…", and the game plays."""
    def away(context):
        for path in ("highscores/list", "cluster", "user/stats", "user/id", "location/metadata"):
            context.route(f"**/{path}", lambda route: route.abort("connectionrefused"))

    for options in ({}, PHONE):
        page = make_page(stack.url + "/", before=away, **options)
        for status in ("#scores-status", "#database-status", "#web-status", "#live-status"):
            page.wait_for_selector(f"{status}:not([hidden])", timeout=10000)
            assert "unavailable" in page.inner_text(status), status
        visible = page.evaluate("""() => [...document.querySelectorAll('body *')]
          .filter(e => e.children.length === 0 && e.textContent.includes('Loading')
                       && e.getClientRects().length && getComputedStyle(e).visibility !== 'hidden')
          .map(e => e.id || e.className)""")
        assert visible == [], f"still loading: {visible}"
        page.keyboard.press("Enter")
        wait_phase(page, "ready", 5)
        page.locator("#scores").scroll_into_view_if_needed()
        screenshot(page, "server-away-" + ("phone" if options else "desktop"))
        assert [e for e in page.console_errors if "ERR_CONNECTION_REFUSED" not in e] == []
