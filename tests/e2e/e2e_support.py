"""Helpers for the browser tests: the database-and-server stack, Chromium's settings, and
small readers of the page's state (its phase, numbers, the pending-score queue)."""

import os
import shutil

import pymongo

import harness

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--autoplay-policy=no-user-gesture-required", "--mute-audio"]
SCREENSHOTS = harness.BUILD / "screenshots"
DOCS_SCREENSHOTS = harness.ROOT / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
# make_page's options for a phone: an iPhone 12-14 sized screen, touch, 3 device pixels a pixel.
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True,
         "has_touch": True}


class Stack:
    """A FerretDB and a pacman server using it."""

    def __init__(self, database: str):
        self.database = database
        self.db = harness.FerretDB().start()
        env = {"MONGO_URI": self.db.uri(database), "MONGO_TIMEOUT_MS": "1500"}
        # E2E_STATIC_DIR serves another copy of static/: to check that a new test fails on the
        # page as it was (git archive an older commit's static/ and point this at it).
        if os.environ.get("E2E_STATIC_DIR"):
            env["STATIC_DIR"] = os.environ["E2E_STATIC_DIR"]
        self.server = harness.Server(env=env).start()

    @property
    def url(self) -> str:
        return self.server.url

    def mongo(self):
        return pymongo.MongoClient(self.db.uri(self.database), serverSelectionTimeoutMS=10000)

    def highscores(self, **query):
        with self.mongo() as client:
            return list(client[self.database]["highscore"].find(query))

    def close(self):
        self.server.stop()
        self.db.cleanup()


def screenshot(page, name: str, docs: bool = False, element=None, **options):
    """Saves a picture of the page (of `element`, a locator, if given) as build/screenshots/
    NAME.png. A picture the docs show (docs=True) is also written to docs/screenshots/ under
    `DOCS_SCREENSHOTS=1 make test-e2e`: a normal run leaves the committed ones alone."""
    path = SCREENSHOTS / f"{name}.png"
    (element or page).screenshot(path=str(path), **options)
    if docs and os.environ.get("DOCS_SCREENSHOTS") == "1":
        DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, DOCS_SCREENSHOTS / path.name)
    return path


def phase(page) -> str:
    return page.get_attribute("#game", "data-phase")


def wait_phase(page, wanted: str, timeout: float = 30):
    page.wait_for_selector(f"#game[data-phase='{wanted}']", state="attached", timeout=timeout * 1000)


def number(page, selector: str) -> int:
    return int(page.inner_text(selector).replace(",", ""))


def pending_scores(page) -> list:
    return page.evaluate("JSON.parse(localStorage.getItem('pacman.pendingScores.v1') || '[]')")
