"""Helpers for the browser tests: the database-and-server stack, Chromium's settings, and
small readers of the page's state (its phase, numbers, the pending-score queue)."""

import os

import pymongo

import harness

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--autoplay-policy=no-user-gesture-required", "--mute-audio"]
SCREENSHOTS = harness.BUILD / "screenshots"
DESKTOP = {"width": 1280, "height": 800}


class Stack:
    """A FerretDB and a pacman server using it."""

    def __init__(self, database: str):
        self.database = database
        self.db = harness.FerretDB().start()
        self.server = harness.Server(env={"MONGO_URI": self.db.uri(database),
                                          "MONGO_TIMEOUT_MS": "1500"}).start()

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


def screenshot(page, name: str, **options):
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), **options)
    return path


def phase(page) -> str:
    return page.get_attribute("#game", "data-phase")


def wait_phase(page, wanted: str, timeout: float = 30):
    page.wait_for_selector(f"#game[data-phase='{wanted}']", state="attached", timeout=timeout * 1000)


def number(page, selector: str) -> int:
    return int(page.inner_text(selector).replace(",", ""))


def pending_scores(page) -> list:
    return page.evaluate("JSON.parse(localStorage.getItem('pacman.pendingScores.v1') || '[]')")
