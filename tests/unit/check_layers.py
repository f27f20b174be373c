#!/usr/bin/env python3
"""Checks that server/'s #include arrows all point down the layers below (`make check`,
`make test-unit`): a module may include only modules of a lower layer, never one of its own
layer or above. So the API areas know nothing of each other or of the route table, and the
helpers at the bottom know nothing of what uses them.

A module is a server/NAME.c and/or server/NAME.h. A new module must be given a layer here,
or this check fails: deciding where it sits is part of adding it."""

import re
import sys
from pathlib import Path

LAYERS = [
    ("the program", ["main"]),
    ("HTTP plumbing", ["http"]),
    ("the route table", ["dispatch"]),
    ("the API areas", ["highscores", "players", "location", "ops", "cluster"]),
    ("what the areas share", ["api", "app", "kubernetes"]),
    ("housekeeping over the store", ["player_expiry", "web_pods"]),
    ("services", ["dbqueue", "store", "result_cache", "receive_deadline", "metrics",
                  "static_files", "https"]),
    ("the driver's view of the replica set", ["topology"]),
    ("values and parsers", ["router", "input", "reply", "config", "cluster_events"]),
    ("logging", ["log"]),
    ("helpers", ["background", "strbuf", "hex", "footprint"]),
    ("the clock", ["timing"]),
]

INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z0-9_]+)\.h"', re.M)


def main() -> int:
    server = Path(sys.argv[1] if len(sys.argv) > 1 else "server")
    layer_of = {}
    for depth, (_, modules) in enumerate(LAYERS):
        for module in modules:
            assert module not in layer_of, f"{module} is listed twice"
            layer_of[module] = depth
    files = sorted(server.glob("*.[ch]"))
    problems = []
    arrows = 0
    for path in files:
        module = path.stem
        if module not in layer_of:
            problems.append(f"{path}: module {module} has no layer in {__file__}")
            continue
        for included in INCLUDE.findall(path.read_text()):
            if included == module:
                continue
            arrows += 1
            if included not in layer_of:
                problems.append(f"{path}: includes {included}.h, which has no layer")
            elif layer_of[included] <= layer_of[module]:
                where = "its own layer" if layer_of[included] == layer_of[module] else "above it"
                problems.append(f"{path}: includes {included}.h, {where} "
                                f"({LAYERS[layer_of[included]][0]!r} from "
                                f"{LAYERS[layer_of[module]][0]!r})")
    for problem in problems:
        print(problem, file=sys.stderr)
    modules = {path.stem for path in files}
    print(f"layers: {len(modules)} modules in {len(LAYERS)} layers, {arrows} include arrows, "
          f"{len(problems)} pointing up or sideways")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
