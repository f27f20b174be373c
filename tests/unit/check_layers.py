#!/usr/bin/env python3
"""Checks the shape of server/ (`make check`, `make test-unit`):

- every #include arrow points down the layers below: a module may include only modules of a
  lower layer, never one of its own layer or above. So the API areas know nothing of each
  other or of the route table, and the helpers at the bottom know nothing of what uses them;
- the API areas are the modules the route table (server/routes.c) names in its rows' area
  column, and each row's handler is declared in its area's header: a new route is a handler
  in an area and a row in the table, and this check learns the area from the row;
- the database driver is the store's alone: no header but store_internal.h includes it or
  names its types, and store_internal.h is included by the store's files only;
- HTTP knows no database: the HTTP layers include neither the store's headers nor api.h (what
  a database task's answer is, the queue says).

A module is a server/NAME.c and/or server/NAME.h; server/NAME_internal.h belongs to module
NAME. A new module must be given a layer here (or be an area of the table), or this check
fails: deciding where it sits is part of adding it."""

import re
import sys
from pathlib import Path

AREAS = "the API areas"
LAYERS = [
    ("the program", ["main"]),
    ("HTTP: the requests", ["http"]),
    ("HTTP: daemons and responses", ["http_loop", "http_responses"]),
    ("the route table", ["routes"]),
    (AREAS, []),  # read from the route table
    ("what the areas share", ["api", "app"]),
    ("housekeeping over the store", ["player_expiry", "web_pods"]),
    ("the store's collections, the node lookup", ["store_scores", "store_players",
                                                  "store_web_pods", "node_lookup"]),
    ("services", ["dbqueue", "store", "result_cache", "receive_deadline", "metrics",
                  "static_files", "https"]),
    ("the driver's view of the replica set", ["topology"]),
    ("what the Kubernetes API answers", ["kubernetes"]),
    ("values and parsers", ["router", "input", "reply", "config", "replset", "place"]),
    ("logging", ["log"]),
    ("helpers", ["background", "strbuf", "hex", "footprint", "display"]),
    ("the clock", ["timing"]),
]

HTTP_MODULES = {"http", "http_loop", "http_responses"}
NO_DATABASE = re.compile(r"^(store(_\w+)?|api)$")
INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z0-9_]+)\.h"', re.M)
DRIVER_INCLUDE = re.compile(r'^\s*#\s*include\s+<(mongoc|bson)/', re.M)
DRIVER_TYPE = re.compile(r"\b(_?mongoc_\w+_t|_?bson_\w+_t|struct\s+_(mongoc|bson)_\w+)\b")
# A row of the table: {"path", methods, "name", handler, "area"}
ROW = re.compile(r'\{\s*"([^"]*)",\s*([^,]+?),\s*"([^"]+)",\s*(\w+),\s*"(\w+)"\s*\}', re.S)


def module_of(path: Path) -> str:
    return path.stem.removesuffix("_internal")


def read_areas(server: Path, problems: list) -> list:
    """The modules the route table's rows name, with a check that each row's handler is
    declared in its area's header."""
    table = server / "routes.c"
    if not table.exists():
        problems.append(f"{table}: no route table")
        return []
    areas = []
    for path, _, name, handler, area in ROW.findall(table.read_text()):
        if handler == "NULL":
            continue  # the game's files: no handler, served by the HTTP layer
        header = server / f"{area}.h"
        if not header.exists() or not re.search(rf"\b{handler}\s*\(", header.read_text()):
            problems.append(f"{table}: the row for {path!r} ({name}) names {handler}, which "
                            f"{header} does not declare")
        if area not in areas:
            areas.append(area)
    if not areas:
        problems.append(f"{table}: no row with a handler found")
    return areas


def main() -> int:
    server = Path(sys.argv[1] if len(sys.argv) > 1 else "server")
    problems = []
    layers = [(name, read_areas(server, problems) if name == AREAS else modules)
              for name, modules in LAYERS]
    layer_of = {}
    for depth, (_, modules) in enumerate(layers):
        for module in modules:
            if module in layer_of:
                problems.append(f"{module} has two layers (an area of the table is not also "
                                f"listed in {__file__})")
            layer_of[module] = depth
    files = sorted(server.glob("*.[ch]"))
    arrows = 0
    for path in files:
        module = module_of(path)
        text = path.read_text()
        if module not in layer_of:
            problems.append(f"{path}: module {module} has no layer in {__file__}")
            continue
        if path.suffix == ".h" and not path.stem.endswith("_internal"):
            if DRIVER_INCLUDE.search(text) or DRIVER_TYPE.search(text):
                problems.append(f"{path}: a public header that names the database driver "
                                f"(only store_internal.h may)")
        for included in INCLUDE.findall(text):
            if included.endswith("_internal") and not path.stem.startswith(
                    included.removesuffix("_internal")):
                problems.append(f"{path}: includes {included}.h, which is "
                                f"{included.removesuffix('_internal')}'s own")
            if module in HTTP_MODULES and NO_DATABASE.match(included):
                problems.append(f"{path}: includes {included}.h: HTTP knows no database")
            target = included.removesuffix("_internal")
            if target == module:
                continue
            arrows += 1
            if target not in layer_of:
                problems.append(f"{path}: includes {included}.h, which has no layer")
            elif layer_of[target] <= layer_of[module]:
                where = "its own layer" if layer_of[target] == layer_of[module] else "above it"
                problems.append(f"{path}: includes {included}.h, {where} "
                                f"({layers[layer_of[target]][0]!r} from "
                                f"{layers[layer_of[module]][0]!r})")
    for problem in problems:
        print(problem, file=sys.stderr)
    modules = {module_of(path) for path in files}
    print(f"layers: {len(modules)} modules in {len(layers)} layers "
          f"({len(layers[[n for n, _ in LAYERS].index(AREAS)][1])} API areas from the route "
          f"table), {arrows} include arrows, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
