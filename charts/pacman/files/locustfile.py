"""The Pacman player scenario for Locust: what one person with the game open in a browser tab
asks of the server, at the pace the page asks it (static/js/main.js, static/js/net/*.js).

One Locust user is one browser tab:
  visit      the page and every file it loads (the HTML, then the stylesheet, icons and the
             whole ES-module graph, found the way a browser finds it: by reading the imports),
             then the pod's location, the high scores and the live players. A returning
             visitor revalidates with the ETags of an earlier visit and gets 304s.
  play       1 to 3 games of one to three minutes. While a game runs the page reports the
             player's stats every 5 s (the first report asks for a player id); all the time it
             refreshes the live players every 5 s, the high scores every 20 s and the Database
             and Web tier panels (GET /cluster, from the replica's memory) every 2 s.
  game over  the page reads the high scores, submits the score (with a submissionId, as the
             page's retry queue does) and shows the table again.
  think      5 to 20 s between games; then the player leaves and a new visit begins.

LOAD_TIME_SCALE (default 1) multiplies every wait and game length: the CI smoke run uses 0.05
so that a whole visit fits in a few seconds. The host must not end with "/"; a path prefix is
fine (--host http://example.com/pacman). Every request goes through the same names as the
report shows them, e.g. "GET /highscores/list".
"""

import json
import os
import posixpath
import random
import re
import uuid

import gevent
from locust import FastHttpUser, constant, task

SCALE = float(os.environ.get("LOAD_TIME_SCALE", "1"))
TICK_SECONDS = 5.0  # the page's stats report and live-players refresh
SCORES_REFRESH_TICKS = 4  # the page refreshes the high scores every 20 s
CLUSTER_SECONDS = 2.0  # the page's Database and Web tier panels (static/js/ui/cluster-panel.js)
GAME_SECONDS = (60, 180)
THINK_SECONDS = (5, 20)
GAMES_PER_VISIT = (1, 3)
RETURNING_SHARE = 0.5  # visits whose browser still has the files cached (ETag revalidation)
MAX_POINTS_PER_LEVEL = 2600 + 12000 + 10000  # the server's plausibility bound (highscores.c)

REFERENCE = re.compile(r'''(?:src|href)\s*=\s*["']([^"'#?]+)["']''')
IMPORT = re.compile(r'''(?:\bimport|\bexport)\s*(?:[\w*${}\s,]*\s*from\s*)?\(?\s*["']([^"']+)["']''')


def local_reference(base: str, reference: str) -> str | None:
    """The path of reference (relative to the page path base), or None for other sites."""
    if re.match(r"^[a-z][a-z0-9+.-]*:", reference, re.I) or reference.startswith("//"):
        return None
    path = reference if reference.startswith("/") else posixpath.join(
        posixpath.dirname(base), reference)
    return posixpath.normpath(path)


class Player(FastHttpUser):
    """A browser tab with the game."""

    # What a browser module loader learns from each file: path -> the paths it imports.
    # Shared by all players so that each file is parsed once, not once per visit.
    graph: dict[str, list[str]] = {}
    wait_time = constant(0)  # the visit task does its own waiting, at the page's pace

    def on_start(self):
        self.etags: dict[str, str] = {}
        self.number = random.randrange(1_000_000)
        self.cluster_due = 0.0  # /cluster polls owed: 2.5 per 5 s tick

    @staticmethod
    def pause(seconds: float):
        gevent.sleep(seconds * SCALE * random.uniform(0.9, 1.1))

    # ---- requests ----

    def get_file(self, path: str, name: str) -> str | None:
        """GET a static file as a browser with a cache does; returns the body when it came."""
        headers = {"If-None-Match": self.etags[path]} if path in self.etags else {}
        with self.client.get(path, headers=headers, name=name, catch_response=True) as response:
            if response.status_code == 304 and headers:
                response.success()
                return None
            if response.status_code != 200:
                response.failure(f"{path}: HTTP {response.status_code}")
                return None
            if response.headers.get("ETag"):
                self.etags[path] = response.headers["ETag"]
            return response.text

    def api_get(self, path: str, check):
        with self.client.get(path, name=f"GET {path}", catch_response=True,
                             headers={"Accept": "application/json"}) as response:
            return self._check(response, path, check)

    def api_post(self, path: str, body: dict, check):
        with self.client.post(path, json=body, name=f"POST {path}", catch_response=True,
                              headers={"Accept": "application/json"}) as response:
            return self._check(response, path, check)

    @staticmethod
    def _check(response, path: str, check):
        if response.status_code != 200:
            text = (response.text or "")[:200]
            response.failure(f"{path}: HTTP {response.status_code}: {text}")
            return None
        try:
            data = response.json()
        except ValueError:
            response.failure(f"{path}: not JSON")
            return None
        problem = check(data)
        if problem:
            response.failure(f"{path}: {problem}")
            return None
        return data

    # ---- the page ----

    def visit(self):
        """Loads the page the way a browser does; returns the pod's location."""
        if random.random() >= RETURNING_SHARE:
            self.etags.clear()  # a first visit: nothing cached
        html = self.get_file("/", "GET / (the page)")
        if html is not None:
            Player.graph["/"] = [p for p in (local_reference("/index.html", r)
                                             for r in REFERENCE.findall(html)) if p]
        seen, queue = set(), list(Player.graph.get("/", []))
        while queue:
            path = queue.pop(0)
            if path in seen:
                continue
            seen.add(path)
            body = self.get_file(path, "GET static file")
            if body is not None and path.endswith((".js", ".mjs")):
                Player.graph[path] = [p for p in (local_reference(path, r)
                                                  for r in IMPORT.findall(body)) if p]
            queue.extend(Player.graph.get(path, []))
        where = self.api_get("/location/metadata", lambda d: None if isinstance(d, dict) and
                             {"cloud", "zone", "host"} <= d.keys() else "not {cloud, zone, host}")
        self.high_scores()
        self.live_players()
        self.cluster()
        return where or {"cloud": "unknown", "zone": "unknown", "host": "unknown"}

    def high_scores(self):
        return self.api_get("/highscores/list", lambda d: None if isinstance(d, list) and
                            len(d) <= 10 else "not a list of at most 10")

    def live_players(self):
        self.api_get("/user/stats", lambda d: None if isinstance(d, list) else "not a list")

    def cluster(self):
        self.api_get("/cluster", lambda d: None if isinstance(d, dict) and
                     {"database", "web"} <= d.keys() else "not {database, web}")

    def pause_polling_cluster(self, seconds: float):
        """Waits `seconds` of the page's time, polling /cluster every CLUSTER_SECONDS meanwhile."""
        self.cluster_due += seconds / CLUSTER_SECONDS
        polls = int(self.cluster_due)
        self.cluster_due -= polls
        for _ in range(polls):
            self.cluster()
            self.pause(seconds / polls)
        if not polls:
            self.pause(seconds)

    def new_player_id(self):
        return self.api_get("/user/id", lambda d: None if isinstance(d, str) and
                            re.fullmatch(r"[0-9a-f]{24}", d) else "not a 24-hex-digit id")

    # ---- one visit: play, game over, think, leave ----

    @task
    def play_a_visit(self):
        where = self.visit()
        user_id = None
        ticks = 0

        def tick():
            nonlocal ticks
            ticks += 1
            self.live_players()
            if ticks % SCORES_REFRESH_TICKS == 0:
                self.high_scores()
            self.pause_polling_cluster(TICK_SECONDS)

        for _ in range(random.randint(*GAMES_PER_VISIT)):
            level, lives, score = 1, 3, 0
            game_ticks = max(1, round(random.uniform(*GAME_SECONDS) / TICK_SECONDS))
            for t in range(game_ticks):
                score += random.randint(50, 600)
                if score > level * 2600:
                    level += 1
                if random.random() < 0.08:
                    lives = max(1, lives - 1)
                if user_id is None:
                    user_id = self.new_player_id()
                if user_id:
                    self.api_post("/user/stats", {
                        "userId": user_id, **where, "score": score, "level": level,
                        "lives": lives, "elapsedTime": int((t + 1) * TICK_SECONDS)},
                        lambda d: None if d == {"rs": "success"} else f"answered {d}")
                tick()
            # game over: the page shows GAME OVER, reads the table, submits, shows it again
            self.pause(1.2)
            self.high_scores()
            score = min(score, level * MAX_POINTS_PER_LEVEL)
            self.api_post("/highscores", {
                "name": f"player{self.number}", **where, "score": score, "level": level,
                "submissionId": uuid.uuid4().hex},
                lambda d: None if d.get("rs") == "success" and d.get("score") == score
                else f"answered {json.dumps(d)[:100]}")
            self.high_scores()
            for _ in range(max(1, round(random.uniform(*THINK_SECONDS) / TICK_SECONDS))):
                tick()
