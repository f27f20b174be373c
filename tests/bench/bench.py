"""make bench: pacman against nginx, the API against a real database, memory, start-up time and
instruction counts, all in one run on this machine. Started by tests/bench/run.sh.

The machine is shared and noisy (2 cores, other test suites running), so every comparison is
made inside one run: ours and nginx alternate cell by cell (the one that goes first swaps every
round), every figure is the median of BENCH_REPEATS rounds, and the load average is printed
per section. Callgrind's instruction counts per request are the figure that does not move with
the noise: compare those between commits.

Environment (all optional):
  BENCH_SECONDS      length of each wrk run (2)
  BENCH_REPEATS      rounds; medians are reported (3; 5 for the static files)
  BENCH_CONNECTIONS  connection counts for the static and list runs (10,100,1000)
  BENCH_API_CONNECTIONS  connections for the other API runs (100)
  BENCH_OUT          where results.json and results.md go (build/bench)
  BENCH_SKIP         comma-separated sections to skip:
                     memory,ceiling,image,static,modes,api,writes,startup,callgrind,cluster
  BENCH_REFERENCE    another pacman binary (an older build) to compare with in this run: the
                     "reference" section alternates wrk runs of both on the same routes, and
                     the callgrind section counts the reference's instructions too

The first table of results.md, "Targets", holds the four figures issue 15 set, each against its
reference measured in the same run: peak RSS with 1,000 keep-alive connections (busy, then idle)
and idle RSS against nginx; the image's size against a Node.js image (tests/image/build.sh);
static requests per second against a bare epoll server answering with pacman's own bytes
(tests/bench/ceiling.c) at 16 and 256 connections.

Writes BENCH_OUT/results.json (every run, for scripts) and BENCH_OUT/results.md (the tables),
and the figures the docs quote to docs/results/bench.json (PACMAN_RESULTS_DIR elsewhere), then
rewrites those figures in the docs (tests/docs/check.py refresh): review `git diff docs/` and
commit it. `bench.py --summarize build/bench/results.json` writes bench.json again from a run's
results.json without measuring anything.
"""

import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "docs"))
import results as results_file  # noqa: E402  (tests/docs/results.py)
from harness import (BUILD, ROOT, FerretDB, Server, end_process, free_port,  # noqa: E402
                     port_open, wait_for)
import cluster_view  # noqa: E402

HERE = Path(__file__).resolve().parent
SECONDS = int(os.environ.get("BENCH_SECONDS", "2"))
REPEATS = int(os.environ.get("BENCH_REPEATS", "3"))
# The static comparison carries the main target: more rounds, each a back-to-back pair.
STATIC_REPEATS = int(os.environ.get("BENCH_REPEATS", "5"))
CONNECTIONS = [int(c) for c in os.environ.get("BENCH_CONNECTIONS", "10,100,1000").split(",")]
API_CONNECTIONS = int(os.environ.get("BENCH_API_CONNECTIONS", "100"))
OUT = Path(os.environ.get("BENCH_OUT", BUILD / "bench")).resolve()  # nginx needs it absolute
SKIP = set(filter(None, os.environ.get("BENCH_SKIP", "").split(",")))
REFERENCE = os.environ.get("BENCH_REFERENCE")
MODES = ["epoll", "poll", "thread-per-connection"]
DATABASE = "pacman_bench"
SCORE_BODY = json.dumps({"name": "bench", "cloud": "local", "zone": "bench", "host": "bench",
                         "score": 1234, "level": 1})

results: dict = {"runs": []}
started_at = time.monotonic()


def say(text: str = ""):
    print(text, flush=True)


def section(title: str):
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    say(f"\n== {title}   (load average {load}; {time.monotonic() - started_at:.0f} s in)")


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def ms(us) -> str:
    return "–" if us is None else f"{us / 1000:.2f}"


def kib_to_mib(kib) -> str:
    return "–" if kib is None else f"{kib / 1024:.1f}"


# ---- processes ----

def rss_kib(pid: int, field: str = "VmRSS") -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except FileNotFoundError:
        pass
    return 0


def process_tree(pid: int) -> list[int]:
    """pid and its children (nginx: the master and its workers)."""
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except FileNotFoundError:
        pass
    return pids


class Background:
    """Runs self.loop() on a thread for as long as a `with` block lasts; loop() returns once
    self.stopping is set."""

    def __init__(self):
        self.stopping = threading.Event()
        self.seconds = 0.0

    def __enter__(self):
        self.stopping.clear()
        self._started = time.monotonic()
        self._thread = threading.Thread(target=self.loop, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        self._thread.join()
        self.seconds = time.monotonic() - self._started

    def loop(self):
        raise NotImplementedError


class RssSampler(Background):
    """Samples the resident set of a process tree every 50 ms while a run is going; keeps the
    peak over every `with sampler:` block."""

    def __init__(self, pid: int):
        super().__init__()
        self.pid = pid
        self.peak = 0

    def loop(self):
        while not self.stopping.is_set():
            self.peak = max(self.peak, sum(rss_kib(p) for p in process_tree(self.pid)))
            self.stopping.wait(0.05)


class Nginx:
    """Debian's nginx with tests/bench/nginx.conf.in, serving a copy of the game's files with
    the very gzip bodies pacman serves beside them (so both send the same bytes)."""

    def __init__(self, root: Path, workers: int, work: Path):
        self.root = root
        self.work = work
        self.port = free_port()
        self.workers = workers
        self.proc = None

    def start(self):
        (self.work / "tmp").mkdir(parents=True, exist_ok=True)
        conf = (HERE / "nginx.conf.in").read_text()
        for key, value in {"WORKERS": self.workers, "PREFIX": self.work, "PORT": self.port,
                           "ROOT": self.root}.items():
            conf = conf.replace(f"@{key}@", str(value))
        (self.work / "nginx.conf").write_text(conf)
        log = open(self.work / "stdout.log", "ab")
        self.proc = subprocess.Popen(["nginx", "-p", str(self.work), "-c",
                                      str(self.work / "nginx.conf")],
                                     stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        wait_for(lambda: self.proc.poll() is not None or port_open(self.port), 10, "nginx")
        if self.proc.poll() is not None:
            raise RuntimeError("nginx did not start: "
                               + (self.work / "error.log").read_text()[-2000:])
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self):
        if self.proc:
            end_process(self.proc, 10)


def fetch(url: str, headers: dict | None = None, method: str = "GET", body: bytes | None = None):
    request = urllib.request.Request(url, headers=headers or {}, method=method, data=body)
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, dict(response.headers), response.read()


# ---- wrk ----

def wrk(url: str, connections: int, seconds: float = SECONDS, method: str = "GET",
        body: str = "", accept_encoding: str = "", threads: int | None = None,
        background: bool = False, body_file: Path | None = None):
    """One wrk run; returns its figures (rps, p50_us, p99_us, errors ...). With background=True
    returns the Popen; pass it to wrk_result()."""
    threads = threads or min(2, connections)
    env = dict(os.environ, WRK_METHOD=method, WRK_BODY=body,
               WRK_CONTENT_TYPE="application/json" if body or body_file else "",
               WRK_ACCEPT_ENCODING=accept_encoding, WRK_BODY_FILE=str(body_file or ""))
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "10s",
               "-s", str(HERE / "wrk-report.lua"), url]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    return proc if background else wrk_result(proc, url)


def wrk_result(proc, url: str) -> dict:
    out, _ = proc.communicate(timeout=SECONDS + 60)
    match = re.search(r"^WRK_JSON (.*)$", out, re.M)
    if not match:
        raise RuntimeError(f"wrk against {url} printed no result:\n{out[-2000:]}")
    figures = json.loads(match.group(1))
    errors = sum(figures["errors"].values())
    figures["error_share"] = errors / max(1, figures["requests"] + figures["errors"]["connect"])
    return figures


def record(kind: str, **fields):
    results["runs"].append({"kind": kind, **fields})


# ---- sections ----

def machine_info() -> dict:
    def first_line(command):
        try:
            out = subprocess.run(command, capture_output=True, text=True, timeout=20)
            text = (out.stdout or out.stderr).strip().splitlines()
            return text[0] if text else "?"
        except (OSError, subprocess.TimeoutExpired):
            return "?"

    def pkg(name):
        return first_line(["pkg-config", "--modversion", name])

    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = Path("/proc/meminfo").read_text().split("\n")[0].split()[1]
    os_name = "?"
    for line in Path("/etc/os-release").read_text().splitlines():
        if line.startswith("PRETTY_NAME="):
            os_name = line.split("=", 1)[1].strip('"')
    info = {
        "os": os_name, "kernel": platform.release(), "cpu": cpu, "cores": os.cpu_count(),
        "memory_gib": round(int(mem) / 1024 / 1024, 1),
        "pacman": first_line(["git", "-C", str(ROOT), "describe", "--always", "--dirty"]),
        "libmicrohttpd": pkg("libmicrohttpd"), "libmongoc": pkg("libmongoc-1.0"),
        "jansson": pkg("jansson"), "nginx": first_line(["nginx", "-v"]),
        "wrk": first_line(["wrk", "-v"]), "valgrind": first_line(["valgrind", "--version"]),
        "database": "FerretDB " + first_line([str(BUILD / "tools" / "ferretdb"), "--version"])
        .split()[-1] + " (SQLite), one member, replica set rs0",
        "load_average_at_start": os.getloadavg(),
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    return info


def prepare_nginx_root(server: Server, work: Path) -> Path:
    """A copy of static/ plus, for every file pacman gzips, pacman's own gzip body as the .gz
    that nginx's gzip_static sends: both servers send identical bytes."""
    root = work / "www"
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(ROOT / "static", root)
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        url = "/" + str(path.relative_to(root))
        _, headers, body = fetch(server.url + url, {"Accept-Encoding": "gzip"})
        if headers.get("Content-Encoding") == "gzip":
            path.with_name(path.name + ".gz").write_bytes(body)
    return root


def static_files() -> list[tuple[str, str]]:
    """(label, url path): index.html and whatever JS file is largest right now."""
    scripts = sorted((p for p in (ROOT / "static").rglob("*.js")), key=lambda p: p.stat().st_size)
    files = [("index.html", "/index.html")]
    if scripts:
        largest = scripts[-1]
        rel = largest.relative_to(ROOT / "static")
        files.append((f"{rel} (largest JS, {largest.stat().st_size // 1024} KiB)", f"/{rel}"))
    return files


ENCODINGS = [("gzip", "gzip"), ("identity", "")]


def check_same_answers(ours: str, nginx: str, files):
    say("responses compared (body bytes; both must agree):")
    for label, path in files:
        for name, value in ENCODINGS:
            headers = {"Accept-Encoding": value} if value else {}
            a = fetch(ours + path, headers)
            b = fetch(nginx + path, headers)
            if a[0] != 200 or b[0] != 200 or len(a[2]) != len(b[2]) or \
                    a[1].get("Content-Encoding") != b[1].get("Content-Encoding"):
                raise RuntimeError(f"{path} {name}: pacman {a[0]} {len(a[2])} B "
                                   f"{a[1].get('Content-Encoding')}, nginx {b[0]} {len(b[2])} B "
                                   f"{b[1].get('Content-Encoding')}")
            say(f"  {path:<28} {name:<8} {len(a[2]):>7} B")


def run_static(ours: Server, nginx: Nginx, files, sampler: RssSampler) -> dict:
    """Every (file, encoding, connections) cell, ours and nginx back to back in each round."""
    section("static files: pacman vs nginx (same files, same bytes, wrk -t2)")
    for _, path in files:  # warm-up: caches, connection pools, page faults
        for url in (ours.url, nginx.url):
            wrk(url + path, 100, 1, accept_encoding="gzip")
    cells = [(label, path, enc_name, enc, c) for label, path in files
             for enc_name, enc in ENCODINGS for c in CONNECTIONS]
    for round_number in range(STATIC_REPEATS):
        order = [("pacman", ours.url), ("nginx", nginx.url)]
        if round_number % 2:
            order.reverse()
        for label, path, enc_name, enc, c in cells:
            for who, base in order:
                if c >= 1000 and who == "pacman":
                    with sampler:
                        figures = wrk(base + path, c, accept_encoding=enc)
                else:
                    figures = wrk(base + path, c, accept_encoding=enc)
                record("static", server=who, file=label, path=path, encoding=enc_name,
                       connections=c, round=round_number, **figures)
        say(f"  round {round_number + 1}/{STATIC_REPEATS} done "
            f"(load {os.getloadavg()[0]:.2f}, {time.monotonic() - started_at:.0f} s in)")
    table = {}
    say(f"\n  {'file':<40} {'enc':<8} {'conns':>5} | {'pacman rps':>10} {'p50':>6} {'p99':>7} |"
        f" {'nginx rps':>10} {'p50':>6} {'p99':>7} | ratio")
    for label, path, enc_name, _, c in cells:
        row = {}
        for who in ("pacman", "nginx"):
            runs = [r for r in results["runs"] if r["kind"] == "static" and r["server"] == who
                    and r["path"] == path and r["encoding"] == enc_name and r["connections"] == c]
            row[who] = {"rps": median(r["rps"] for r in runs),
                        "p50_us": median(r["p50_us"] for r in runs),
                        "p99_us": median(r["p99_us"] for r in runs),
                        "errors": sum(sum(r["errors"].values()) for r in runs)}
        row["ratios_per_round"] = [
            a["rps"] / b["rps"] for a, b in zip(
                [r for r in results["runs"] if r["kind"] == "static" and r["server"] == "pacman"
                 and r["path"] == path and r["encoding"] == enc_name and r["connections"] == c],
                [r for r in results["runs"] if r["kind"] == "static" and r["server"] == "nginx"
                 and r["path"] == path and r["encoding"] == enc_name and r["connections"] == c])]
        # The median of the per-round ratios: each pair ran back to back, so a load change
        # on this shared machine moves both sides of a pair, not the ratio.
        row["ratio"] = median(row["ratios_per_round"])
        table[f"{label}|{enc_name}|{c}"] = {"file": label, "encoding": enc_name,
                                            "connections": c, **row}
        p, n = row["pacman"], row["nginx"]
        say(f"  {label[:40]:<40} {enc_name:<8} {c:>5} | {p['rps']:>10.0f} {ms(p['p50_us']):>6}"
            f" {ms(p['p99_us']):>7} | {n['rps']:>10.0f} {ms(n['p50_us']):>6} {ms(n['p99_us']):>7}"
            f" | {row['ratio']:.2f}x" + ("  (errors!)" if p["errors"] or n["errors"] else ""))
    return table


class IdleConnections:
    """count keep-alive connections that made one request and now wait, as the browsers of
    players between two requests do: `with IdleConnections(port, 1000):`."""

    def __init__(self, port: int, count: int, path: str = "/healthz", headers: str = ""):
        self.port = port
        self.count = count
        self.request = f"GET {path} HTTP/1.1\r\nHost: bench\r\n{headers}\r\n".encode()
        self.sockets = []

    def __enter__(self):
        import socket
        for _ in range(self.count):
            s = socket.create_connection(("127.0.0.1", self.port), timeout=10)
            s.sendall(self.request)
            self.sockets.append(s)
        for s in self.sockets:
            answer = b""
            while b"\r\n\r\n" not in answer:
                answer += s.recv(65536)
            head, _, body = answer.partition(b"\r\n\r\n")
            if not head.startswith(b"HTTP/1.1 200"):
                raise RuntimeError(f"an idle connection's first request failed: {head[:80]!r}")
            length = int(re.search(rb"content-length: *(\d+)", head, re.I).group(1))
            while len(body) < length:
                body += s.recv(65536)
        return self

    def __exit__(self, *exc):
        for s in self.sockets:
            s.close()
        self.sockets = []


MEMORY_CONNECTIONS = 1000


def run_memory(db: FerretDB, files, root: Path) -> dict:
    """Fresh pacman and nginx side by side: RSS idle, then the peak with 1,000 busy keep-alive
    connections (wrk) and with 1,000 idle ones (one request each, then open), in rounds that
    alternate which goes first. Each round's peak is sampled every 50 ms; medians reported."""
    section(f"memory: pacman vs nginx, idle and with {MEMORY_CONNECTIONS:,} keep-alive "
            "connections (fresh servers)")
    path = files[0][1]
    ours = Server(env={"MONGO_URI": db.uri(DATABASE)}, log_path=OUT / "server-memory.log").start()
    work = OUT / "nginx-memory"
    nginx = Nginx(root, int(ours.env.get("HTTP_THREADS") or min(os.cpu_count() or 1, 8)),
                  work).start()
    try:
        time.sleep(2)
        table = {"pacman": {"idle_kib": rss_kib(ours.proc.pid)},
                 "nginx": {"idle_kib": sum(rss_kib(p) for p in process_tree(nginx.proc.pid))}}
        targets = {"pacman": (ours.proc.pid, ours.port, ours.url),
                   "nginx": (nginx.proc.pid, nginx.port, nginx.url)}
        runs = {who: {"busy": [], "idle": []} for who in targets}
        for round_number in range(REPEATS):
            order = list(targets) if round_number % 2 == 0 else list(reversed(targets))
            for who in order:
                pid, port, url = targets[who]
                busy = RssSampler(pid)
                with busy:
                    figures = wrk(url + path, MEMORY_CONNECTIONS, accept_encoding="gzip")
                if figures["error_share"] > 0.01:
                    raise RuntimeError(f"{who}: {figures['error_share']:.1%} errors at "
                                       f"{MEMORY_CONNECTIONS} connections")
                runs[who]["busy"].append(busy.peak)
                idle = RssSampler(pid)
                with idle:
                    with IdleConnections(port, MEMORY_CONNECTIONS, path,
                                         "Accept-Encoding: gzip\r\n"):
                        time.sleep(1)
                runs[who]["idle"].append(idle.peak)
                record("memory", server=who, round=round_number, busy_peak_kib=busy.peak,
                       idle_peak_kib=idle.peak, rps=figures["rps"])
        time.sleep(6)  # pacman hands freed heap pages back every 5 s (server/footprint.h)
        for who in targets:
            table[who]["busy_peak_kib"] = median(runs[who]["busy"])
            table[who]["idle_peak_kib"] = median(runs[who]["idle"])
            table[who]["after_kib"] = sum(rss_kib(p) for p in process_tree(targets[who][0]))
        for who in targets:
            t = table[who]
            say(f"  {who:<7} idle {kib_to_mib(t['idle_kib']):>5} MiB | {MEMORY_CONNECTIONS:,} busy: "
                f"peak {kib_to_mib(t['busy_peak_kib']):>5} MiB | {MEMORY_CONNECTIONS:,} idle: peak "
                f"{kib_to_mib(t['idle_peak_kib']):>5} MiB | after {kib_to_mib(t['after_kib'])} MiB")
        return table
    finally:
        nginx.stop()
        ours.stop()


class Ceiling:
    """tests/bench/ceiling.c: a bare epoll server answering every request with one file's bytes."""

    def __init__(self, answer: Path, threads: int):
        self.port = free_port()
        self.proc = subprocess.Popen([str(BUILD / "bench" / "ceiling"), str(self.port),
                                      str(threads), str(answer)], start_new_session=True)
        wait_for(lambda: self.proc.poll() is not None or port_open(self.port), 10, "ceiling")
        if self.proc.poll() is not None:
            raise RuntimeError("the ceiling server did not start")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self):
        end_process(self.proc, 10)


def raw_answer(port: int, path: str, accept_encoding: str) -> bytes:
    """The bytes a server sends to wrk's request for path: status line, headers and body."""
    import socket
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                  f"Accept-Encoding: {accept_encoding}\r\n\r\n".encode())
        answer = b""
        while b"\r\n\r\n" not in answer:
            answer += s.recv(65536)
        head, _, body = answer.partition(b"\r\n\r\n")
        length = int(re.search(rb"content-length: *(\d+)", head, re.I).group(1))
        while len(body) < length:
            body += s.recv(65536)
        return head + b"\r\n\r\n" + body


CEILING_CONNECTIONS = [16, 256]


def run_ceiling(ours: Server, files) -> dict:
    """pacman against the bare epoll server answering with pacman's own bytes (one write a
    request, as many threads as pacman's HTTP threads), back to back, order swapped each
    round: the practical ceiling for these answers on this machine."""
    threads = int(ours.env.get("HTTP_THREADS") or min(os.cpu_count() or 1, 8))
    section(f"static files: pacman vs a bare epoll server with pacman's bytes ({threads} "
            "threads each, wrk -t2, gzip)")
    table = {}
    for label, path in files:
        answer = OUT / f"ceiling-{Path(path).name}.bin"
        answer.write_bytes(raw_answer(ours.port, path, "gzip"))
        ceiling = Ceiling(answer, threads)
        try:
            if raw_answer(ceiling.port, path, "gzip") != answer.read_bytes():
                raise RuntimeError("the ceiling server does not send pacman's bytes")
            for url in (ours.url, ceiling.url):
                wrk(url + path, 100, 1, accept_encoding="gzip")
            for c in CEILING_CONNECTIONS:
                pairs = []
                for round_number in range(STATIC_REPEATS):
                    order = [("pacman", ours.url), ("ceiling", ceiling.url)]
                    if round_number % 2:
                        order.reverse()
                    got = {}
                    for who, url in order:
                        got[who] = wrk(url + path, c, accept_encoding="gzip")
                        record("ceiling", server=who, file=label, path=path, connections=c,
                               round=round_number, **got[who])
                    pairs.append(got)
                row = {"file": label, "path": path, "connections": c,
                       "pacman_rps": median(p["pacman"]["rps"] for p in pairs),
                       "ceiling_rps": median(p["ceiling"]["rps"] for p in pairs),
                       "ratios_per_round": [p["pacman"]["rps"] / p["ceiling"]["rps"]
                                            for p in pairs],
                       "load": os.getloadavg()[0]}
                row["ratio"] = median(row["ratios_per_round"])
                table[f"{label}|{c}"] = row
                say(f"  {label[:40]:<40} {c:>4} conns | pacman {row['pacman_rps']:>8.0f} | "
                    f"ceiling {row['ceiling_rps']:>8.0f} | {row['ratio']:.2f}x "
                    f"(rounds " + ", ".join(f"{r:.2f}" for r in row["ratios_per_round"])
                    + f"; load {row['load']:.1f})")
        finally:
            ceiling.stop()
    return table


def run_image() -> dict:
    """tests/image/build.sh: the image and its reference, built with podman; their sizes."""
    section("image size: pacman against a Node.js image (tests/image/build.sh, podman)")
    out = subprocess.run(["tests/image/build.sh"], cwd=ROOT, capture_output=True, text=True,
                         timeout=3600)
    if out.returncode != 0:
        raise RuntimeError(f"tests/image/build.sh failed:\n{out.stdout[-2000:]}{out.stderr[-2000:]}")
    sizes = json.loads((BUILD / "image" / "sizes.json").read_text())
    say("  " + (BUILD / "image" / "size.txt").read_text().strip())
    # The image's figures have one results file, image.json, whoever builds it (the image suite
    # or this section): measure.py writes it beside bench.json.
    # Through tests/podman.sh, as the image suite does: its storage (build/image/storage), not
    # podman's default, holds the image build.sh made.
    subprocess.run(["bash", "-c", '. tests/podman.sh && exec "$0" tests/image/measure.py --by "make bench (tests/image/measure.py)"',
                    sys.executable],
                   cwd=ROOT, check=True, timeout=600)
    return sizes


IDLE = 1000  # idle keep-alive connections beside the busy ones, in the modes comparison
BUSY = 10


def run_modes(db: FerretDB, files, ours: Server) -> dict:
    """libmicrohttpd's threading modes on the same file, interleaved; then 10 busy
    connections while 1,000 idle ones stay open (what a crowd of players looks like)."""
    section("libmicrohttpd threading modes (HTTP_MODE), index.html gzip")
    servers = {"epoll": ours}
    extra = []
    for mode in MODES[1:]:
        server = Server(env={"MONGO_URI": db.uri(DATABASE), "HTTP_MODE": mode},
                        log_path=OUT / f"server-{mode}.log")
        server.start()
        servers[mode] = server
        extra.append(server)
    path = files[0][1]
    try:
        for server in servers.values():
            wrk(server.url + path, 100, 1, accept_encoding="gzip")
        for round_number in range(REPEATS):
            modes = MODES[round_number % len(MODES):] + MODES[:round_number % len(MODES)]
            for c in CONNECTIONS:
                for mode in modes:
                    figures = wrk(servers[mode].url + path, c, accept_encoding="gzip")
                    record("mode", mode=mode, connections=c, round=round_number, **figures)
            for mode in modes:
                with IdleConnections(servers[mode].port, IDLE):
                    figures = wrk(servers[mode].url + path, BUSY, accept_encoding="gzip")
                record("mode", mode=mode, connections="idle", round=round_number, **figures)
        table = {}
        columns = CONNECTIONS + ["idle"]
        say(f"  {'mode':<22} " + " ".join(f"{f'{c} conns rps':>16}" for c in CONNECTIONS)
            + f" {f'{BUSY} + {IDLE} idle':>16}")
        for mode in MODES:
            cells = {}
            for c in columns:
                runs = [r for r in results["runs"] if r["kind"] == "mode" and r["mode"] == mode
                        and r["connections"] == c]
                cells[c] = {"rps": median(r["rps"] for r in runs),
                            "p99_us": median(r["p99_us"] for r in runs)}
            table[mode] = cells
            say(f"  {mode:<22} " + " ".join(f"{cells[c]['rps']:>16.0f}" for c in columns))
        rss = {mode: rss_kib(s.proc.pid, "VmHWM") for mode, s in servers.items()}
        for mode in MODES:
            table[mode]["peak_rss_kib"] = rss[mode]
        say("  peak RSS: " + ", ".join(f"{m} {kib_to_mib(rss[m])} MiB" for m in MODES))
        return table
    finally:
        for server in extra:
            server.stop()


def api_seed(server: Server) -> Path:
    """Realistic contents: 200 scores and 200 players. Returns a file of POST /user/stats
    bodies, one per player (every player updates its own document, as in a game)."""
    for i in range(200):
        body = json.dumps({"name": f"seed{i}", "cloud": "local", "zone": "bench",
                           "host": "bench", "score": 100 * (i + 1), "level": 1 + i // 20})
        status, _, _ = fetch(server.url + "/highscores", {"Content-Type": "application/json"},
                             "POST", body.encode())
        assert status == 200
    lines = []
    for i in range(200):
        _, _, body = fetch(server.url + "/user/id")
        SEEDED_PLAYERS.append(json.loads(body))
        lines.append(json.dumps({"userId": json.loads(body), "cloud": "local", "zone": "bench",
                                 "host": "bench", "score": 10 * i, "level": 1, "lives": 3,
                                 "elapsedTime": i}))
    path = OUT / "user-stats-bodies.txt"
    path.write_text("\n".join(lines) + "\n")
    return path


def wait_database_idle(server: Server, timeout: float = 30):
    """Waits until the server has no database call queued or running, so that one run's
    backlog does not land in the next."""
    wait_for(lambda: metric(server, "pacman_database_pending") == 0, timeout,
             "the database queue to drain")


SEEDED_PLAYERS: list = []


def drop_bench_scores(db: FerretDB):
    """Removes what the write runs stored, keeping the 200 seeded scores and players: FerretDB
    (unlike MongoDB) sorts the list and finds a player to update without the indexes, so those
    costs grow with the collections, and a run must not slow down the next."""
    import pymongo
    from bson import ObjectId
    with pymongo.MongoClient(db.uri(DATABASE), serverSelectionTimeoutMS=5000) as client:
        client[DATABASE]["highscore"].delete_many({"name": "bench"})
        keep = [ObjectId(i) for i in SEEDED_PLAYERS]
        client[DATABASE]["userstats"].delete_many({"_id": {"$nin": keep}})


def metric(server: Server, name: str) -> float:
    _, _, body = fetch(server.url + "/metrics")
    match = re.search(rf"^{name} (\S+)$", body.decode(), re.M)
    return float(match.group(1)) if match else 0.0


class Writer(Background):
    """Stores a new best score every 1/rate seconds, one at a time, while a run is going, and
    reads the list right after each: the score must be on top (a replica's own writes are
    visible at once, whatever its cache holds)."""

    def __init__(self, server: Server, rate: float):
        super().__init__()
        self.url = server.url
        self.rate = rate
        self.count = 0
        self.failures = 0
        self.stale = 0  # lists read after a stored score that did not show it
        self.attempts = 0

    @property
    def achieved(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0

    def loop(self):
        next_at = time.monotonic()
        while not self.stopping.is_set():
            self.attempts += 1
            score = 1_000_000 + self.attempts  # above every seeded score and every earlier one
            body = json.dumps({**json.loads(SCORE_BODY), "score": score, "level": 99})
            try:
                status, _, _ = fetch(self.url + "/highscores",
                                     {"Content-Type": "application/json"}, "POST", body.encode())
                if status == 200:
                    self.count += 1
                    _, _, listed = fetch(self.url + "/highscores/list")
                    top = json.loads(listed)
                    self.stale += not top or top[0]["score"] != score
            except OSError:
                self.failures += 1
            next_at += 1 / self.rate
            self.stopping.wait(max(0.0, next_at - time.monotonic()))


WRITES_PER_SECOND = 10  # game-overs per second on one replica: a busy demo


def run_api(db: FerretDB, server: Server, sampler: RssSampler) -> dict:
    workers = int(server.env.get("DB_WORKERS", "16"))
    section(f"API against FerretDB (wrk -t2; reads at {API_CONNECTIONS} connections, database "
            f"writes at {workers}: one per database worker, more would only queue)")
    stats_bodies = api_seed(server)
    endpoints = [("GET /highscores/list", "/highscores/list", "GET", "", c) for c in CONNECTIONS]
    endpoints += [
        ("GET /location/metadata", "/location/metadata", "GET", "", API_CONNECTIONS),
        ("GET /cluster", "/cluster", "GET", "", API_CONNECTIONS),
        ("GET /user/id", "/user/id", "GET", "", workers),
        ("POST /highscores", "/highscores", "POST", SCORE_BODY, workers),
        ("POST /user/stats", "/user/stats", "POST", stats_bodies, workers),
    ]
    during = f"GET /highscores/list, {WRITES_PER_SECOND} scores/s stored meanwhile"

    def run(path, c, method, body, seconds=SECONDS):
        wait_database_idle(server)
        encoding = "gzip" if path == "/index.html" else ""
        if c >= 1000:
            with sampler:
                return wrk(server.url + path, c, seconds, method=method, body=body,
                           accept_encoding=encoding)
        if isinstance(body, Path):
            return wrk(server.url + path, c, seconds, method=method, body_file=body)
        return wrk(server.url + path, c, seconds, method=method, body=body)

    for name, path, method, body, c in endpoints:
        run(path, min(c, 10), method, body, 1)
    drop_bench_scores(db)
    for round_number in range(REPEATS):
        for name, path, method, body, c in endpoints:
            if path == "/highscores/list":
                # its reference, back to back: index.html (gzip) at the same connection count
                figures = run("/index.html", c, "GET", "")
                record("api_static", connections=c, round=round_number, **figures)
            queries = metric(server, "pacman_database_operations_total")
            figures = run(path, c, method, body)
            if path == "/highscores/list":
                figures["database_reads"] = metric(
                    server, "pacman_database_operations_total") - queries
            if path in ("/highscores", "/user/id"):
                drop_bench_scores(db)
            record("api", endpoint=name, connections=c, round=round_number, **figures)
        # The list while this replica stores scores: each stored score empties its cache, so
        # the next list must come from the database (its own writes are never hidden).
        wait_database_idle(server)
        queries = metric(server, "pacman_database_operations_total")
        with Writer(server, WRITES_PER_SECOND) as writer:
            figures = wrk(server.url + "/highscores/list", API_CONNECTIONS)
        figures["database_reads"] = metric(server, "pacman_database_operations_total") \
            - queries - writer.count - writer.failures
        figures["stale_after_own_write"] = writer.stale
        drop_bench_scores(db)
        record("api", endpoint=during, connections=API_CONNECTIONS, round=round_number,
               writes_per_s=writer.achieved, **figures)
    endpoints.append((during, None, None, None, API_CONNECTIONS))
    table = {}
    say(f"  {'endpoint':<48} {'conns':>5} {'rps':>9} {'p50 ms':>7} {'p99 ms':>7} {'errors':>7}"
        f" | note")
    for name, _, _, _, c in endpoints:
        runs = [r for r in results["runs"] if r["kind"] == "api" and r["endpoint"] == name
                and r["connections"] == c]
        row = {"endpoint": name, "connections": c, "rps": median(r["rps"] for r in runs),
               "p50_us": median(r["p50_us"] for r in runs),
               "p99_us": median(r["p99_us"] for r in runs),
               "error_share": max(r["error_share"] for r in runs)}
        notes = []
        if "database_reads" in runs[0]:
            row["database_reads_per_s"] = median(r["database_reads"] / (r["duration_us"] / 1e6)
                                                 for r in runs)
            notes.append(f"{row['database_reads_per_s']:.0f} database reads/s")
        if "writes_per_s" in runs[0]:
            row["writes_per_s"] = median(r["writes_per_s"] for r in runs)
            row["stale_after_own_write"] = sum(r["stale_after_own_write"] for r in runs)
            notes.append("own score on top in the next list: "
                         + ("always" if row["stale_after_own_write"] == 0
                            else f"NOT {row['stale_after_own_write']} times"))
        if name in ("GET /highscores/list", "GET /cluster"):
            static = [r for r in results["runs"] if r["kind"] == "api_static"
                      and r["connections"] == c]
            row["static_rps"] = median(r["rps"] for r in static)
            row["ratio_to_static"] = median(a["rps"] / b["rps"] for a, b in zip(runs, static))
            notes.append(f"{row['ratio_to_static']:.2f}x of index.html (gzip) run just before")
        row["note"] = ", ".join(notes)
        table[f"{name}|{c}"] = row
        say(f"  {name:<48} {c:>5} {row['rps']:>9.0f} {ms(row['p50_us']):>7} "
            f"{ms(row['p99_us']):>7} {row['error_share'] * 100:>6.2f}% | {row['note']}")
    return table


def run_writes(db: FerretDB, server: Server) -> dict:
    """POST /highscores one at a time against the same insert straight through libmongoc."""
    section("write overhead: POST /highscores vs a direct libmongoc insert_one "
            "(w:majority, j:true), one at a time")
    direct = BUILD / "bench" / "direct_insert"
    server_runs, direct_runs = [], []
    for round_number in range(REPEATS):
        steps = ["direct", "server"] if round_number % 2 == 0 else ["server", "direct"]
        for step in steps:
            if step == "direct":
                out = subprocess.run([str(direct), db.uri(DATABASE), DATABASE, str(SECONDS)],
                                     capture_output=True, text=True, timeout=SECONDS + 60)
                if out.returncode != 0:
                    raise RuntimeError(f"direct_insert failed: {out.stderr[-2000:]}")
                figures = json.loads(out.stdout.strip().splitlines()[-1])
                direct_runs.append(figures)
                drop_bench_scores(db)
                record("write_direct", round=round_number, **figures)
            else:
                figures = wrk(server.url + "/highscores", 1, method="POST", body=SCORE_BODY,
                              threads=1)
                if figures["error_share"] > 0:
                    raise RuntimeError(f"POST /highscores failed during the write runs: {figures}")
                server_runs.append(figures)
                drop_bench_scores(db)
                record("write_server", round=round_number, **figures)
    row = {
        "direct_p50_us": median(r["p50_us"] for r in direct_runs),
        "direct_p99_us": median(r["p99_us"] for r in direct_runs),
        "server_p50_us": median(r["p50_us"] for r in server_runs),
        "server_p99_us": median(r["p99_us"] for r in server_runs),
        "server_rps": median(r["rps"] for r in server_runs),
        "direct_per_s": median(r["count"] / SECONDS for r in direct_runs),
    }
    row["overhead_p50_us"] = row["server_p50_us"] - row["direct_p50_us"]
    row["overhead_per_round_us"] = [s["p50_us"] - d["p50_us"]
                                    for s, d in zip(server_runs, direct_runs)]
    say(f"  direct insert_one   p50 {ms(row['direct_p50_us'])} ms  p99 "
        f"{ms(row['direct_p99_us'])} ms  ({row['direct_per_s']:.0f}/s)")
    say(f"  POST /highscores    p50 {ms(row['server_p50_us'])} ms  p99 "
        f"{ms(row['server_p99_us'])} ms  ({row['server_rps']:.0f}/s)")
    say(f"  the server adds     {ms(row['overhead_p50_us'])} ms at p50 (per round: "
        + ", ".join(ms(x) for x in row["overhead_per_round_us"]) + ")")
    return row


def run_startup(db: FerretDB) -> dict:
    """Exec to the first 200 from /readyz, and to the first list answered from the database."""
    section("start-up time (exec to ready), 5 starts")
    ready, api = [], []
    for i in range(5):
        server = Server(env={"MONGO_URI": db.uri(DATABASE)}, log_path=OUT / "server-startup.log")
        t0 = time.monotonic()
        server.start(wait=False)
        try:
            def answers(path):
                try:
                    return fetch(server.url + path)[0] == 200
                except OSError:
                    return False
            wait_for(lambda: server.proc.poll() is not None or answers("/readyz"), 20,
                     "/readyz", interval=0.002)
            ready.append(time.monotonic() - t0)
            wait_for(lambda: server.proc.poll() is not None or answers("/highscores/list"), 20,
                     "/highscores/list", interval=0.002)
            api.append(time.monotonic() - t0)
        finally:
            server.stop()
    row = {"ready_ms": median(ready) * 1000, "first_list_ms": median(api) * 1000,
           "ready_runs_ms": [x * 1000 for x in ready]}
    say(f"  ready (/readyz 200): {row['ready_ms']:.0f} ms; first GET /highscores/list "
        f"answered: {row['first_list_ms']:.0f} ms (medians; runs "
        + ", ".join(f"{x:.0f}" for x in row["ready_runs_ms"]) + " ms)")
    return row


class Callgrind:
    """The server under valgrind --tool=callgrind: instructions counted between a zero and a
    dump (callgrind_control), minus the idle background (log flusher, database monitor)
    counted over the same time."""

    def __init__(self, db: FerretDB, cache_ms: int, binary: str | None = None):
        self.dir = OUT / "callgrind"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.binary = binary or str(BUILD / "pacman")
        self.server = Server(env={"MONGO_URI": db.uri(DATABASE),
                                  "HIGHSCORES_CACHE_MS": str(cache_ms)},
                             log_path=self.dir / f"server-cache{cache_ms}"
                                                 f"{'-reference' if binary else ''}.log")
        self.idle_per_s = 0.0

    def start(self):
        out_file = self.dir / "callgrind.out.%p"
        log = open(self.server.log_path, "ab")
        self.server.proc = subprocess.Popen(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out_file}",
             "--dump-instr=no", "--collect-jumps=no", self.binary],
            env=self.server.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)
        log.close()
        self.server.wait_healthy(120)
        return self

    def _control(self, flag: str):
        subprocess.run(["callgrind_control", flag, str(self.server.proc.pid)],
                       capture_output=True, timeout=60, check=True)

    def _measure(self, action) -> tuple[float, float]:
        before = set(self.dir.glob(f"callgrind.out.{self.server.proc.pid}.*"))
        self._control("-z")
        t0 = time.monotonic()
        action()
        elapsed = time.monotonic() - t0
        self._control("-d")
        dumps = set(self.dir.glob(f"callgrind.out.{self.server.proc.pid}.*")) - before
        wait_for(lambda: dumps, 10, "callgrind dump")
        text = max(dumps, key=lambda p: int(p.name.rsplit(".", 1)[1])).read_text()
        totals = int(re.search(r"^(?:totals|summary): (\d+)", text, re.M).group(1))
        return totals, elapsed

    def calibrate(self):
        total, elapsed = self._measure(lambda: time.sleep(2))
        self.idle_per_s = total / elapsed

    def per_request(self, method: str, path: str, count: int, headers=None, body=None,
                    expect=(200,)) -> float:
        import http.client
        connection = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=60)

        def one():
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            response.read()
            if response.status not in expect:
                raise RuntimeError(f"{method} {path}: {response.status}")

        one()  # connection set up, caches filled: not counted
        total, elapsed = self._measure(lambda: [one() for _ in range(count)])
        connection.close()
        return max(0.0, total - self.idle_per_s * elapsed) / count

    def stop(self):
        self.server.stop(120)


def run_callgrind(db: FerretDB, files) -> dict:
    section("instructions per request (callgrind, whole process, keep-alive, one at a time)")
    cached = Callgrind(db, 60_000)
    uncached = Callgrind(db, 0)
    # with BENCH_REFERENCE, the same paths counted on the reference binary, for the ratio
    others = {cached: Callgrind(db, 60_000, REFERENCE), uncached: Callgrind(db, 0, REFERENCE)} \
        if REFERENCE else {}
    everyone = [cached, uncached, *others.values()]
    for c in everyone:
        c.start()
    try:
        for c in everyone:
            c.calibrate()
        _, _, body = fetch(cached.server.url + "/user/id")
        user_id = json.loads(body)
        stats = json.dumps({"userId": user_id, "cloud": "local", "zone": "bench",
                            "host": "bench", "score": 10, "level": 1, "lives": 3,
                            "elapsedTime": 5})
        etag = fetch(cached.server.url + "/index.html", {"Accept-Encoding": "gzip"})[1]["ETag"]
        json_headers = {"Content-Type": "application/json"}
        largest_label, largest_path = files[-1]
        paths = [
            ("GET /index.html (gzip, 200)", cached, "GET", "/index.html",
             {"Accept-Encoding": "gzip"}, None, 1000, (200,)),
            ("GET /index.html (If-None-Match, 304)", cached, "GET", "/index.html",
             {"Accept-Encoding": "gzip", "If-None-Match": etag}, None, 1000, (304,)),
            (f"GET {largest_path} (identity)", cached, "GET", largest_path, None, None, 1000,
             (200,)),
            ("GET /highscores/list (cached)", cached, "GET", "/highscores/list", None, None, 1000,
             (200,)),
            ("GET /highscores/list (from the database)", uncached, "GET", "/highscores/list",
             None, None, 150, (200,)),
            ("GET /location/metadata", cached, "GET", "/location/metadata", None, None, 1000,
             (200,)),
            ("GET /cluster", cached, "GET", "/cluster", None, None, 1000, (200,)),
            ("GET /user/id", cached, "GET", "/user/id", None, None, 150, (200,)),
            ("POST /highscores", uncached, "POST", "/highscores", json_headers, SCORE_BODY, 150,
             (200,)),
            ("POST /user/stats", cached, "POST", "/user/stats", json_headers, stats, 150,
             (200,)),
        ]
        table = {}
        for name, target, method, path, headers, body, count, expect in paths:
            runs = [target.per_request(method, path, count, headers, body, expect)
                    for _ in range(REPEATS)]
            table[name] = median(runs)
            spread = (max(runs) - min(runs)) / table[name] * 100
            note = ""
            if target in others:
                reference = median(others[target].per_request(method, path, count, headers, body,
                                                              expect) for _ in range(REPEATS))
                results.setdefault("callgrind_reference", {})[name] = reference
                note = f"; reference {reference:,.0f}, {table[name] / reference:.2f}x"
            say(f"  {name:<48} {table[name]:>10,.0f} instructions (runs within {spread:.1f} %"
                f"{note})")
        return table
    finally:
        for c in everyone:
            c.stop()


def run_reference(db: FerretDB, files) -> dict:
    """BENCH_REFERENCE: this build and the reference side by side, fresh servers of each on the
    same database, wrk runs alternating (the one that goes first swaps every round); the ratio
    is the median of the per-round ratios (ours / reference)."""
    section(f"this build vs the reference ({REFERENCE}), wrk -t2, alternating")
    label, largest = files[-1]
    endpoints = [("GET /index.html (gzip)", "/index.html", "gzip", 100),
                 (f"GET {largest} (identity)", largest, "", 100),
                 ("GET /highscores/list (cached)", "/highscores/list", "", 100),
                 ("GET /location/metadata", "/location/metadata", "", 100),
                 ("GET /cluster", "/cluster", "", 100),
                 ("GET /healthz", "/healthz", "", 100)]
    env = {"MONGO_URI": db.uri(DATABASE)}
    servers = {"ours": Server(env=env, log_path=OUT / "server-ours.log").start(),
               "reference": Server(env=env, binary=REFERENCE,
                                   log_path=OUT / "server-reference.log").start()}
    try:
        for _, path, enc, c in endpoints:  # warm-up
            for srv in servers.values():
                wrk(srv.url + path, c, 1, accept_encoding=enc)
        for round_number in range(REPEATS):
            order = ["ours", "reference"] if round_number % 2 == 0 else ["reference", "ours"]
            for name, path, enc, c in endpoints:
                for who in order:
                    record("reference", server=who, endpoint=name, round=round_number,
                           **wrk(servers[who].url + path, c, accept_encoding=enc))
    finally:
        for srv in servers.values():
            srv.stop()
    table = {}
    say(f"  {'endpoint':<40} {'ours rps':>10} {'ref rps':>10} | ratio")
    for name, *_ in endpoints:
        runs = {who: [r for r in results["runs"] if r["kind"] == "reference"
                      and r["server"] == who and r["endpoint"] == name] for who in servers}
        ratio = median(a["rps"] / b["rps"] for a, b in zip(runs["ours"], runs["reference"]))
        table[name] = {"rps": median(r["rps"] for r in runs["ours"]),
                       "reference_rps": median(r["rps"] for r in runs["reference"]),
                       "ratio": ratio}
        say(f"  {name:<40} {table[name]['rps']:>10.0f} {table[name]['reference_rps']:>10.0f} | "
            f"{ratio:.2f}x")
    return table


# ---- report ----

def targets_markdown() -> list[str]:
    """The four figures issue 15 set, each against its reference from this run."""
    memory, image = results.get("fresh_memory"), results.get("image")
    ceiling = results.get("ceiling")
    if not (memory or image or ceiling):
        return []
    lines = ["## Targets", "",
             "| figure | pacman | reference (same run) | pacman/reference | target |",
             "|---|--:|--:|--:|---|"]
    if memory:
        p, n = memory["pacman"], memory["nginx"]
        for key, name, target in (
                ("busy_peak_kib", f"peak RSS, {MEMORY_CONNECTIONS:,} busy keep-alive connections",
                 "< 24 MiB"),
                ("idle_peak_kib", f"peak RSS, {MEMORY_CONNECTIONS:,} idle keep-alive connections",
                 "< 24 MiB"),
                ("idle_kib", "RSS idle", "< 10 MiB")):
            lines.append(f"| {name} | {kib_to_mib(p[key])} MiB | nginx {kib_to_mib(n[key])} MiB | "
                         f"{p[key] / n[key]:.2f}× | {target} |")
    if image:
        lines.append(f"| image | {image['image_bytes'] / 1e6:.1f} MB | {image['reference']} "
                     f"{image['reference_bytes'] / 1e6:.1f} MB | "
                     f"{image['image_bytes'] / image['reference_bytes']:.2f}× | < 60 MB |")
    if ceiling:
        for row in ceiling.values():
            lines.append(f"| static req/s, {row['file']} gzip, {row['connections']} connections "
                         f"| {row['pacman_rps']:,.0f} | bare epoll server {row['ceiling_rps']:,.0f}"
                         f" | **{row['ratio']:.2f}×** | ≥ 0.9× |")
    lines.append("")
    return lines


def write_markdown(info: dict) -> str:
    lines = ["# pacman benchmark", "",
             f"Machine: {info['os']}, kernel {info['kernel']}, {info['cpu']}, "
             f"{info['cores']} cores, {info['memory_gib']} GiB; load average at start "
             + " ".join(f"{x:.2f}" for x in info["load_average_at_start"]) + ".",
             f"Versions: pacman {info['pacman']}, libmicrohttpd {info['libmicrohttpd']}, "
             f"libmongoc {info['libmongoc']}, jansson {info['jansson']}, {info['nginx']}, "
             f"{info['wrk']}, {info['valgrind']}, {info['database']}.",
             f"Each figure is the median of {REPEATS} runs ({STATIC_REPEATS} for the static "
             f"files) of {SECONDS:g} s (wrk -t2); latencies in ms. pacman/nginx is the median "
             "of the ratios of back-to-back pairs.", ""]
    lines += targets_markdown()
    static = results.get("static")
    if static:
        lines += ["## Static files: pacman vs nginx", "",
                  "| file | encoding | connections | pacman req/s | p50 | p99 | nginx req/s | p50 |"
                  " p99 | pacman/nginx |", "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|"]
        for row in static.values():
            p, n = row["pacman"], row["nginx"]
            lines.append(f"| {row['file']} | {row['encoding']} | {row['connections']} | "
                         f"{p['rps']:,.0f} | {ms(p['p50_us'])} | {ms(p['p99_us'])} | "
                         f"{n['rps']:,.0f} | {ms(n['p50_us'])} | {ms(n['p99_us'])} | "
                         f"**{row['ratio']:.2f}×** |")
        lines.append("")
    modes = results.get("modes")
    if modes:
        lines += ["## libmicrohttpd threading modes (index.html, gzip)", "",
                  "| HTTP_MODE | " + " | ".join(f"{c} conns req/s" for c in CONNECTIONS)
                  + f" | {BUSY} busy + {IDLE} idle conns req/s | peak RSS MiB |",
                  "|---|" + "--:|" * (len(CONNECTIONS) + 2)]
        for mode in MODES:
            lines.append(f"| {mode} | " + " | ".join(f"{modes[mode][c]['rps']:,.0f}"
                                                     for c in CONNECTIONS + ["idle"])
                         + f" | {kib_to_mib(modes[mode]['peak_rss_kib'])} |")
        lines.append("")
    api = results.get("api")
    if api:
        lines += ["## API (FerretDB on the same machine)", "",
                  "| endpoint | connections | req/s | p50 | p99 | note |",
                  "|---|--:|--:|--:|--:|---|"]
        for row in api.values():
            note = row["note"].replace("x of", "× of")
            if row["error_share"] > 0.001:
                note += f" (**{row['error_share'] * 100:.1f}% errors**)"
            lines.append(f"| {row['endpoint']} | {row['connections']} | {row['rps']:,.0f} | "
                         f"{ms(row['p50_us'])} | {ms(row['p99_us'])} | {note} |")
        lines.append("")
    writes = results.get("writes")
    if writes:
        lines += ["## Write overhead (one request at a time)", "",
                  "| | p50 | p99 |", "|---|--:|--:|",
                  f"| libmongoc insert_one, w:majority, j:true | {ms(writes['direct_p50_us'])} | "
                  f"{ms(writes['direct_p99_us'])} |",
                  f"| POST /highscores | {ms(writes['server_p50_us'])} | "
                  f"{ms(writes['server_p99_us'])} |",
                  f"| **the server adds** | **{ms(writes['overhead_p50_us'])}** | |", ""]
    memory = results.get("memory")
    startup = results.get("startup")
    if memory or startup or results.get("fresh_memory"):
        lines += ["## Memory and start-up", "", "| | pacman | nginx |", "|---|--:|--:|"]
        fresh = results.get("fresh_memory")
        if fresh:
            p, n = fresh["pacman"], fresh["nginx"]
            lines += [f"| fresh servers: RSS idle (MiB) | {kib_to_mib(p['idle_kib'])} | "
                      f"{kib_to_mib(n['idle_kib'])} |",
                      f"| fresh servers: peak RSS, {MEMORY_CONNECTIONS:,} busy keep-alive "
                      f"connections (MiB) | {kib_to_mib(p['busy_peak_kib'])} | "
                      f"{kib_to_mib(n['busy_peak_kib'])} |",
                      f"| fresh servers: peak RSS, {MEMORY_CONNECTIONS:,} idle keep-alive "
                      f"connections (MiB) | {kib_to_mib(p['idle_peak_kib'])} | "
                      f"{kib_to_mib(n['idle_peak_kib'])} |",
                      f"| fresh servers: RSS once they closed (MiB) | {kib_to_mib(p['after_kib'])} | "
                      f"{kib_to_mib(n['after_kib'])} |"]
        if memory:
            lines += [f"| the long-running servers: RSS idle (MiB) | {kib_to_mib(memory['idle_kib'])} | "
                      f"{kib_to_mib(memory.get('nginx_idle_kib'))} |",
                      f"| the long-running servers: peak RSS in the 1,000-connection runs (MiB) | "
                      f"{kib_to_mib(memory.get('peak_1000_kib'))} | "
                      f"{kib_to_mib(memory.get('nginx_peak_1000_kib'))} |",
                      f"| the long-running servers: RSS after every run (MiB) | {kib_to_mib(memory['after_kib'])} | "
                      f"{kib_to_mib(memory.get('nginx_after_kib'))} |"]
        if startup:
            lines += [f"| start-up to ready (ms) | {startup['ready_ms']:.0f} | |",
                      f"| start-up to the first list from the database (ms) | "
                      f"{startup['first_list_ms']:.0f} | |"]
        lines.append("")
    callgrind = results.get("callgrind")
    if callgrind:
        lines += ["## Instructions per request (callgrind, whole process)", "",
                  "| request | instructions |", "|---|--:|"]
        lines += [f"| {name} | {value:,.0f} |" for name, value in callgrind.items()]
        lines.append("")
    return "\n".join(lines)



# ---- the figures the docs quote (docs/results/bench.json) ----

def file_key(label: str) -> str:
    """index.html -> index_html; the largest JS file (whichever it is) -> largest_js."""
    return "index_html" if label == "index.html" else "largest_js"


def mib(kib) -> float | None:
    return None if kib is None else round(kib / 1024, 2)


def msec(us) -> float | None:
    return None if us is None else round(us / 1000, 3)


def ratio(value) -> float | None:
    return None if value is None else round(value, 3)


def summary(run: dict) -> dict:
    """The figures of one run, under stable key paths, in the units the docs quote them in."""
    info = run["machine"]
    out: dict = {"versions": {k: info[k] for k in ("pacman", "libmicrohttpd", "libmongoc", "jansson",
                                                   "nginx", "wrk", "valgrind", "database")},
                 "seconds": round(run.get("seconds", 0)),
                 "load_average_at_start": [round(x, 2) for x in info["load_average_at_start"]]}
    static = run.get("static") or {}
    largest = next((row["file"] for row in static.values() if file_key(row["file"]) == "largest_js"), None)
    if largest:
        m = re.match(r"(\S+) \(largest JS, (\d+) KiB\)", largest)
        out["files"] = {"largest_js": m.group(1), "largest_js_kib": int(m.group(2))}
    fresh = run.get("fresh_memory")
    if fresh:
        out["memory"] = {who: {"idle_mib": mib(fresh[who]["idle_kib"]), "busy_peak_mib": mib(fresh[who]["busy_peak_kib"]),
                               "idle_peak_mib": mib(fresh[who]["idle_peak_kib"]), "after_mib": mib(fresh[who]["after_kib"])}
                         for who in ("pacman", "nginx")}
        out["memory"]["connections"] = MEMORY_CONNECTIONS
        for key in ("idle", "busy_peak", "idle_peak"):
            out["memory"][f"{key}_ratio"] = ratio(fresh["pacman"][f"{key}_kib"] / fresh["nginx"][f"{key}_kib"])
    memory = run.get("memory")
    if memory:
        out["long_running"] = {
            "pacman": {"idle_mib": mib(memory.get("idle_kib")), "peak_1000_mib": mib(memory.get("peak_1000_kib")),
                       "after_mib": mib(memory.get("after_kib"))},
            "nginx": {"idle_mib": mib(memory.get("nginx_idle_kib")),
                      "peak_1000_mib": mib(memory.get("nginx_peak_1000_kib")),
                      "after_mib": mib(memory.get("nginx_after_kib"))}}
    if static:
        cells: dict = {}
        for row in static.values():
            p, n = row["pacman"], row["nginx"]
            cells.setdefault(file_key(row["file"]), {}).setdefault(row["encoding"], {})[f"c{row['connections']}"] = {
                "pacman_rps": round(p["rps"]), "pacman_p50_ms": msec(p["p50_us"]), "pacman_p99_ms": msec(p["p99_us"]),
                "nginx_rps": round(n["rps"]), "nginx_p50_ms": msec(n["p50_us"]), "nginx_p99_ms": msec(n["p99_us"]),
                "ratio": ratio(row["ratio"])}
        ratios = [row["ratio"] for row in static.values()]
        cells["min_ratio"], cells["max_ratio"] = ratio(min(ratios)), ratio(max(ratios))
        cells["median_ratio"] = ratio(statistics.median(ratios))
        out["static"] = cells
    ceiling = run.get("ceiling")
    if ceiling:
        cells = {}
        rounds = []
        for row in ceiling.values():
            rounds += row["ratios_per_round"]
            cells.setdefault(file_key(row["file"]), {})[f"c{row['connections']}"] = {
                "pacman_rps": round(row["pacman_rps"]), "ceiling_rps": round(row["ceiling_rps"]),
                "ratio": ratio(row["ratio"]), "min_round_ratio": ratio(min(row["ratios_per_round"])),
                "max_round_ratio": ratio(max(row["ratios_per_round"]))}
        cells["min_ratio"] = ratio(min(row["ratio"] for row in ceiling.values()))
        cells["max_ratio"] = ratio(max(row["ratio"] for row in ceiling.values()))
        cells["min_round_ratio"], cells["max_round_ratio"] = ratio(min(rounds)), ratio(max(rounds))
        cells["rounds"] = STATIC_REPEATS
        out["ceiling"] = cells
    modes = run.get("modes")
    if modes:
        out["modes"] = {mode.replace("-", "_"): {
            **{f"c{c}_rps": round(modes[mode][str(c)]["rps"] if str(c) in modes[mode] else modes[mode][c]["rps"])
               for c in CONNECTIONS},
            "idle_rps": round(modes[mode]["idle"]["rps"]), "peak_rss_mib": mib(modes[mode]["peak_rss_kib"])}
            for mode in modes}
        out["modes"]["busy"], out["modes"]["idle"] = BUSY, IDLE
    api = run.get("api")
    if api:
        names = {"GET /highscores/list": "highscores_list", "GET /location/metadata": "location_metadata",
                 "GET /cluster": "cluster", "GET /user/id": "user_id", "POST /highscores": "post_highscores",
                 "POST /user/stats": "post_user_stats"}
        cells = {}
        for row in api.values():
            key = names.get(row["endpoint"], "list_while_writing")
            cell = {"rps": round(row["rps"]), "p50_ms": msec(row["p50_us"]), "p99_ms": msec(row["p99_us"]),
                    "errors_percent": round(row["error_share"] * 100, 3)}
            if "database_reads_per_s" in row:
                cell["database_reads_per_second"] = round(row["database_reads_per_s"], 1)
            if "ratio_to_static" in row:
                cell["static_rps"] = round(row["static_rps"])
                cell["static_ratio"] = ratio(row["ratio_to_static"])
            if "writes_per_s" in row:
                cell["writes_per_second"] = round(row["writes_per_s"], 1)
                cell["stale_lists"] = row["stale_after_own_write"]
            cells.setdefault(key, {})[f"c{row['connections']}"] = cell
        lists = [cells["highscores_list"][c]["static_ratio"] for c in cells.get("highscores_list", {})]
        if lists:
            cells["highscores_list"]["min_static_ratio"] = min(lists)
            cells["highscores_list"]["max_static_ratio"] = max(lists)
        cells["writes_per_second_asked"] = WRITES_PER_SECOND
        out["api"] = cells
    writes = run.get("writes")
    if writes:
        out["writes"] = {k.replace("_us", "_ms"): msec(writes[k]) for k in
                         ("direct_p50_us", "direct_p99_us", "server_p50_us", "server_p99_us", "overhead_p50_us")}
    startup = run.get("startup")
    if startup:
        out["startup"] = {"ready_ms": round(startup["ready_ms"], 1), "first_list_ms": round(startup["first_list_ms"], 1)}
    callgrind = run.get("callgrind")
    if callgrind:
        keys = {"GET /index.html (gzip, 200)": "index_html_gzip", "GET /index.html (If-None-Match, 304)": "index_html_304",
                "GET /highscores/list (cached)": "highscores_list_cached",
                "GET /highscores/list (from the database)": "highscores_list_database",
                "GET /location/metadata": "location_metadata", "GET /cluster": "cluster", "GET /user/id": "user_id",
                "POST /highscores": "post_highscores", "POST /user/stats": "post_user_stats"}
        out["callgrind"] = {keys.get(name, "largest_js_identity"): round(value) for name, value in callgrind.items()}
    cluster = run.get("cluster")
    if cluster:
        out["cluster_view"] = {name: {k: cluster[name][k] for k in ("median_s", "min_s", "max_s")}
                               | {"cycles": len(cluster[name]["runs_s"])} for name in cluster}
    return out


def write_summary(run: dict, date: str | None = None) -> None:
    info = run["machine"]
    path = results_file.write("bench", summary(run), "make bench (tests/bench/bench.py)",
                              default=results_file.DOCS_RESULTS, commit=info["pacman"],
                              date=info.get("date") or date,
                              load_average=[round(x, 2) for x in info["load_average_at_start"]])
    say(f"figures for the docs: {path}")
    if path.parent == results_file.DOCS_RESULTS:
        subprocess.run([sys.executable, str(ROOT / "tests" / "docs" / "check.py"), "refresh"], cwd=ROOT)

def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    info = machine_info()
    results["machine"] = info
    section("machine")
    for key, value in info.items():
        say(f"  {key}: {value}")
    files = static_files()
    say("  files: " + ", ".join(f"{label} {path}" for label, path in files))

    # The image build is the heaviest step: first, before anything is timed.
    results["image"] = run_image() if "image" not in SKIP else None
    db = FerretDB().start()
    ours = nginx = None
    try:
        results["startup"] = run_startup(db) if "startup" not in SKIP else None
        ours = Server(env={"MONGO_URI": db.uri(DATABASE)}, log_path=OUT / "server.log").start()
        time.sleep(1)
        memory = {"idle_kib": rss_kib(ours.proc.pid)}
        sampler = RssSampler(ours.proc.pid)
        work = OUT / "nginx"
        root = prepare_nginx_root(ours, work)
        nginx = Nginx(root, int(ours.env.get("HTTP_THREADS") or min(os.cpu_count() or 1, 8)),
                      work).start()
        time.sleep(0.5)
        memory["nginx_idle_kib"] = sum(rss_kib(p) for p in process_tree(nginx.proc.pid))
        nginx_sampler = RssSampler(nginx.proc.pid)
        check_same_answers(ours.url, nginx.url, files)
        if "memory" not in SKIP:
            results["fresh_memory"] = run_memory(db, files, root)
        if "static" not in SKIP:
            with nginx_sampler:
                results["static"] = run_static(ours, nginx, files, sampler)
            memory["peak_1000_kib"] = sampler.peak or None
            memory["nginx_peak_1000_kib"] = nginx_sampler.peak or None
        if "ceiling" not in SKIP:
            results["ceiling"] = run_ceiling(ours, files)
        if "modes" not in SKIP:
            results["modes"] = run_modes(db, files, ours)
        if "api" not in SKIP:
            results["api"] = run_api(db, ours, sampler)
            memory["peak_1000_kib"] = sampler.peak or None
        if "writes" not in SKIP:
            results["writes"] = run_writes(db, ours)
        time.sleep(2)
        memory["after_kib"] = rss_kib(ours.proc.pid)
        memory["peak_kib"] = rss_kib(ours.proc.pid, "VmHWM")
        memory["nginx_after_kib"] = sum(rss_kib(p) for p in process_tree(nginx.proc.pid))
        results["memory"] = memory
        section("memory (RSS)")
        say(f"  pacman: idle {kib_to_mib(memory['idle_kib'])} MiB, peak under 1,000 connections "
            f"{kib_to_mib(memory.get('peak_1000_kib'))} MiB, after the runs "
            f"{kib_to_mib(memory['after_kib'])} MiB (high-water mark "
            f"{kib_to_mib(memory['peak_kib'])} MiB)")
        say(f"  nginx (master + workers): idle {kib_to_mib(memory['nginx_idle_kib'])} MiB, "
            f"peak {kib_to_mib(memory.get('nginx_peak_1000_kib'))} MiB, after "
            f"{kib_to_mib(memory['nginx_after_kib'])} MiB")
        nginx.stop()
        ours.stop()
        if REFERENCE and "reference" not in SKIP:
            results["reference"] = run_reference(db, files)
        if "callgrind" not in SKIP:
            results["callgrind"] = run_callgrind(db, files)
        if "cluster" not in SKIP:
            results["cluster"] = cluster_view.run(say, section)
    finally:
        if nginx:
            nginx.stop()
        if ours:
            ours.stop()
        db.cleanup()
    results["seconds"] = time.monotonic() - started_at
    results["load_average_at_end"] = os.getloadavg()
    (OUT / "results.json").write_text(json.dumps(results, indent=1))
    markdown = write_markdown(info)
    (OUT / "results.md").write_text(markdown + "\n")
    write_summary(results)
    section("summary")
    say(markdown)
    say(f"\nwritten: {OUT / 'results.md'}, {OUT / 'results.json'} "
        f"({results['seconds']:.0f} s)")
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--summarize"]:
        source = Path(sys.argv[2])
        write_summary(json.loads(source.read_text()),
                      time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(source.stat().st_mtime)))
        sys.exit(0)
    sys.exit(main())
