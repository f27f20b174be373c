"""The driver behind valgrind.sh: runs build/pacman under memcheck through a short,
varied load and judges valgrind's report. Output in build/valgrind/."""

import re
import shutil
import signal
import socket
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from demo.stack import PlayerLoad, acknowledged_scores, http_get  # noqa: E402
from harness import BUILD, FerretDB, Server  # noqa: E402
from hostile.catalogue import CATALOGUE  # noqa: E402

OUT = BUILD / "valgrind"
MEMCHECK = ["valgrind", "--tool=memcheck", "--leak-check=full",
            "--show-leak-kinds=definite,indirect,possible", "--errors-for-leak-kinds=definite,indirect",
            "--track-origins=yes", "--num-callers=40", "--fair-sched=yes",
            f"--suppressions={HERE / 'valgrind.supp'}", "--error-exitcode=99",
            f"--log-file={OUT / 'memcheck.log'}"]


def send_raw(port: int, request: bytes):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=15) as sock:
            sock.sendall(request)
            sock.settimeout(15)
            while sock.recv(65536):
                pass
    except OSError:
        pass


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 15
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    wrapper = OUT / "pacman-under-memcheck"
    wrapper.write_text("#!/bin/sh\nexec " + " ".join(MEMCHECK) + f" {BUILD / 'pacman'}\n")
    wrapper.chmod(0o755)

    ferret = FerretDB(data_dir=OUT / "db").start()
    server = Server(binary=str(wrapper), log_path=OUT / "pacman.log", env={
        "MONGO_URI": ferret.uri("valgrind"), "MONGO_TIMEOUT_MS": "3000", "HTTP_THREADS": "2",
        "DB_WORKERS": "4", "HIGHSCORES_CACHE_MS": "500", "CONNECTION_TIMEOUT_SECONDS": "5"})
    load = None
    try:
        server.start(timeout=120)
        print(f"valgrind: server up under memcheck on {server.url}", flush=True)
        load = PlayerLoad(server.url, OUT / "players.jsonl", players=3, pace=0.3)
        time.sleep(seconds / 3)
        for case in CATALOGUE:  # every error path the catalogue knows
            send_raw(server.port, case.request.replace(b"{TOKEN}", b"t").replace(b"{COOKIE}",
                                                                                   b"c"))
        print(f"valgrind: {len(CATALOGUE)} hostile requests sent", flush=True)
        ferret.kill()
        time.sleep(3)
        ferret.start()
        print("valgrind: database killed and restarted", flush=True)
        time.sleep(seconds / 3)
        ferret.pause()  # deadlines expire while workers still wait on the database
        time.sleep(5)
        ferret.resume()
        print("valgrind: database hung for 5 s and resumed", flush=True)
        time.sleep(seconds / 3)
        records = load.stop()
        load = None
        ok = sum(1 for r in records if r["s"] == 200)
        print(f"valgrind: {len(records)} player requests, {ok} answered 200, "
              f"{len(acknowledged_scores(records))} scores stored", flush=True)
        assert http_get(server.url + "/healthz", timeout=10)[0] == 200
        server.signal(signal.SIGTERM)
        status = server.wait_exit(300)
    finally:
        if load:
            load.kill()
        if server.running():
            server.proc.kill()
        ferret.stop()

    report = (OUT / "memcheck.log").read_text(errors="replace")
    errors = re.findall(r"ERROR SUMMARY: (\d+) errors", report)
    lost = {kind: re.search(rf"{kind} lost: ([\d,]+) bytes", report)
            for kind in ("definitely", "indirectly", "possibly")}
    lost = {k: int(m.group(1).replace(",", "")) if m else 0 for k, m in lost.items()}
    print(f"valgrind: exit {status}; {errors[-1] if errors else '?'} errors; lost bytes "
          f"{lost}; full report {OUT / 'memcheck.log'}")
    if status != 0 or not errors or int(errors[-1]) != 0 or lost["definitely"] or \
            lost["indirectly"]:
        print(report[-6000:])
        sys.exit(1)


if __name__ == "__main__":
    main()
