"""Results files: what a benchmark or test measured, for the docs to quote (tests/docs/figures.py).

Each file is JSON: {"measured": {"date", "commit", "machine", "by", "load_average"}, ...figures}.
Where it goes: $PACMAN_RESULTS_DIR when set, else the default its writer gives: docs/results/
for what exists to measure (`make bench`), build/results/ for figures a test suite takes on the
way (the image's size, the fresh machine's first `make run`, how long each suite took), so that
`make test` never rewrites a committed file. `make figures` sets PACMAN_RESULTS_DIR=docs/results
and runs them all (docs/development.md, "The figures in the docs").

From a shell:
    python3 tests/docs/results.py set NAME KEY=NUMBER... --by WHAT
    python3 tests/docs/results.py time NAME KEY --by WHAT -- COMMAND...
The second runs COMMAND and, when it succeeds (and did not skip: build/skipped/KEY), records how
many seconds it took under KEY.
"""

from __future__ import annotations

import json
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS_RESULTS = ROOT / "docs" / "results"
BUILD_RESULTS = ROOT / "build" / "results"


def results_dir(default: Path = BUILD_RESULTS) -> Path:
    chosen = os.environ.get("PACMAN_RESULTS_DIR")
    path = Path(chosen) if chosen else default
    return path if path.is_absolute() else ROOT / path


def machine() -> str:
    """One line: OS, CPU, cores, memory."""
    os_name = cpu = "?"
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                os_name = line.split("=", 1)[1].strip('"')
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        kib = int(Path("/proc/meminfo").read_text().split("\n")[0].split()[1])
        memory = f"{kib / 1024 / 1024:.0f} GiB"
    except OSError:
        memory = "?"
    return f"{os_name}, {cpu}, {os.cpu_count()} cores, {memory}, kernel {platform.release()}"


def commit() -> str:
    out = subprocess.run(["git", "-C", str(ROOT), "describe", "--always", "--dirty", "--abbrev=12"],
                         capture_output=True, text=True)
    return out.stdout.strip() or "unknown"


def measured(by: str) -> dict:
    return {"date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "commit": commit(),
            "machine": machine(), "by": by,
            "load_average": [round(x, 2) for x in os.getloadavg()]}


def write(name: str, figures: dict, by: str, default: Path = BUILD_RESULTS, **known) -> Path:
    """Writes NAME.json (figures under a fresh `measured` block); returns its path. `known`
    replaces what the block would say now (the date and commit of a run summarized later)."""
    directory = results_dir(default)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.json"
    block = {**measured(by), **known}
    path.write_text(json.dumps({"measured": block, **figures}, indent=1, ensure_ascii=False) + "\n")
    return path


def update(name: str, figures: dict, by: str, default: Path = BUILD_RESULTS) -> Path:
    """Like write, but keeps the figures already in NAME.json that these do not replace (one
    file that several runs add to, each with its own `measured` block per key)."""
    directory = results_dir(default)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.json"
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        data = {}
    data.pop("measured", None)
    for key, value in figures.items():
        data[key] = {**value, "measured": measured(by)} if isinstance(value, dict) else value
    path.write_text(json.dumps({"measured": measured(by), **dict(sorted(data.items()))}, indent=1,
                               ensure_ascii=False) + "\n")
    return path


def number(text: str):
    value = float(text)
    return int(value) if value.is_integer() and "." not in text else value


def main(argv: list[str]) -> int:
    if len(argv) < 3 or argv[1] not in ("set", "time") or "--by" not in argv:
        print(__doc__, file=sys.stderr)
        return 2
    by = argv[argv.index("--by") + 1]
    if argv[1] == "set":
        pairs = [a for a in argv[3:argv.index("--by")]]
        figures = {k: number(v) for k, v in (p.split("=", 1) for p in pairs)}
        print(f"results: {write(argv[2], figures, by)}", file=sys.stderr)
        return 0
    name, key = argv[2], argv[3]
    command = argv[argv.index("--") + 1:]
    started = time.monotonic()
    status = subprocess.run(command).returncode
    skipped = ROOT / "build" / "skipped" / key   # a suite that skipped (make test names it) took no time
    flags = os.environ.get("MAKEFLAGS", "")
    dry_run = bool(re.match(r"^[^-\s]*n", flags))   # `make -n`: make still runs lines with $(MAKE)
    if status == 0 and not skipped.exists() and not dry_run:
        seconds = round(time.monotonic() - started)
        path = update(name, {key: {"seconds": seconds}}, by)
        print(f"results: {key} took {seconds} s ({path.relative_to(ROOT)})", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
