"""Watching a server for requests it leaves unread, as the kernel sees them, and a command that
repeats wrk bursts until the server stalls and then captures its state.

The stall this catches (libmicrohttpd 0.9.75's epoll loop, see server/http.c) leaves every
request of a thread's connections in the kernel's receive queues while the thread sleeps. A
client that probes the server would end it: any new event wakes the thread. So the watch
probes nothing; it reads `ss`: a socket whose receive queue holds bytes that came in `lastrcv`
ms ago, with none since, has left them unread that long.

    build/venv/bin/python tests/reliability/stall.py [--bursts 40] [--connections 256]
        [--threads N] [--binary build/pacman] [--out DIR]

starts FerretDB and the server on free ports, runs `wrk -t2 -cC -d2s` bursts against
/js/rules/game.js and watches for a request left unread for over 2 s. The first such stall it leaves alone, to
report how long it lasts. At the second it records, into DIR/stalled.txt, every thread's stack
(gdb), the epoll sets' registered descriptors and events (/proc/PID/fdinfo) and the sockets'
queues (ss). At the third it opens a new connection (GET /healthz) and reports whether that is
answered and whether the stalled requests are then read, and stops. Exit status 1 when a
burst stalled.
"""

import argparse
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

SS_SOCKET = re.compile(r"^(\d+)\s+(\d+)\s+(\S+)\s+(\S+)")
SS_LASTRCV = re.compile(r"\blastrcv:(\d+)")


def unread(port: int) -> list[dict]:
    """The established connections to local `port` whose receive queue is not empty: peer,
    bytes waiting, and ms since the last of them arrived (the least time they have waited)."""
    out = subprocess.run(["ss", "-tniH", "state", "established", f"( sport = :{port} )"],
                         capture_output=True, text=True, check=True).stdout
    found, current = [], None
    for line in out.splitlines():
        match = SS_SOCKET.match(line)
        if match:
            current = {"peer": match.group(4), "bytes": int(match.group(1))}
            continue
        if current and current["bytes"] > 0:
            waited = SS_LASTRCV.search(line)
            current["waited_ms"] = int(waited.group(1)) if waited else 0
            found.append(current)
        current = None
    return found


def longest(waiting: list[dict]) -> int:
    """The longest any of unread()'s requests has waited (ms), 0 for none."""
    return max((w["waited_ms"] for w in waiting), default=0)


class UnreadWatch:
    """Samples unread(port) every `interval` s on a thread of its own while in use; `worst` is
    the longest any request was seen waiting (ms), `samples` how many samples were taken."""

    def __init__(self, port: int, interval: float = 0.2):
        self.port, self.interval = port, interval
        self.worst = 0
        self.worst_count = 0  # connections waiting at the worst sample
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _loop(self):
        while not self._stop.is_set():
            waiting = unread(self.port)
            self.samples += 1
            waited = longest(waiting)
            if waited > self.worst:
                self.worst = waited
                self.worst_count = sum(w["waited_ms"] >= waited / 2 for w in waiting)
            self._stop.wait(self.interval)


def wrk(url: str, connections: int, seconds: float) -> dict:
    """One `wrk -t2` burst: requests answered and socket errors."""
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s",
                          url], capture_output=True, text=True, check=True).stdout
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                       out)
    return {"requests": int(re.search(r"(\d+) requests in", out).group(1)),
            "errors": sum(map(int, errors.groups())) if errors else 0, "output": out}


# ---- the command ----

def capture(pid: int, port: int, path: Path):
    """Stacks, epoll sets and socket queues of the server, into path."""
    parts = [subprocess.run(["gdb", "-p", str(pid), "-batch", "-ex", "thread apply all bt"],
                            capture_output=True, text=True).stdout]
    for fd in sorted(os.listdir(f"/proc/{pid}/fd"), key=int):
        try:
            if "eventpoll" in os.readlink(f"/proc/{pid}/fd/{fd}"):
                parts.append(f"== epoll fd {fd}\n" + Path(f"/proc/{pid}/fdinfo/{fd}").read_text())
        except OSError:
            pass
    parts.append("== ss\n" + subprocess.run(["ss", "-tniH", f"( sport = :{port} )"],
                                           capture_output=True, text=True).stdout)
    path.write_text("\n".join(parts))


def watch_for_stall(port: int, seconds: float) -> list[dict]:
    """The unread requests once one has waited over 2 s; empty if none did within seconds."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        time.sleep(0.2)
        waiting = unread(port)
        if longest(waiting) > 2000:
            return waiting
    return []


def wait_unstalled(port: int, seconds: float) -> float | None:
    """Seconds until no request has waited over 0.5 s; None if that did not happen in time."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if longest(unread(port)) < 500:
            return time.monotonic() - started
        time.sleep(0.1)
    return None


def new_connection_answers(url: str) -> str:
    import urllib.request
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url + "/healthz", timeout=5) as reply:
            return f"{reply.status} in {time.monotonic() - started:.3f} s"
    except OSError as error:
        return f"{error} after {time.monotonic() - started:.3f} s"


def main() -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from harness import FerretDB, Server

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bursts", type=int, default=40)
    parser.add_argument("--connections", type=int, default=256)
    parser.add_argument("--threads", type=int, help="HTTP_THREADS (default: the server's)")
    parser.add_argument("--mode", help="HTTP_MODE (default: the server's)")
    parser.add_argument("--binary", help="the server binary (default: build/pacman)")
    parser.add_argument("--out", type=Path, default=Path("build/stall"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    env = {}
    if args.threads:
        env["HTTP_THREADS"] = str(args.threads)
    if args.mode:
        env["HTTP_MODE"] = args.mode
    db = FerretDB().start()
    server = Server(env={"MONGO_URI": db.uri("stall"), **env}, binary=args.binary,
                    log_path=args.out / "server.log")
    try:
        server.start()
        pid, url = server.proc.pid, server.url
        print(f"server pid {pid} on port {server.port}", flush=True)
        stalls = 0
        for burst in range(args.bursts):
            load = subprocess.Popen(["wrk", "-t2", f"-c{args.connections}", "-d60s", url +
                                     "/js/rules/game.js"], stdout=subprocess.DEVNULL)
            try:
                waiting = watch_for_stall(server.port, seconds=3)
                if not waiting:
                    print(f"burst {burst}: answered", flush=True)
                    continue
                stalls += 1
                print(f"burst {burst}: STALLED, {len(waiting)} connections with a request "
                      f"unread for up to {longest(waiting)} ms", flush=True)
                if stalls == 1:  # left alone: how long until it ends by itself?
                    ended = wait_unstalled(server.port, 40)
                    began = longest(waiting) / 1000
                    print(f"left alone, it ended {began + ended:.1f} s after it began"
                          if ended is not None else "left alone, it did not end within 40 s",
                          flush=True)
                elif stalls == 2:  # gdb's attach interrupts epoll_wait, which ends it
                    capture(pid, server.port, args.out / "stalled.txt")
                    print(f"captured: {args.out / 'stalled.txt'}", flush=True)
                else:
                    print(f"a new connection: GET /healthz answered {new_connection_answers(url)}")
                    ended = wait_unstalled(server.port, 5)
                    print(f"and the stalled requests were read {ended:.1f} s after it"
                          if ended is not None else "the stalled requests stayed unread",
                          flush=True)
                    return 1
            finally:
                load.terminate()
                load.wait()
        print(f"{stalls} stalls in {args.bursts} bursts" if stalls else
              f"no stall in {args.bursts} bursts")
        return 1 if stalls else 0
    finally:
        server.stop(timeout=10)
        db.cleanup()


if __name__ == "__main__":
    sys.exit(main())
