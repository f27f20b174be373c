#!/usr/bin/env python3
"""Steady player load, run as a process of its own so that it never slows the process that
times the demo. Each player does what the browser game does: loads the page and its modules,
asks /location/metadata and /user/id, then plays: reports stats every few hundred ms, posts a
score now and then (with a submissionId, retried with the same id until the server says 200,
as static/js/net/score-queue.js does), and reads the high scores and live players.

Usage: players.py BASE_URL OUT.jsonl [--players N] [--pace SECONDS] [--max-seconds S]
Runs until SIGTERM or SIGINT (or its parent is gone, or S seconds have passed). Every request is one JSON line in OUT.jsonl:
  t0, t1   monotonic start and end (CLOCK_MONOTONIC: comparable across processes)
  m, p     method and path;  s: status (0 when no answer), e: the error when there was none
  je       for an error status: whether the body was a JSON {"error": "..."}
  up       the replica that answered (nginx's X-Upstream header), when there is one
  sid, name, score, level   for POST /highscores"""

import argparse
import json
import os
import random
import signal
import string
import sys
import threading
import time

import requests

ASSETS = ["/", "/js/main.js", "/css/pacman.css", "/js/net/api.js", "/favicon.svg"]
ID_ALPHABET = string.ascii_letters + string.digits


class Recorder:
    def __init__(self, path: str):
        self.file = open(path, "w", buffering=1)
        self.lock = threading.Lock()

    def write(self, record: dict):
        line = json.dumps(record, separators=(",", ":"))
        with self.lock:
            self.file.write(line + "\n")


class Player(threading.Thread):
    def __init__(self, number: int, base: str, recorder: Recorder, stop: threading.Event,
                 pace: float):
        super().__init__(daemon=True)
        self.number, self.base, self.recorder, self.stop, self.pace = (number, base, recorder,
                                                                       stop, pace)
        self.random = random.Random(number * 7919)
        self.session = requests.Session()
        self.pending = []  # scores not yet acknowledged: retried with the same submissionId
        self.next_retry = 0.0
        self.scores_made = 0

    def call(self, method: str, path: str, extra: dict | None = None,
             **kwargs) -> requests.Response | None:
        """One request, recorded (with `extra` fields added to its record)."""
        record = {"t0": time.monotonic(), "m": method, "p": path, "s": 0, **(extra or {})}
        response = None
        try:
            response = self.session.request(method, self.base + path, timeout=10, **kwargs)
            record["s"] = response.status_code
            record["up"] = response.headers.get("X-Upstream")
            if response.status_code >= 400:
                try:
                    body = response.json()
                    record["je"] = isinstance(body, dict) and isinstance(body.get("error"), str)
                except ValueError:
                    record["je"] = False
                    record["body"] = response.text[:200]
        except requests.RequestException as error:
            record["e"] = type(error).__name__ + ": " + str(error)[:200]
            self.session.close()
            self.session = requests.Session()
        record["t1"] = time.monotonic()
        self.recorder.write(record)
        return response

    def post_score(self, entry: dict) -> bool:
        """Sends a queued score (entry: sid, name, score, level); True once acknowledged."""
        response = self.call("POST", "/highscores", extra=entry, data={
            "name": entry["name"], "cloud": "local", "zone": "rehearsal",
            "host": f"player-{self.number}", "score": str(entry["score"]),
            "level": str(entry["level"]), "submissionId": entry["sid"]})
        return response is not None and response.status_code == 200

    def load_page(self):
        for path in ASSETS:
            self.call("GET", path)

    def get_id(self) -> str | None:
        while not self.stop.is_set():
            response = self.call("GET", "/user/id")
            if response is not None and response.status_code == 200:
                return response.json()
            self.stop.wait(0.3)
        return None

    def flush_scores(self):
        if not self.pending or time.monotonic() < self.next_retry:
            return
        while self.pending and not self.stop.is_set():
            if not self.post_score(self.pending[0]):
                self.next_retry = time.monotonic() + 0.5
                return
            self.pending.pop(0)

    def run(self):
        self.load_page()
        self.call("GET", "/location/metadata")
        user = self.get_id()
        tick = 0
        while not self.stop.is_set():
            tick += 1
            level = 1 + tick // 40
            if user is None:
                user = self.get_id()
                continue
            response = self.call("POST", "/user/stats", data={
                "userId": user, "cloud": "local", "zone": "rehearsal",
                "host": f"player-{self.number}", "score": str(tick * 10), "level": str(level),
                "lives": "3", "elapsedTime": str(tick)})
            if response is not None and response.status_code == 404:
                user = None  # the player was never stored (an id from before an outage)
            if tick % 4 == 0:
                self.scores_made += 1
                sid = "".join(self.random.choice(ID_ALPHABET) for _ in range(24))
                self.pending.append({"sid": sid, "name": f"p{self.number}-{self.scores_made}",
                                     "score": self.random.randint(1, 24600 * level),
                                     "level": level})
            self.flush_scores()
            if tick % 3 == 0:
                self.call("GET", "/highscores/list")
            if tick % 10 == 0:
                self.call("GET", "/user/stats")
            if tick % 25 == 0:
                self.load_page()  # a reload
            self.stop.wait(self.pace * (0.5 + self.random.random()))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("out")
    parser.add_argument("--players", type=int, default=8)
    parser.add_argument("--pace", type=float, default=0.15)
    parser.add_argument("--max-seconds", type=float, default=600,
                        help="stop by itself after this long (or when its parent is gone)")
    args = parser.parse_args()
    parent = os.getppid()
    deadline = time.monotonic() + args.max_seconds
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    recorder = Recorder(args.out)
    players = [Player(i, args.base.rstrip("/"), recorder, stop, args.pace)
               for i in range(args.players)]
    for player in players:
        player.start()
    while not stop.is_set():
        stop.wait(0.2)
        if os.getppid() != parent or time.monotonic() > deadline:
            stop.set()  # orphaned by a killed test run, or forgotten: never load for ever
    for player in players:
        player.join(15)
    recorder.file.close()
    sys.exit(0)


if __name__ == "__main__":
    main()
