"""Runs the player scenario (locustfile.py) with Locust and makes its report. Started by
tests/load/run.sh, which installs Locust first.

    loadtest.py smoke      a fresh FerretDB and server on free ports, 25 s of fast-forwarded
                           players (LOAD_TIME_SCALE=0.05), then checks that every kind of
                           request was made and none failed; cleans up. CI runs this.
    loadtest.py full       against URL (default http://localhost:8080, what `make run` serves):
                           USERS players (300), arriving SPAWN_RATE a second (2), for RUN_TIME
                           (5m); LOAD_TIME_SCALE below 1 makes every player impatient.

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


def main(argv: list[str]) -> int:
    mode = argv[1] if len(argv) > 1 else ""
    if mode == "smoke":
        return smoke()
    if mode == "full":
        return full()
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
