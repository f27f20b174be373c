"""Tables of figures the docs show whole, made from the results files.

A page asks for one with

    <!-- table: bench.static -->
    <!-- /table -->

and `make docs-refresh` (tests/docs/check.py refresh) fills in what is between; `make test-docs`
fails when it is not what the results file gives now. Every cell that holds a figure is a link
to its key, like any figure in the docs (tests/docs/figures.py), so a reader can see where each
number comes from. Rows appear for whatever the file holds: a suite that was measured, a request
type the load test made.
"""

from __future__ import annotations

from pathlib import Path

import figures

RESULTS = Path(__file__).resolve().parents[2] / "docs" / "results"


class TableError(Exception):
    pass


def data(name: str) -> dict:
    path = RESULTS / f"{name}.json"
    if not path.exists():
        raise TableError(f"{path.name} does not exist (docs/results/)")
    return figures.load(path)


def cell(name: str, d: dict, path: str, decimals: int = 0, bold: bool = False) -> str:
    try:
        value = figures.lookup(d, path)
    except figures.FigureError:
        return "–"
    if value is None:
        return "–"
    text = figures.format_number(value, decimals) + (figures.unit_of(path) or "")
    link = f"[{text}](results/{name}.json#{path})"
    return f"**{link}**" if bold else link


def rows(header: list[str], align: list[str], body: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in body]
    return "\n".join(lines) + "\n"


def bench_targets() -> str:
    d = data("bench")
    c = lambda p, n=0, b=False: cell("bench", d, p, n, b)  # noqa: E731
    conns = f"{d['memory']['connections']:,}"
    body = [
        [f"peak RSS, {conns} busy keep-alive connections", c("memory.pacman.busy_peak_mib", 1),
         "nginx " + c("memory.nginx.busy_peak_mib", 1), c("memory.busy_peak_ratio", 2), "< 24 MiB"],
        [f"peak RSS, {conns} idle keep-alive connections", c("memory.pacman.idle_peak_mib", 1),
         "nginx " + c("memory.nginx.idle_peak_mib", 1), c("memory.idle_peak_ratio", 2), "< 24 MiB"],
        ["RSS idle", c("memory.pacman.idle_mib", 1), "nginx " + c("memory.nginx.idle_mib", 1),
         c("memory.idle_ratio", 2), "< 10 MiB"],
    ]
    image = data("image")   # measured by the image suite, with its reference, in one build
    i = lambda p, n=0: cell("image", image, p, n)  # noqa: E731
    body.append(["image", i("size_mb", 1), image["reference"]["name"] + " " + i("reference.size_mb", 1),
                 i("reference.ratio", 2), "< 60 MB"])
    for key, label in (("index_html", "index.html"), ("largest_js", d["files"]["largest_js"])):
        for conn in sorted(d["ceiling"][key], key=lambda k: int(k[1:])):
            base = f"ceiling.{key}.{conn}"
            body.append([f"static req/s, {label} gzip, {conn[1:]} connections", c(f"{base}.pacman_rps"),
                         "bare epoll server " + c(f"{base}.ceiling_rps"), c(f"{base}.ratio", 2, True), "≥ 0.9×"])
    return rows(["figure", "pacman", "reference (same run)", "pacman/reference", "target"],
                ["---", "--:", "--:", "--:", "---"], body)


def bench_static() -> str:
    d = data("bench")
    c = lambda p, n=0, b=False: cell("bench", d, p, n, b)  # noqa: E731
    body = []
    for key, label in (("index_html", "index.html"), ("largest_js", d["files"]["largest_js"])):
        for encoding in ("gzip", "identity"):
            for conn in sorted(d["static"][key][encoding], key=lambda k: int(k[1:])):
                b = f"static.{key}.{encoding}.{conn}"
                body.append([label, encoding, conn[1:], c(f"{b}.pacman_rps"), c(f"{b}.pacman_p50_ms", 2),
                             c(f"{b}.pacman_p99_ms", 2), c(f"{b}.nginx_rps"), c(f"{b}.nginx_p50_ms", 2),
                             c(f"{b}.nginx_p99_ms", 2), c(f"{b}.ratio", 2, True)])
    return rows(["file", "encoding", "connections", "pacman req/s", "p50 ms", "p99 ms", "nginx req/s", "p50 ms",
                 "p99 ms", "pacman/nginx"], ["---", "---"] + ["--:"] * 8, body)


def bench_modes() -> str:
    d = data("bench")
    c = lambda p, n=0: cell("bench", d, p, n)  # noqa: E731
    modes = [m for m in d["modes"] if isinstance(d["modes"][m], dict)]
    conns = sorted({k for m in modes for k in d["modes"][m] if k.startswith("c") and k.endswith("_rps")},
                   key=lambda k: int(k[1:-4]))
    body = [[m.replace("_", "-")] + [c(f"modes.{m}.{k}") for k in conns]
            + [c(f"modes.{m}.idle_rps"), c(f"modes.{m}.peak_rss_mib", 1)] for m in modes]
    header = ["HTTP_MODE"] + [f"{k[1:-4]} conns req/s" for k in conns] + [
        f"{d['modes']['busy']} busy + {d['modes']['idle']:,} idle conns req/s", "peak RSS MiB"]
    return rows(header, ["---"] + ["--:"] * (len(header) - 1), body)


API_ROWS = [("highscores_list", "GET /highscores/list"), ("location_metadata", "GET /location/metadata"),
            ("cluster", "GET /cluster"), ("user_id", "GET /user/id"), ("post_highscores", "POST /highscores"),
            ("post_user_stats", "POST /user/stats"), ("list_while_writing", "GET /highscores/list, scores stored meanwhile")]


def bench_api() -> str:
    d = data("bench")
    c = lambda p, n=0: cell("bench", d, p, n)  # noqa: E731
    body = []
    for key, label in API_ROWS:
        for conn in sorted((k for k in d["api"].get(key, {}) if k.startswith("c")), key=lambda k: int(k[1:])):
            b = f"api.{key}.{conn}"
            row = d["api"][key][conn]
            notes = []
            if "database_reads_per_second" in row:
                notes.append(c(f"{b}.database_reads_per_second", 1) + " database reads a second")
            if "static_ratio" in row:
                notes.append(c(f"{b}.static_ratio", 2) + " of index.html (gzip) run just before")
            if "writes_per_second" in row:
                notes.append(c(f"{b}.writes_per_second", 1) + " scores stored a second; lists without the "
                             "newest own score: " + c(f"{b}.stale_lists"))
            if row.get("errors_percent"):
                notes.append("**" + c(f"{b}.errors_percent", 2) + " errors**")
            body.append([label, conn[1:], c(f"{b}.rps"), c(f"{b}.p50_ms", 2), c(f"{b}.p99_ms", 2), ", ".join(notes)])
    return rows(["endpoint", "connections", "req/s", "p50 ms", "p99 ms", "note"],
                ["---", "--:", "--:", "--:", "--:", "---"], body)


def bench_writes() -> str:
    d = data("bench")
    c = lambda p, n=2, b=False: cell("bench", d, p, n, b)  # noqa: E731
    return rows(["", "p50 ms", "p99 ms"], ["---", "--:", "--:"], [
        ["libmongoc insert_one, w:majority, j:true", c("writes.direct_p50_ms"), c("writes.direct_p99_ms")],
        ["POST /highscores", c("writes.server_p50_ms"), c("writes.server_p99_ms")],
        ["**the server adds**", c("writes.overhead_p50_ms", 2, True), ""]])


def bench_memory() -> str:
    d = data("bench")
    c = lambda p: cell("bench", d, p, 1)  # noqa: E731
    conns = f"{d['memory']['connections']:,}"
    body = [
        ["fresh servers: RSS idle", c("memory.pacman.idle_mib"), c("memory.nginx.idle_mib")],
        [f"fresh servers: peak RSS, {conns} busy keep-alive connections", c("memory.pacman.busy_peak_mib"),
         c("memory.nginx.busy_peak_mib")],
        [f"fresh servers: peak RSS, {conns} idle keep-alive connections", c("memory.pacman.idle_peak_mib"),
         c("memory.nginx.idle_peak_mib")],
        ["fresh servers: RSS once they closed", c("memory.pacman.after_mib"), c("memory.nginx.after_mib")],
        ["the long-running servers: RSS idle", c("long_running.pacman.idle_mib"), c("long_running.nginx.idle_mib")],
        ["the long-running servers: peak RSS in the runs at 1,000 connections", c("long_running.pacman.peak_1000_mib"),
         c("long_running.nginx.peak_1000_mib")],
        ["the long-running servers: RSS after every run", c("long_running.pacman.after_mib"),
         c("long_running.nginx.after_mib")],
    ]
    return rows(["", "pacman", "nginx"], ["---", "--:", "--:"], body)


CALLGRIND_ROWS = [("index_html_gzip", "GET /index.html (gzip, 200)"),
                  ("index_html_304", "GET /index.html (If-None-Match, 304)"),
                  ("largest_js_identity", "GET the largest JS file (identity)"),
                  ("highscores_list_cached", "GET /highscores/list (cached)"),
                  ("highscores_list_database", "GET /highscores/list (from the database)"),
                  ("location_metadata", "GET /location/metadata"), ("cluster", "GET /cluster"),
                  ("user_id", "GET /user/id"), ("post_highscores", "POST /highscores"),
                  ("post_user_stats", "POST /user/stats")]


def bench_callgrind() -> str:
    d = data("bench")
    body = [[label, cell("bench", d, f"callgrind.{key}")] for key, label in CALLGRIND_ROWS
            if key in d.get("callgrind", {})]
    return rows(["request", "instructions"], ["---", "--:"], body)


def loadtest_requests() -> str:
    d = data("loadtest")
    c = lambda p, n=0: cell("loadtest", d, p, n)  # noqa: E731
    body = []
    for key in sorted(k for k in d["requests"] if k != "all"):
        b = f"requests.{key}"
        body.append([d["requests"][key]["name"], c(f"{b}.count"), c(f"{b}.failures"), c(f"{b}.rps", 1),
                     c(f"{b}.p50_ms"), c(f"{b}.p95_ms"), c(f"{b}.p99_ms"), c(f"{b}.max_ms")])
    b = "requests.all"
    body.append(["**all requests**", c(f"{b}.count"), c(f"{b}.failures"), c(f"{b}.rps", 1), c(f"{b}.p50_ms"),
                 c(f"{b}.p95_ms"), c(f"{b}.p99_ms"), c(f"{b}.max_ms")])
    return rows(["request", "requests", "failures", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms"],
                ["---"] + ["--:"] * 7, body)


def test_suites() -> list[str]:
    """The suites `make test` runs, in its order (TEST_SUITES in the Makefile)."""
    import re
    makefile = (RESULTS.parents[1] / "Makefile").read_text()
    found = re.search(r"^TEST_SUITES := ((?:.*\\\n)*.*)$", makefile, re.M)
    if not found:
        raise TableError("the Makefile has no TEST_SUITES")
    return found.group(1).replace("\\\n", " ").split()


def suites() -> str:
    d = data("suites")
    body = []
    for name in test_suites() + sorted(k for k in d if k not in test_suites() and k != "measured"):
        if isinstance(d.get(name), dict):
            body.append([f"`make {name}`", cell("suites", d, f"{name}.seconds"), d[name]["measured"]["date"][:10],
                         d[name]["measured"]["by"].split(",")[0].split(" (")[0]])
        else:
            body.append([f"`make {name}`", "not timed yet", "", ""])
    return rows(["suite", "seconds", "measured on", "by"], ["---", "--:", "---", "---"], body)


TABLES = {"bench.targets": bench_targets, "bench.static": bench_static, "bench.modes": bench_modes,
          "bench.api": bench_api, "bench.writes": bench_writes, "bench.memory": bench_memory,
          "bench.callgrind": bench_callgrind, "loadtest.requests": loadtest_requests, "suites": suites}


def render(name: str) -> str:
    if name not in TABLES:
        raise TableError(f"no table named {name!r} (tests/docs/tables.py knows {', '.join(TABLES)})")
    try:
        return TABLES[name]()
    except KeyError as e:
        raise TableError(f"the results file has no {e}") from None
