"""Runs the player scenario (locustfile.py) with Locust and makes its report. Started by
tests/load/run.sh, which installs Locust first.

    loadtest.py smoke      a fresh FerretDB and server on free ports, 25 s of fast-forwarded
                           players (LOAD_TIME_SCALE=0.05), then checks that every kind of
                           request was made and none failed; cleans up. CI runs this.
    loadtest.py full       against URL (default http://localhost:8080, what `make run` serves):
                           USERS players (300), arriving SPAWN_RATE a second (2), for RUN_TIME
                           (5m); LOAD_TIME_SCALE below 1 makes every player impatient.
    loadtest.py figures    the figures the docs quote (`make figures`): a fresh FerretDB and
                           server, USERS players (500) arriving SPAWN_RATE a second (2) for
                           RUN_TIME (5m); writes loadtest.json (docs/results/ unless
                           PACMAN_RESULTS_DIR says otherwise: tests/docs/results.py) with Locust's
                           table, the CPU time of the server and the database and the server's
                           database operations, and the picture as docs/img/loadtest.png.

Output: build/load/<mode>-<time>/ (build/load/latest points at the newest): Locust's CSV files
and HTML report, report.png and summary.md (tests/load/report.py).
"""

import os
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "docs"))
import results  # noqa: E402  (tests/docs/results.py)
from harness import BUILD, ROOT, FerretDB, Server  # noqa: E402

EXPECTED = ["GET / (the page)", "GET static file", "GET /location/metadata",
            "GET /highscores/list", "GET /user/stats", "GET /user/id", "POST /user/stats",
            "POST /highscores", "GET /cluster"]


def output_dir(mode: str) -> Path:
    out = BUILD / "load" / f"{mode}-{time.strftime('%Y%m%d-%H%M%S')}"
    out.mkdir(parents=True, exist_ok=True)
    latest = BUILD / "load" / "latest"
    if latest.is_symlink() or latest.exists():
        latest.unlink()
    latest.symlink_to(out.name)
    return out


def locust(host: str, users: int, spawn_rate: float, run_time: str, out: Path,
           scale: str) -> int:
    env = dict(os.environ, LOAD_TIME_SCALE=scale, MPLCONFIGDIR=str(BUILD / "load" / ".mpl"))
    command = [sys.executable, "-m", "locust", "-f", str(HERE / "locustfile.py"), "--headless",
               "--host", host.rstrip("/"), "--users", str(users), "--spawn-rate",
               str(spawn_rate), "--run-time", run_time, "--stop-timeout", "5",
               "--csv", str(out / "locust"), "--csv-full-history", "--html",
               str(out / "report.html"), "--only-summary", "--loglevel", "WARNING"]
    print(f"load: {users} players at {spawn_rate}/s for {run_time} against {host} "
          f"(time scale {scale}); output in {out}", flush=True)
    with open(out / "locust.log", "w") as log:
        status = subprocess.run(command, env=env, stdout=log, stderr=subprocess.STDOUT,
                                cwd=out).returncode
    print((out / "locust.log").read_text()[-6000:], flush=True)
    return status


def report(out: Path, title: str) -> None:
    env = dict(os.environ, MPLCONFIGDIR=str(BUILD / "load" / ".mpl"))
    subprocess.run([sys.executable, str(HERE / "report.py"), str(out), title], env=env,
                   check=True)


def counts(out: Path) -> dict[str, tuple[int, int]]:
    """Request name -> (requests, failures) from Locust's final CSV."""
    import csv
    with open(out / "locust_stats.csv") as f:
        return {r["Name"]: (int(r["Request Count"]), int(r["Failure Count"]))
                for r in csv.DictReader(f)}


def job_problems() -> list[str]:
    """The Kubernetes Job (k8s/loadtest) runs the Locust version tested here."""
    pinned = re.search(r"^locust==(\S+)$", (HERE / "requirements.txt").read_text(), re.M)
    image = re.search(r"image: locustio/locust:(\S+)",
                      (ROOT / "k8s" / "loadtest" / "job.yaml").read_text())
    if not (pinned and image and pinned.group(1) == image.group(1)):
        return [f"k8s/loadtest/job.yaml runs locustio/locust:{image and image.group(1)} but "
                f"tests/load/requirements.txt pins locust {pinned and pinned.group(1)}"]
    return []


def smoke() -> int:
    out = output_dir("smoke")
    db = FerretDB().start()
    server = Server(env={"MONGO_URI": db.uri("pacman_load")}, log_path=out / "server.log")
    try:
        server.start()
        status = locust(server.url, users=20, spawn_rate=10, run_time="25s", out=out,
                        scale="0.05")
        report(out, "pacman load test, CI smoke run (20 fast-forwarded players)")
        problems = job_problems()
        if status != 0:
            problems.append(f"locust exited with {status} (a failed request, or an error)")
        seen = counts(out)
        for name in EXPECTED:
            requests, failures = seen.get(name, (0, 0))
            if requests == 0:
                problems.append(f"no '{name}' request was made")
            if failures:
                problems.append(f"{failures} of {requests} '{name}' requests failed")
        log = server.log()
        paths = set(re.findall(r" GET (/\S*) (?:200|304) ", log))
        for must in ("/js/main.js", "/css/pacman.css", "/js/net/api.js"):
            if must not in paths:
                problems.append(f"the players never loaded {must}: the page's files were not "
                                f"found the way a browser finds them")
        if not server.healthy():
            problems.append("the server is not healthy after the run")
        if not (out / "report.png").stat().st_size > 10_000:
            problems.append("report.png is missing or empty")
        if problems:
            print("load smoke: FAILED\n  " + "\n  ".join(problems), file=sys.stderr)
            return 1
        total = sum(r for name, (r, _) in seen.items() if name != "Aggregated")
        print(f"load smoke: passed ({total} requests, none failed; "
              f"{len(paths)} distinct files and routes; report {out / 'report.png'})")
        return 0
    finally:
        server.stop()
        db.cleanup()


def full() -> int:
    url = os.environ.get("URL", "http://localhost:8080")
    users = int(os.environ.get("USERS", "300"))
    spawn_rate = float(os.environ.get("SPAWN_RATE", "2"))
    run_time = os.environ.get("RUN_TIME", "5m")
    scale = os.environ.get("LOAD_TIME_SCALE", "1")
    out = output_dir("full")
    status = locust(url, users, spawn_rate, run_time, out, scale)
    pace = "" if scale == "1" else f", time scale {scale}"
    report(out, f"pacman load test: {users} players{pace}")
    print(f"load: Locust's own HTML report: {out / 'report.html'}")
    return status



# ---- the figures the docs quote (make figures) ----

def cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def metrics(server: Server) -> dict[str, float]:
    """The server's counters without labels (pacman_database_operations_total, the caches' hits
    and misses...): name -> value."""
    import urllib.request
    with urllib.request.urlopen(server.url + "/metrics", timeout=10) as response:
        text = response.read().decode()
    return {m.group(1): float(m.group(2)) for m in re.finditer(r"^(pacman_\w+_total) (\S+)$", text, re.M)}


def key_of(name: str) -> str:
    """A request's name in Locust's table -> its key in loadtest.json."""
    return "all" if name == "Aggregated" else re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def locust_table(out: Path) -> dict:
    import csv
    table = {}
    with open(out / "locust_stats.csv") as f:
        for r in csv.DictReader(f):
            table[key_of(r["Name"])] = {
                "name": r["Name"], "count": int(r["Request Count"]), "failures": int(r["Failure Count"]),
                "rps": round(float(r["Requests/s"]), 2), "p50_ms": float(r["50%"]), "p95_ms": float(r["95%"]),
                "p99_ms": float(r["99%"]), "max_ms": round(float(r["Max Response Time"]), 1)}
    return table


def figures() -> int:
    users = int(os.environ.get("USERS", "500"))
    spawn_rate = float(os.environ.get("SPAWN_RATE", "2"))
    run_time = os.environ.get("RUN_TIME", "5m")
    out = output_dir("figures")
    db = FerretDB().start()
    server = Server(env={"MONGO_URI": db.uri("pacman_load")}, log_path=out / "server.log")
    try:
        server.start()
        before = metrics(server)
        cpu = {"server": cpu_seconds(server.proc.pid), "database": cpu_seconds(db.proc.pid)}
        started = time.monotonic()
        status = locust(server.url, users, spawn_rate, run_time, out, "1")
        seconds = time.monotonic() - started
        cpu = {k: cpu_seconds(p) - cpu[k] for k, p in (("server", server.proc.pid), ("database", db.proc.pid))}
        after = metrics(server)
        memory = rss_mib(server.proc.pid)
        report(out, f"pacman load test: {users} players")
    finally:
        server.stop()
        db.cleanup()
    delta = {k[len("pacman_"):-len("_total")]: round(after[k] - before.get(k, 0)) for k in after}
    table = locust_table(out)
    lists = table.get("get_user_stats", {}).get("count", 0)
    found = {
        "players": users, "spawn_rate": spawn_rate, "run_time": run_time, "seconds": round(seconds),
        "cores": os.cpu_count(), "cpu_available_s": round(seconds * (os.cpu_count() or 1)),
        "locust_exit_status": status,
        "failures_percent": round(100 * table["all"]["failures"] / max(1, table["all"]["count"]), 3),
        "server": {"cpu_s": round(cpu["server"], 1), "rss_after_mib": round(memory, 1)},
        "database": {"cpu_s": round(cpu["database"], 1)},
        "server_counters": delta,
        "requests": table,
    }
    hits, misses = delta.get("players_cache_hits"), delta.get("players_cache_misses")
    if hits is not None and misses is not None and hits + misses:
        found["players_list"] = {"served": hits + misses, "from_memory_percent": round(100 * hits / (hits + misses), 1),
                                   "database_reads": misses, "locust_lists": lists}
    path = results.write("loadtest", found, "make figures (tests/load/run.sh figures)",
                         default=results.DOCS_RESULTS)
    print(f"load: figures in {path}")
    if path.parent == results.DOCS_RESULTS:
        import shutil
        shutil.copyfile(out / "report.png", ROOT / "docs" / "img" / "loadtest.png")
        subprocess.run([sys.executable, str(ROOT / "tests" / "docs" / "check.py"), "refresh"], cwd=ROOT)
    return 0

def main(argv: list[str]) -> int:
    mode = argv[1] if len(argv) > 1 else ""
    if mode == "smoke":
        return smoke()
    if mode == "full":
        return full()
    if mode == "figures":
        return figures()
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
