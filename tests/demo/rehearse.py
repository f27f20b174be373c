#!/usr/bin/env python3
"""The minikube demo, rehearsed on one machine (`make demo`), with local processes standing in
for pods:

  1. one web replica behind nginx (the Service), FerretDB on a data directory (the PV);
  2. scale to 10 replicas; players start playing through nginx and keep playing;
  3. `kubectl delete pod mongo-0`: the database is killed (kill -9) and, a few seconds later,
     started again on the same data;
  4. scale down to 6 (the pods leave the endpoints and drain), then back up to 10;
  5. players stop; every score a player was told was stored is checked in the database and
     read back through every replica.

It prints a line a second while it runs and a report at the end, and exits 1 when the demo's
promises do not hold: no failed request for the game page at any time; API errors only while
the database is away, each a JSON 503; every acknowledged score stored exactly once and
visible from every replica. The same run is a test: tests/demo/test_demo.py.

Usage: rehearse.py [--players N] [--outage SECONDS] [--workdir DIR]"""

import argparse
import json
import shutil
import signal
import statistics
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # tests/: harness, demo.stack

import pymongo  # noqa: E402

from demo.stack import (FerretDB, PlayerLoad, WebTier, acknowledged_scores,  # noqa: E402
                        check_scores_stored_once, first_write_after, http_get, is_page,
                        replay_from)
from demo.web_pods import check_web_pods  # noqa: E402
from harness import ROOT  # noqa: E402

REPLICAS = 10
SCALED_DOWN = 6


class Ticker(threading.Thread):
    """Prints one line a second: what the players saw in that second."""

    def __init__(self, load: PlayerLoad, tier: WebTier, ferret: FerretDB, say):
        super().__init__(daemon=True)
        self.load, self.tier, self.ferret, self.say = load, tier, ferret, say
        self.stop_event = threading.Event()
        self.offset = 0

    def run(self):
        while not self.stop_event.wait(1.0):
            try:
                with open(self.load.out) as f:
                    f.seek(self.offset)
                    chunk = f.read()
            except FileNotFoundError:
                continue
            cut = chunk.rfind("\n") + 1
            self.offset += len(chunk[:cut].encode())
            records = [json.loads(line) for line in chunk[:cut].splitlines() if line]
            page = Counter(r["s"] for r in records if is_page(r))
            api = Counter(r["s"] for r in records if not is_page(r))
            self.say(f"  {len(self.tier.replicas):2d} replicas, database "
                     f"{'up  ' if self.ferret.running() else 'DOWN'} | {len(records):4d} req/s | "
                     f"page {dict(sorted(page.items()))} | api {dict(sorted(api.items()))}")

    def stop(self):
        self.stop_event.set()
        self.join(3)


def wait_until_api_back(tier: WebTier, since: float, timeout: float = 30) -> dict[str, float]:
    """Polls every replica directly (a write-free API call) until each answers 200; returns
    when each did, as seconds after `since`."""
    back: dict[str, float] = {}
    deadline = time.monotonic() + timeout
    while len(back) < len(tier.replicas) and time.monotonic() < deadline:
        for name, server in list(tier.replicas.items()):
            if name not in back and http_get(server.url + "/highscores/list")[0] == 200:
                back[name] = time.monotonic() - since
        time.sleep(0.02)
    return back


def rehearse(workdir: Path, players: int = 8, outage: float = 5.0, say=print,
             binary: str | None = None) -> dict:
    """Runs the demo; returns the report, whose "failures" list is empty when it held."""
    workdir.mkdir(parents=True, exist_ok=True)
    report: dict = {"failures": [], "timeline": {}}
    failures = report["failures"]
    origin = time.monotonic()

    def mark(event: str) -> float:
        now = time.monotonic()
        report["timeline"][event] = round(now - origin, 2)
        say(f"[{now - origin:6.1f}s] {event}")
        return now

    ferret = FerretDB(data_dir=workdir / "pv")
    tier = WebTier(workdir / "web", ferret.uri("pacman"), binary=binary)
    load = ticker = None
    try:
        ferret.start()
        mark("database up (FerretDB, data in pv/)")
        tier.start(1)
        mark(f"1 web replica behind nginx on {tier.nginx.url}")
        status, _ = http_get(tier.nginx.url + "/")
        if status != 200:
            failures.append(f"the game page answered {status} with one replica")

        started = time.monotonic()
        tier.add(REPLICAS - 1)
        report["scale_up_to_10_s"] = round(time.monotonic() - started, 2)
        mark(f"scaled to {REPLICAS} replicas in {report['scale_up_to_10_s']} s")
        failures.extend(check_web_pods(tier, f"{REPLICAS} replicas", report))

        load = PlayerLoad(tier.nginx.url, workdir / "players.jsonl", players=players)
        ticker = Ticker(load, tier, ferret, say)
        ticker.start()
        mark(f"{players} players playing through nginx")
        time.sleep(6)

        killed = mark("kill -9 the database (kubectl delete pod mongo-0)")
        ferret.kill()
        time.sleep(outage)
        restarting = mark("database restarting on the same data")
        ferret.start()
        listening = mark("database listening")
        back = wait_until_api_back(tier, restarting)
        recovered = time.monotonic()
        if len(back) < len(tier.replicas):
            failures.append(f"replicas never recovered: {set(tier.replicas) - set(back)}")
        mark(f"every replica's API back (slowest {max(back.values(), default=0):.2f} s after "
             f"the restart began)")
        report["database_start_s"] = round(listening - restarting, 2)
        report["api_back_per_replica_s"] = {k: round(v, 2) for k, v in sorted(back.items())}
        time.sleep(5)

        leaving = list(tier.replicas)[:REPLICAS - SCALED_DOWN]
        mark(f"scale down to {SCALED_DOWN}: {', '.join(leaving)} leave nginx and get SIGTERM")
        exits = tier.remove(leaving)
        mark(f"scaled down; exit statuses {sorted(set(exits.values()))}")
        failures.extend(check_web_pods(tier, f"scaled down to {SCALED_DOWN}", report))
        if any(exits.values()):
            failures.append(f"a replica exited badly on SIGTERM: {exits}")
        started = time.monotonic()
        tier.add(REPLICAS - SCALED_DOWN)
        mark(f"scaled back up to {REPLICAS} in {time.monotonic() - started:.2f} s")
        failures.extend(check_web_pods(tier, f"back to {REPLICAS}", report))
        time.sleep(5)

        ticker.stop()
        records = load.stop()
        mark(f"players stopped: {len(records)} requests")
        report.update(judge(records, killed, recovered, restarting, tier, ferret, failures))
        running = {n: s for n, s in tier.all_servers().items() if s.running()}
        for name, server in tier.all_servers().items():
            if name not in running and server.proc.returncode != 0:
                failures.append(f"{name} died: exit {server.proc.returncode}")
        for server in running.values():
            server.signal(signal.SIGTERM)
        for name, server in running.items():
            status = server.wait_exit(60)
            if status != 0:
                failures.append(f"{name} exited {status} on SIGTERM at the end")
        for name, server in tier.all_servers().items():
            log = server.log()
            if "Sanitizer" in log or "runtime error:" in log:
                failures.append(f"{name}: a sanitizer report in {server.log_path}")
        mark("done")
    finally:
        if ticker:
            ticker.stop()
        if load:
            load.kill()
        tier.close()
        ferret.stop()
    return report


def judge(records, killed, recovered, restarting, tier, ferret, failures) -> dict:
    """Checks the run against the demo's promises; returns the figures."""
    figures = {}
    page = [r for r in records if is_page(r)]
    api = [r for r in records if not is_page(r)]
    bad_page = [r for r in page if r["s"] != 200]
    figures["page_requests"] = len(page)
    figures["page_failures"] = len(bad_page)
    if bad_page:
        failures.append(f"{len(bad_page)} failed game-page requests, e.g. {bad_page[:3]}")

    errors = [r for r in api if r["s"] != 200]
    in_outage = [r for r in errors if r["t1"] >= killed and r["t0"] <= recovered]
    outside = [r for r in errors if r not in in_outage]
    not_json_503 = [r for r in in_outage if r["s"] != 503 or not r.get("je")]
    figures["api_requests"] = len(api)
    figures["api_errors_during_outage"] = len(in_outage)
    figures["api_errors_outside_outage"] = len(outside)
    if outside:
        failures.append(f"{len(outside)} API errors outside the outage, e.g. {outside[:3]}")
    if not_json_503:
        failures.append(f"{len(not_json_503)} outage errors that are not a JSON 503, e.g. "
                        f"{not_json_503[:3]}")

    write = first_write_after(records, restarting)
    figures["restart_to_first_write_s"] = round(write - restarting, 2) if write else None
    if write is None:
        failures.append("no write succeeded after the restart")

    acknowledged = acknowledged_scores(records)
    attempts = Counter(r["sid"] for r in records if r["p"] == "/highscores" and r["m"] == "POST")
    figures["scores_acknowledged"] = {
        "before": sum(1 for r in acknowledged.values() if r["t1"] < killed),
        "during": sum(1 for r in acknowledged.values() if killed <= r["t1"] <= recovered),
        "after": sum(1 for r in acknowledged.values() if r["t1"] > recovered),
        "retried_until_stored": sum(1 for sid in acknowledged if attempts[sid] > 1),
    }
    client = pymongo.MongoClient(ferret.uri("pacman"), serverSelectionTimeoutMS=10000)
    try:
        collection = client["pacman"]["highscore"]
        problems = check_scores_stored_once(collection, acknowledged)
        if problems:
            failures.append(f"{len(problems)} acknowledged scores not stored exactly once: "
                            f"{problems[:5]}")
        stored = collection.count_documents({})
        time.sleep(1.2)  # past HIGHSCORES_CACHE_MS: every replica reads the database again
        top = [(d["name"], d["score"]) for d in collection.find().sort(
            [("score", -1), ("date", 1), ("_id", 1)]).limit(10)]
        for name, server in tier.replicas.items():
            status, body = http_get(server.url + "/highscores/list")
            seen = [(e["name"], e["score"]) for e in json.loads(body)] if status == 200 else None
            if seen != top:
                failures.append(f"{name} lists {seen}, the database's top 10 is {top}")
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=4) as pool:
            results = pool.map(lambda s: replay_from(s.url, list(acknowledged.values())),
                               tier.replicas.values())
            for name, problems in zip(tier.replicas, results):
                if problems:
                    failures.append(f"{name}: {len(problems)} scores not read back: "
                                    f"{problems[:3]}")
        figures["read_back_s"] = round(time.monotonic() - started, 2)
        figures["read_back_requests"] = len(acknowledged) * len(tier.replicas)
        if collection.count_documents({}) != stored:
            failures.append("reading the scores back through the replicas stored new ones")
    finally:
        client.close()

    served = Counter((r.get("up"), r["p"]) for r in api if r["s"] == 200 and r["m"] == "POST")
    figures["writes_per_replica"] = {
        up: {"scores": served[(up, "/highscores")], "stats": served[(up, "/user/stats")]}
        for up in sorted({u for u, _ in served})}
    steady = [s.port for s in tier.replicas.values()]
    for port in steady[:SCALED_DOWN]:  # the replicas that were there all along
        counts = figures["writes_per_replica"].get(f"127.0.0.1:{port}", {})
        if not counts.get("scores") or not counts.get("stats"):
            failures.append(f"replica on {port} served no score or no stats: {counts}")
    durations = [r["t1"] - r["t0"] for r in page]
    if durations:
        figures["page_ms"] = {"median": round(statistics.median(durations) * 1000, 1),
                              "max": round(max(durations) * 1000, 1)}
    return figures


def print_report(report: dict, say=print):
    say("\n== the demo, rehearsed ==")
    for key, value in report.items():
        if key not in ("failures", "timeline"):
            say(f"  {key}: {value}")
    if report["failures"]:
        say(f"\nFAILED: {len(report['failures'])} promise(s) broken")
        for failure in report["failures"]:
            say(f"  - {str(failure)[:1500]}")
    else:
        say("\nevery promise held: no failed page request, API errors only during the outage "
            "(all JSON 503), every acknowledged score stored once and visible from every "
            "replica")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--players", type=int, default=8)
    parser.add_argument("--outage", type=float, default=5.0, help="seconds the database is down")
    parser.add_argument("--workdir", type=Path, default=ROOT / "build" / "demo")
    args = parser.parse_args()
    shutil.rmtree(args.workdir, ignore_errors=True)
    report = rehearse(args.workdir, players=args.players, outage=args.outage)
    print_report(report)
    (args.workdir / "report.json").write_text(json.dumps(report, indent=2))
    print(f"\nlogs and the report: {args.workdir}/")
    sys.exit(1 if report["failures"] else 0)


if __name__ == "__main__":
    main()
