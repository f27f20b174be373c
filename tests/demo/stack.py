"""The minikube demo's moving parts as local processes: FerretDB on a data directory that
plays the persistent volume, web replicas on their own ports, nginx (Debian's) as the Service
in front of them, a player-load process, and the readiness prober that takes a replica out of
nginx when its /readyz turns 503 (what the kubelet and the endpoints controller do).

Used by the demo (rehearse.py) and the reliability suite. Every process starts in a session
of its own and is killed with its process group on close()."""

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pymongo

from harness import ROOT, FerretDB, Server, free_port, port_open, wait_for

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable


def http_get(url: str, timeout: float = 2) -> tuple[int, bytes]:
    """(status, body); status 0 when nothing answered."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except (urllib.error.URLError, OSError):
        return 0, b""


def nginx_binary() -> str:
    for candidate in (shutil.which("nginx"), "/usr/sbin/nginx"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise RuntimeError("nginx not found: run `scripts/deps.sh bench` (Debian's nginx-light)")


class Nginx:
    """nginx in the foreground, proxying round-robin to the replicas it is given. Replicas
    change by rewriting the configuration and a graceful reload (SIGHUP), as an ingress
    controller does; wait_reloaded() returns once new connections see the new set.

    Clients get one request per connection (keepalive_timeout 0; nginx answers with
    Connection: close), because a reload closes the old worker's idle client keep-alive
    connections at once: a client that has just written its next request on one reads a FIN
    ("Remote end closed connection without response") or, when its bytes arrive after the
    close, an RST ("Connection reset by peer"). Such a request never reaches nginx's access log
    nor any replica, so it failed because of the harness and told nothing about the server
    (tests/reliability/test_proxy_reload.py reproduces it: dozens per 60 reloads with client
    keep-alive, none without). The Service nginx stands in for, kube-proxy, never closes a
    client's connection when the endpoints change. A connection that carries one request is
    never idle in nginx's sense: the old worker reads and answers whatever it has accepted
    before it exits. Keep-alive towards the replicas stays (the upstream `keepalive` pool):
    that is where the server's own keep-alive handling, and its Connection: close while it
    drains, are exercised."""

    def __init__(self, workdir: Path, port: int | None = None):
        self.dir = workdir / "nginx"
        for sub in ("tmp", "logs"):
            (self.dir / sub).mkdir(parents=True, exist_ok=True)
        os.chmod(self.dir / "tmp", 0o777)  # workers run as nobody when we are root
        self.port = port or free_port()
        self.conf = self.dir / "nginx.conf"
        self.generation = 0
        self.backends: list[int] = []
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _write(self):
        servers = "".join(f"        server 127.0.0.1:{port} max_fails=0;\n"
                          for port in self.backends) or "        server 127.0.0.1:1 down;\n"
        d = self.dir
        self.conf.write_text(f"""# written by tests/demo/stack.py: generation {self.generation}
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/logs/error.log warn;
events {{ worker_connections 4096; }}
http {{
    log_format upstream '$msec $status $request_method "$request_uri" $upstream_addr '
                        '$upstream_status $request_time';
    access_log {d}/logs/access.log upstream;
    client_body_temp_path {d}/tmp/body;
    proxy_temp_path {d}/tmp/proxy;
    fastcgi_temp_path {d}/tmp/fastcgi;
    uwsgi_temp_path {d}/tmp/uwsgi;
    scgi_temp_path {d}/tmp/scgi;
    upstream pacman {{
{servers}        keepalive 32;
        keepalive_timeout 10s;  # under the replicas' 15 s idle timeout: nginx closes first
    }}
    server {{
        listen 127.0.0.1:{self.port};
        keepalive_timeout 0;  # one request per client connection: see the class comment
        location = /__generation {{ return 200 "{self.generation}"; }}
        location / {{
            proxy_pass http://pacman;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_connect_timeout 2s;
            proxy_read_timeout 30s;
            add_header X-Upstream $upstream_addr always;
        }}
    }}
}}
""")

    def start(self, backends: list[int]):
        self.backends = list(backends)
        self._write()
        log = open(self.dir / "logs" / "stderr.log", "ab")
        self.proc = subprocess.Popen(
            [nginx_binary(), "-p", str(self.dir), "-e", str(self.dir / "logs" / "error.log"),
             "-c", str(self.conf), "-g", "daemon off;"],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        wait_for(lambda: self.proc.poll() is not None or port_open(self.port), 10, "nginx")
        if self.proc.poll() is not None:
            raise RuntimeError("nginx exited: " + (self.dir / "logs" / "error.log").read_text())
        self.wait_reloaded()
        return self

    def set_backends(self, backends: list[int], wait: bool = True):
        self.backends = list(backends)
        self.generation += 1
        self._write()
        os.kill(self.proc.pid, signal.SIGHUP)
        if wait:
            self.wait_reloaded()

    def wait_reloaded(self, timeout: float = 10):
        want = str(self.generation).encode()
        wait_for(lambda: http_get(self.url + "/__generation")[1] == want, timeout,
                 f"nginx to load generation {self.generation}", interval=0.02)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGQUIT)
                self.proc.wait(10)
            except (subprocess.TimeoutExpired, ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


class WebTier:
    """The web Deployment: replicas of the built server, all on one database, behind nginx.
    add() is a scale-up (new pods become ready, then join the endpoints); remove() is a
    scale-down or pod deletion (the pod leaves the endpoints and gets SIGTERM at the same
    time, and serves through its drain delay meanwhile)."""

    def __init__(self, workdir: Path, mongo_uri: str, env: dict | None = None,
                 binary: str | None = None):
        self.workdir = workdir
        (workdir / "logs").mkdir(parents=True, exist_ok=True)
        self.env = {"MONGO_URI": mongo_uri, "SHUTDOWN_DRAIN_SECONDS": "5",
                    "SHUTDOWN_GRACE_SECONDS": "20", "LOG_FORMAT": "json", **(env or {})}
        self.binary = binary
        self.replicas: dict[str, Server] = {}
        self.retired: dict[str, Server] = {}
        self.count = 0
        self.nginx = Nginx(workdir)
        self.lock = threading.Lock()

    def _new_replica(self) -> tuple[str, Server]:
        self.count += 1
        name = f"pacman-{self.count}"
        server = Server(env=self.env, binary=self.binary,
                        log_path=self.workdir / "logs" / f"{name}.log")
        return name, server

    def ports(self) -> list[int]:
        return [server.port for server in self.replicas.values()]

    def start(self, replicas: int = 1):
        self.add(replicas, update_proxy=False)
        self.nginx.start(self.ports())
        return self

    def add(self, count: int, update_proxy: bool = True) -> list[str]:
        new = [self._new_replica() for _ in range(count)]
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(lambda pair: pair[1].start(), new))
        for name, server in new:  # ready: /readyz answers 200
            wait_for(lambda s=server: http_get(s.url + "/readyz")[0] == 200, 20, f"{name} ready")
        with self.lock:
            self.replicas.update(new)
            if update_proxy:
                self.nginx.set_backends(self.ports())
        return [name for name, _ in new]

    def remove(self, names: list[str], wait: bool = True) -> dict[str, int]:
        """Takes the replicas out of nginx and sends them SIGTERM at once; with wait, returns
        their exit statuses."""
        with self.lock:
            leaving = {name: self.replicas.pop(name) for name in names}
            for server in leaving.values():
                server.signal(signal.SIGTERM)
            self.nginx.set_backends(self.ports())
            self.retired.update(leaving)
        if not wait:
            return {}
        return {name: server.wait_exit(60) for name, server in leaving.items()}

    def take_out(self, name: str):
        """The endpoints controller's half: a replica that is not ready leaves nginx."""
        with self.lock:
            if name in self.replicas:
                self.retired[name] = self.replicas.pop(name)
                self.nginx.set_backends(self.ports())

    def all_servers(self) -> dict[str, Server]:
        return {**self.retired, **self.replicas}

    def close(self):
        self.nginx.stop()
        for server in self.all_servers().values():
            if server.proc and server.proc.poll() is None:
                try:
                    os.killpg(server.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                server.proc.wait()


class ReadinessProber(threading.Thread):
    """Probes every replica's /readyz every `period` seconds, as the kubelet does, and takes a
    replica out of nginx after `failures` failed probes in a row (readinessProbe
    failureThreshold). Records when each replica was taken out."""

    def __init__(self, tier: WebTier, period: float = 0.25, failures: int = 1):
        super().__init__(daemon=True)
        self.tier, self.period, self.failures = tier, period, failures
        self.stop_event = threading.Event()
        self.taken_out: dict[str, float] = {}
        self.misses: dict[str, int] = {}

    def run(self):
        while not self.stop_event.wait(self.period):
            for name, server in list(self.tier.replicas.items()):
                status, _ = http_get(server.url + "/readyz", timeout=1)
                self.misses[name] = 0 if status == 200 else self.misses.get(name, 0) + 1
                if self.misses[name] >= self.failures:
                    self.tier.take_out(name)
                    self.taken_out[name] = time.monotonic()

    def stop(self):
        self.stop_event.set()
        self.join(5)


class PlayerLoad:
    """tests/demo/players.py in a process of its own."""

    def __init__(self, base_url: str, out: Path, players: int = 8, pace: float = 0.15):
        self.out = out
        log = open(out.with_suffix(".log"), "ab")
        self.proc = subprocess.Popen(
            [PYTHON, str(HERE / "players.py"), base_url, str(out), "--players", str(players),
             "--pace", str(pace)], stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            cwd=ROOT)
        log.close()
        self.started = time.monotonic()

    def records(self) -> list[dict]:
        if not self.out.exists():
            return []
        lines = self.out.read_text().splitlines()
        return [json.loads(line) for line in lines if line.endswith("}")]

    def stop(self) -> list[dict]:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        return self.records()

    def kill(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


# ---- reading a run ----

PAGE_PATHS = {"/", "/js/main.js", "/css/pacman.css", "/js/net/api.js", "/favicon.svg"}
WRITE_PATHS = {("POST", "/highscores"), ("POST", "/user/stats"), ("GET", "/user/id")}


def is_page(record: dict) -> bool:
    return record["p"] in PAGE_PATHS


def acknowledged_scores(records: list[dict]) -> dict[str, dict]:
    """submissionId -> the score, for every score a player got a 200 for."""
    return {r["sid"]: r for r in records
            if r["p"] == "/highscores" and r["m"] == "POST" and r["s"] == 200}


def first_write_after(records: list[dict], moment: float) -> float | None:
    """When the first write sent after `moment` succeeded (end time)."""
    times = [r["t1"] for r in records
             if (r["m"], r["p"]) in WRITE_PATHS and r["s"] == 200 and r["t0"] >= moment]
    return min(times) if times else None


def check_scores_stored_once(collection, acknowledged: dict[str, dict]) -> list[str]:
    """Problems with the acknowledged scores in the database: missing, duplicated, altered."""
    problems = []
    stored: dict[str, list] = {}
    for doc in collection.find({"submissionId": {"$exists": True}}):
        stored.setdefault(doc["submissionId"], []).append(doc)
    for sid, score in acknowledged.items():
        docs = stored.get(sid, [])
        if len(docs) != 1:
            problems.append(f"{sid} ({score['name']}) stored {len(docs)} times")
        elif docs[0]["name"] != score["name"] or docs[0]["score"] != score["score"]:
            problems.append(f"{sid} stored as {docs[0]['name']}/{docs[0]['score']}, "
                            f"acknowledged as {score['name']}/{score['score']}")
    return problems


def check_acknowledged(ferret: FerretDB, database: str, acknowledged: dict[str, dict]) -> list:
    """check_scores_stored_once on a database of `ferret`, with a client of its own."""
    client = pymongo.MongoClient(ferret.uri(database), serverSelectionTimeoutMS=10000)
    try:
        return check_scores_stored_once(client[database]["highscore"], acknowledged)
    finally:
        client.close()


def replay_from(server_url: str, scores: list[dict]) -> list[str]:
    """Posts each acknowledged score's submissionId again to one replica directly, with another
    name and score: the replica must answer with the stored name and score (so it read them
    from the database: the score is visible from this replica). The caller checks that the
    database gained nothing."""
    problems = []
    for score in scores:
        body = f"name=replayed&score=1&level=1&submissionId={score['sid']}".encode()
        request = urllib.request.Request(server_url + "/highscores", data=body, headers={
            "Content-Type": "application/x-www-form-urlencoded"})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                answer = json.loads(response.read())
        except (urllib.error.URLError, OSError, ValueError) as error:
            problems.append(f"{server_url}: replay of {score['sid']} failed: {error}")
            continue
        if answer.get("name") != score["name"] or answer.get("score") != score["score"]:
            problems.append(f"{server_url}: {score['sid']} answered {answer}, stored as "
                            f"{score['name']}/{score['score']}")
    return problems


__all__ = ["FerretDB", "Nginx", "WebTier", "ReadinessProber", "PlayerLoad", "http_get",
           "acknowledged_scores", "first_write_after", "check_scores_stored_once",
           "check_acknowledged",
           "replay_from", "is_page"]
