"""make test-docs: the docs' links, pictures, anchors and figures, without a network.

    python3 tests/docs/check.py            check; exit 1 with one line per problem
    python3 tests/docs/check.py refresh    rewrite every figure's link text and every generated
                                           table from the results files, then check

What is checked, in README.md and docs/*.md (code blocks and inline code left out):
- every relative link and image points to a file that exists; a #fragment into a Markdown file
  names one of its headings (GitHub's anchors) or an <a id>; into a .json file, a key path;
- every link into docs/results/*.json quotes the value there as tests/docs/figures.py says,
  and every results file has its `measured` block (date, commit, machine, by);
- no measured-looking figure (MiB, MB, req/s, instructions, a ratio like 0.91×) is typed by
  hand outside such a link;
- every generated table (<!-- table: NAME --> ... <!-- /table -->) is what tests/docs/tables.py
  makes of the results files now;
- every page in docs/ is linked from the README and links back to it;
- docs/development.md names every target `make help` lists;
- every page with kubectl commands in ```sh blocks is run on the control plane by a
  `page_test("PAGE", ...)` in tests/cluster/, or says why not: <!-- walkthrough: not run: REASON -->;
- the architecture picture is what its source draws (docs/img/architecture.py, `make docs-images`).
"""

from __future__ import annotations

import re
import subprocess
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "cluster"))
import figures  # noqa: E402
import readme  # noqa: E402  (tests/cluster/readme.py: which commands a page runs)
import tables  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
RESULTS = DOCS / "results"
README = ROOT / "README.md"
ARCHITECTURE = DOCS / "img" / "architecture"


def use_root(root: Path) -> None:
    """Checks the tree at root instead of this one (tests/docs/test_check.py)."""
    global ROOT, DOCS, RESULTS, README, ARCHITECTURE
    ROOT = root.resolve()
    DOCS, README = ROOT / "docs", ROOT / "README.md"
    RESULTS, ARCHITECTURE = DOCS / "results", DOCS / "img" / "architecture"
    tables.RESULTS = RESULTS


def pages() -> list[Path]:
    return [README] + sorted(DOCS.glob("*.md"))


def rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


# ---- reading Markdown ----

FENCE = re.compile(r"^\s*(```|~~~)")
LINK = re.compile(r"(!?)\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\(\s*<?([^()\s>]*(?:\([^()]*\))?[^()\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
HTML_REF = re.compile(r"""<(?:img|a)\b[^>]*?\b(?:src|href)=["']([^"']+)["']""", re.I)
CODE_SPAN = re.compile(r"(`+)(.+?)\1")


@dataclass
class Link:
    page: Path
    line: int
    text: str
    target: str
    image: bool
    start: int   # offset in the page's text, for refresh
    end: int

    def where(self) -> str:
        return f"{rel(self.page)}:{self.line}"


def prose_lines(text: str):
    """(line number, line) of every line outside fenced code blocks."""
    fenced = False
    for number, line in enumerate(text.split("\n"), 1):
        if FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            yield number, line


def blank_code_spans(line: str) -> str:
    """The line with inline code replaced by spaces (same length)."""
    return CODE_SPAN.sub(lambda m: " " * len(m.group(0)), line)


def links(page: Path, text: str | None = None) -> list[Link]:
    text = page.read_text() if text is None else text
    offsets = [0]
    for line in text.split("\n"):
        offsets.append(offsets[-1] + len(line) + 1)
    found = []
    for number, line in prose_lines(text):
        visible = blank_code_spans(line)
        for m in LINK.finditer(visible):
            base = offsets[number - 1]
            found.append(Link(page, number, line[m.start(2):m.end(2)], m.group(3), m.group(1) == "!",
                              base + m.start(2), base + m.end(2)))
        for m in HTML_REF.finditer(visible):
            found.append(Link(page, number, "", m.group(1), "<img" in m.group(0).lower(), 0, 0))
    return found


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, markup and punctuation dropped, spaces to -."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)   # links: their text
    text = text.replace("`", "").strip().lower()
    kept = []
    for ch in text:
        if ch in " -_" or ch.isalnum() or unicodedata.category(ch).startswith("M"):
            kept.append("-" if ch == " " else ch)
    return "".join(kept)


def anchors(page: Path) -> set[str]:
    seen: dict[str, int] = {}
    found = set()
    text = page.read_text()
    for _, line in prose_lines(text):
        heading = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if heading:
            base = slug(heading.group(1))
            count = seen.get(base, 0)
            seen[base] = count + 1
            found.add(base if count == 0 else f"{base}-{count}")
        for m in re.finditer(r"""<a\s+(?:id|name)=["']([^"']+)["']""", line):
            found.add(m.group(1))
    return found


# ---- the checks ----

def check_links(problems: list[str]) -> None:
    anchor_cache: dict[Path, set[str]] = {}
    json_cache: dict[Path, dict] = {}
    for page in pages():
        for link in links(page):
            target = link.target
            if not target or re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I) or target.startswith("//"):
                continue   # another site, mailto: ...: not ours to check offline
            path_part, _, fragment = target.partition("#")
            path = (page.parent / path_part).resolve() if path_part else page
            if not path.exists():
                problems.append(f"{link.where()}: {'image' if link.image else 'link'} to {target}: "
                                f"{rel(path) if path.is_relative_to(ROOT) else path} does not exist")
                continue
            if not path.is_relative_to(ROOT):
                problems.append(f"{link.where()}: {target} points outside the repository")
                continue
            if link.image and path.is_dir():
                problems.append(f"{link.where()}: image {target} is a directory")
            if not fragment:
                if path.suffix == ".json" and path.parent == RESULTS and not link.image:
                    problems.append(f"{link.where()}: link to {target} without a #key: quote a figure")
                continue
            if path.suffix == ".md":
                names = anchor_cache.setdefault(path, anchors(path))
                if fragment not in names:
                    problems.append(f"{link.where()}: {target}: {rel(path)} has no heading with anchor "
                                    f"#{fragment}")
            elif path.suffix == ".json":
                try:
                    data = json_cache.setdefault(path, figures.load(path))
                    value = figures.lookup(data, fragment)
                    want = figures.expected_text(value, link.text, fragment)
                except figures.FigureError as e:
                    problems.append(f"{link.where()}: [{link.text}]({target}): {e}")
                    continue
                if link.text != want:
                    problems.append(f"{link.where()}: [{link.text}]({target}): the file says {value!r}, "
                                    f"so the text should be [{want}] (`make docs-refresh` rewrites it)")
            else:
                problems.append(f"{link.where()}: {target}: a #fragment into a {path.suffix or 'directory'} "
                                "cannot be checked")


# Numbers that look measured: sizes, rates, instruction counts, ratios. Outside a link into a
# results file they are typed by hand, and rot.
MEASURED = re.compile(r"(?<![\w.])\d[\d,]*(?:\.\d+)?(?:\s?(?:MiB|MB|GB|req/s|requests a second|"
                      r"instructions)\b|×(?!\d))")


def check_bare_figures(problems: list[str]) -> None:
    for page in pages():
        text = page.read_text()
        for number, line in prose_lines(text):
            visible = blank_code_spans(line)
            visible = LINK.sub(lambda m: " " * len(m.group(0)) if "results/" in m.group(3) else m.group(0),
                               visible)
            visible = re.sub(r"<!--.*?-->", "", visible)
            for m in MEASURED.finditer(visible):
                if re.search(r"[<>≥≤]\s?$", visible[:m.start()]):
                    continue   # a target or a limit, not a measurement
                problems.append(f"{rel(page)}:{number}: {m.group(0)!r} looks like a measured figure typed by "
                                "hand: quote it from a results file (tests/docs/figures.py)")


def check_results_files(problems: list[str]) -> None:
    for path in sorted(RESULTS.glob("*.json")):
        try:
            data = figures.load(path)
        except figures.FigureError as e:
            problems.append(str(e))
            continue
        problems += [f"{rel(path)}: {p}" for p in figures.measured_problems(data)]


TABLE = re.compile(r"(<!-- table: ([\w.-]+) -->\n)(.*?)(<!-- /table -->)", re.S)


def render_tables(text: str, problems: list[str] | None, where: str) -> str:
    def replace(m):
        try:
            body = tables.render(m.group(2))
        except (tables.TableError, figures.FigureError) as e:
            if problems is not None:
                problems.append(f"{where}: table {m.group(2)}: {e}")
            return m.group(0)
        return m.group(1) + body + m.group(4)
    return TABLE.sub(replace, text)


def check_tables(problems: list[str]) -> None:
    for page in pages():
        text = page.read_text()
        for m in TABLE.finditer(text):
            line = text[:m.start()].count("\n") + 1
            try:
                want = tables.render(m.group(2))
            except (tables.TableError, figures.FigureError) as e:
                problems.append(f"{rel(page)}:{line}: table {m.group(2)}: {e}")
                continue
            if m.group(3) != want:
                problems.append(f"{rel(page)}:{line}: table {m.group(2)} is not what the results file gives "
                                "now (`make docs-refresh` rewrites it)")


def check_pages_linked(problems: list[str]) -> None:
    from_readme = {(README.parent / link.target.partition("#")[0]).resolve()
                   for link in links(README) if not link.image}
    for page in sorted(DOCS.glob("*.md")):
        if page.resolve() not in from_readme:
            problems.append(f"README.md: no link to {rel(page)} (add it to the README's documentation list)")
        back = [link for link in links(page) if (page.parent / link.target.partition("#")[0]).resolve() == README]
        if not back:
            problems.append(f"{rel(page)}: no link back to the README (`[← README](../README.md)`)")


def make_targets() -> list[str]:
    makefile = (ROOT / "Makefile").read_text()
    return sorted(set(re.findall(r"^([a-z][a-z-]*):.*## ", makefile, re.M)))


def check_make_targets(problems: list[str]) -> None:
    path = DOCS / "development.md"
    if not path.exists():
        problems.append("docs/development.md is missing")
        return
    text = path.read_text()
    for target in make_targets():
        if not re.search(rf"`make {re.escape(target)}\b", text):
            problems.append(f"docs/development.md: `make {target}` (in `make help`) is not described")


def check_walkthrough_pages(problems: list[str]) -> None:
    registered = set()
    for test in (ROOT / "tests" / "cluster").glob("*.py"):
        registered |= set(re.findall(r"""page_test\(\s*["']([^"']+)["']""", test.read_text()))
    for page in pages():
        name = rel(page)
        text = page.read_text()
        if not any(readme.has_kubectl(lines) for _, _, lines in readme.sh_blocks(text)):
            continue
        if name in registered:
            continue
        if re.search(r"<!-- walkthrough: not run: \S.*?-->", text):
            continue
        problems.append(f"{name}: kubectl commands that no test runs: register the page with "
                        f'page_test("{name}", ...) in tests/cluster/ (docs/development.md, "Commands that run"), '
                        "or say why not in <!-- walkthrough: not run: REASON -->")


def check_architecture(problems: list[str]) -> None:
    source, picture = ARCHITECTURE.with_suffix(".py"), ARCHITECTURE.with_suffix(".svg")
    drawn = subprocess.run([sys.executable, str(source), "--stdout"], capture_output=True)
    if drawn.returncode != 0:
        problems.append(f"{rel(source)} failed: {drawn.stderr.decode()[-500:]}")
    elif not picture.exists() or drawn.stdout != picture.read_bytes():
        problems.append(f"{rel(picture)} is not what {rel(source)} draws: run `make docs-images`, look at it, "
                        "and commit both")


def check() -> list[str]:
    problems: list[str] = []
    check_links(problems)
    check_bare_figures(problems)
    check_results_files(problems)
    check_tables(problems)
    check_pages_linked(problems)
    check_make_targets(problems)
    check_walkthrough_pages(problems)
    check_architecture(problems)
    return problems


def refresh() -> int:
    """Rewrites each figure link's text and each generated table from the results files."""
    changed = 0
    for page in pages():
        text = page.read_text()
        new = render_tables(text, None, rel(page))
        edits = []
        for link in links(page, new):
            path_part, _, fragment = link.target.partition("#")
            path = (page.parent / path_part).resolve()
            if path.suffix != ".json" or not fragment or not path.exists() or not link.end:
                continue
            try:
                value = figures.lookup(figures.load(path), fragment)
                want = figures.expected_text(value, link.text, fragment)
            except figures.FigureError:
                continue   # check() reports it
            if want != link.text:
                edits.append((link.start, link.end, want))
        for start, end, want in sorted(edits, reverse=True):
            new = new[:start] + want + new[end:]
        if new != text:
            page.write_text(new)
            changed += 1
            print(f"docs: refreshed {rel(page)}")
    return changed


def main(argv: list[str]) -> int:
    if argv[1:] == ["refresh"]:
        refresh()
    elif argv[1:]:
        print(__doc__, file=sys.stderr)
        return 2
    problems = check()
    for problem in problems:
        print(problem)
    if problems:
        print(f"test-docs: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    print(f"test-docs: {len(pages())} pages: links, anchors, pictures, figures and tables all agree")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
