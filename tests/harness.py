"""Real processes for tests: a FerretDB database and the pacman server, each on a free port.

Every suite (integration, e2e, faults, image, bench) starts its parts through this module so
that they are started, waited for and cleaned up the same way. Nothing here is a mock: the
database is a real MongoDB-wire-protocol server and the server is the built binary.
"""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout: float, what: str, interval: float = 0.05):
    """Polls predicate() until it returns a truthy value; raises TimeoutError naming `what`."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def all_threads_stopped(pid: int) -> bool:
    """True when every thread of pid is in the stopped state (T) or has gone."""
    for stat in Path(f"/proc/{pid}/task").glob("*/stat"):
        try:
            state = stat.read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if state not in ("T", "t"):
            return False
    return True


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.2):
            return True
    except OSError:
        return False


def end_process(proc: subprocess.Popen, timeout: float) -> bool:
    """SIGTERM, then SIGKILL if it has not exited within timeout s; True when it exited on
    SIGTERM (or had already exited)."""
    if proc.poll() is not None:
        return True
    proc.terminate()
    try:
        proc.wait(timeout)
        return True
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return False


def stop_servers(servers: list, timeout: float):
    """Test teardown: stops every server still running; one that ignores SIGTERM is killed
    (the test that needed it to exit cleanly has said so already)."""
    for srv in servers:
        try:
            srv.stop(timeout=timeout)
        except RuntimeError:
            pass


def ferretdb_binary() -> str:
    for candidate in (os.environ.get("FERRETDB"), str(BUILD / "tools" / "ferretdb"),
                      shutil.which("ferretdb")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise RuntimeError("FerretDB not found: run `scripts/deps.sh run` (or `make test`) first")


class FerretDB:
    """A FerretDB process (SQLite storage) announcing itself as replica set rs0.

    The data directory outlives stop()/start(), so a restart finds the same data, the way a
    MongoDB pod finds its persistent volume again.
    """

    def __init__(self, data_dir: Path | None = None, port: int | None = None,
                 root: tuple[str, str] | None = None, repl_set: bool = True):
        """root: (user, password) of an administrator created at the first start, with SCRAM
        logins (FerretDB's --test-enable-new-auth): what the members' scripts log in as. Without
        it every client is let in, as MongoDB without --auth. repl_set=False: a standalone, as a
        mongod started without --replSet answers."""
        self.root, self.repl_set = root, repl_set
        self._own_dir = data_dir is None
        self.data_dir = Path(data_dir or tempfile.mkdtemp(prefix="pacman-ferretdb-"))
        self.port = port or free_port()
        self.debug_port = free_port()
        self.proc: subprocess.Popen | None = None
        self.log_path = self.data_dir / "ferretdb.log"

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def uri(self, database: str = "pacman") -> str:
        # The host must be written exactly as the listen address for replicaSet=rs0 to match.
        return f"mongodb://{self.address}/{database}?replicaSet=rs0"

    def start(self, timeout: float = 30):
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")
        flags = ["--repl-set-name=rs0"] if self.repl_set else []
        if self.root:
            flags += ["--test-enable-new-auth", f"--setup-username={self.root[0]}",
                      f"--setup-password={self.root[1]}", "--setup-database=admin"]
        self.proc = subprocess.Popen(
            [ferretdb_binary(), "--handler=sqlite", f"--sqlite-url=file:{self.data_dir}/",
             f"--state-dir={self.data_dir}", f"--listen-addr={self.address}",
             f"--debug-addr=127.0.0.1:{self.debug_port}", "--telemetry=disable",
             "--log-level=warn", *flags],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        wait_for(lambda: self.proc.poll() is not None or port_open(self.port), timeout,
                 f"FerretDB on port {self.port}")
        if self.proc.poll() is not None:
            raise RuntimeError(f"FerretDB exited: {self.log_path.read_text()[-2000:]}")
        return self

    def signal(self, sig: int):
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, sig)

    def kill(self):
        """kill -9: the stand-in for `kubectl delete pod mongo-0`."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def pause(self):
        """SIGSTOP: connections are still accepted by the kernel but nothing answers.

        Returns once every thread is stopped. kill() only queues the stop: the first thread
        to take it stops the others, and until then a thread already running goes on (on a
        loaded machine, long enough to answer the next query)."""
        self.signal(signal.SIGSTOP)
        if self.proc:
            wait_for(lambda: all_threads_stopped(self.proc.pid), 5, f"pid {self.proc.pid} to stop",
                     interval=0.005)

    def resume(self):
        self.signal(signal.SIGCONT)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.resume()
            end_process(self.proc, 10)

    def cleanup(self):
        self.stop()
        if self._own_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


def server_binary() -> str:
    return os.environ.get("PACMAN_BINARY", str(BUILD / "pacman"))


class Server:
    """The pacman binary with the given environment, on its own port."""

    def __init__(self, env: dict | None = None, port: int | None = None, binary: str | None = None,
                 log_path: Path | None = None):
        self.port = port or free_port()
        self.binary = binary or server_binary()
        self.env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                    "PORT": str(self.port), "STATIC_DIR": str(ROOT / "static"),
                    "SHUTDOWN_DRAIN_SECONDS": "0", "LOG_FORMAT": "text",
                    # libmongoc creates /dev/shm/mongoc-<pid> (O_EXCL) when it loads; a test
                    # process killed with SIGKILL leaves its file behind, and a later process
                    # that gets the same pid warns on stderr. The counters only feed the
                    # mongoc-stat debugging tool.
                    "MONGOC_DISABLE_SHM": "1"}
        # Sanitizer settings pass through so an ASan build reports into our log.
        for key in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
            if key in os.environ:
                self.env[key] = os.environ[key]
        self.env.update(env or {})
        self.log_path = log_path or Path(tempfile.mkstemp(prefix="pacman-server-", suffix=".log")[1])
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, wait: bool = True, timeout: float = 20):
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([self.binary], env=self.env, cwd=ROOT,
                                     stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        if wait:
            self.wait_healthy(timeout)
        return self

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(self.url + "/healthz", timeout=1) as r:
                return r.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def wait_healthy(self, timeout: float = 20):
        wait_for(lambda: self.proc.poll() is not None or self.healthy(), timeout,
                 f"pacman on port {self.port}")
        if self.proc.poll() is not None:
            raise RuntimeError(f"pacman exited with {self.proc.returncode}: {self.log()[-3000:]}")

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def signal(self, sig: int):
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, sig)

    def stop(self, timeout: float = 30) -> int:
        """SIGTERM and wait; returns the exit status."""
        if self.proc is None:
            return 0
        if not end_process(self.proc, timeout):
            raise RuntimeError(f"pacman did not exit within {timeout}s of SIGTERM")
        return self.proc.returncode

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def wait_exit(self, timeout: float) -> int:
        """Waits for the process to exit on its own; returns its status, raises TimeoutError."""
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise TimeoutError(f"pacman still running {timeout}s later") from None

    def run_to_exit(self, timeout: float = 10) -> subprocess.CompletedProcess:
        """Runs the binary in the foreground with stdout and stderr kept apart (for start-up
        failures); raises subprocess.TimeoutExpired if it is still running after `timeout`."""
        return subprocess.run([self.binary], env=self.env, cwd=ROOT, capture_output=True,
                              timeout=timeout, start_new_session=True)

    def rss_kib(self) -> int:
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0
