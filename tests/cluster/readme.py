"""The kubectl commands of a doc page, read from its code blocks, and which of them run here.

`commands_of(path, section=None)` reads any page (README.md, docs/*.md); `walkthrough()` is
docs/kubernetes.md whole, `quick_path()` the README's "Play it on minikube". To run a page of
your own on the control plane, see `page_test` in walkthrough.py.

The rule (also in a comment at the top of docs/kubernetes.md):

- Only fenced ```sh blocks count (also indented, as in a list); inline `code` is never run.
- Each block is split into commands: a line, plus the lines it continues onto (a trailing `\\`,
  `|`, `&&` or `||`, comments after them allowed) and the body of a here-document (`<<'EOF'`).
- A command runs when its first word is `kubectl`, except the ones that need what this control
  plane does not have, skipped with the reason SKIPPED_VERBS gives: containers (`port-forward`,
  `exec`, `logs`, `cp`, `attach`, `debug`) and metrics-server (`top`). (A VolumeSnapshot is
  stored against the addon's real CRDs, but no snapshot controller takes it.)
- Every other command (minikube itself, curl, loops around curl, mongosh, openssl, scripts) is
  skipped: it needs minikube, a browser or real containers, or changes the working tree.
- A watch (`kubectl get ... -w`) runs for a few seconds and is then interrupted, like Ctrl-C.

Commands keep their text exactly: the test runs that text with bash, from the repository's
root, with the control plane's kubectl first on PATH.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
WALKTHROUGH = ROOT / "docs" / "kubernetes.md"
QUICK_PATH = "Play it on minikube"   # the README's section

# The commands other tests take from the walkthrough: deploy as step 4 does, delete everything.
STEP_4 = r"^kubectl apply -k k8s/overlays/minikube$"
CLEAN_UP = r"^kubectl delete -k k8s/overlays/minikube( --ignore-not-found)?$"

# kubectl subcommands that need something kwok does not provide, and why.
SKIPPED_VERBS = {
    "port-forward": "forwards to a port a container listens on; kwok runs no containers",
    "exec": "runs a process in a container; kwok runs no containers",
    "logs": "reads a container's output; kwok runs no containers",
    "cp": "copies out of a container; kwok runs no containers",
    "attach": "attaches to a container; kwok runs no containers",
    "debug": "starts a debug container; kwok runs no containers",
    "top": "needs metrics-server",
}
# Other kubectl commands that need what only minikube's addons bring, and why.
SKIPPED_PATTERNS = [
    (r"-n ingress-nginx\b", "waits for minikube's ingress addon, whose controller this control plane does not run"),
]
# kubectl's global flags that take a value, which come before the subcommand.
FLAGS_WITH_VALUE = {"-n", "--namespace", "--context", "--kubeconfig", "--cluster", "--user", "-s", "--server"}


@dataclass(frozen=True)
class Command:
    text: str          # as in the page (continuation lines and here-document included)
    line: int          # the page's line it starts on
    heading: str       # the heading path it is under ("Run it on minikube > 4. Apply")
    skip: str | None   # why it does not run here, or None
    page: str = "README.md"   # the page, relative to the repository's root

    @property
    def watches(self) -> bool:
        words = self.words()
        return self.verb() == "get" and ("-w" in words or "--watch" in words)

    def words(self) -> list[str]:
        first = self.text.split("\n", 1)[0]
        try:
            return shlex.split(first, comments=True)
        except ValueError:  # an unbalanced quote continues on the next line
            return first.split()

    def verb(self) -> str | None:
        """The kubectl subcommand (`apply`, `get`, ...), or None for other programs."""
        words = self.words()
        if not words or words[0] != "kubectl":
            return None
        i = 1
        while i < len(words) and words[i].startswith("-"):
            i += 2 if words[i] in FLAGS_WITH_VALUE else 1
        return words[i] if i < len(words) else None

    def __str__(self) -> str:
        return f"{self.page}:{self.line}: {self.text}"


def code_of(line: str) -> str:
    """The line without a trailing shell comment (a `#` outside quotes, after a blank)."""
    quote = None
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1].isspace()):
            return line[:i].rstrip()
    return line.rstrip()


def continues(line: str) -> bool:
    code = code_of(line)
    return code.endswith(("\\", "|", "&&", "||"))


HEREDOC = re.compile(r"<<-?\s*(['\"]?)(\w+)\1")


def split_commands(lines: list[str]) -> list[tuple[int, str]]:
    """(index of its first line, text) of each command in a block's lines."""
    commands = []
    i = 0
    while i < len(lines):
        if not code_of(lines[i]).strip():
            i += 1
            continue
        start, text = i, [lines[i]]
        while continues(text[-1]) and i + 1 < len(lines):
            i += 1
            text.append(lines[i])
        terminators = [m.group(2) for t in text for m in HEREDOC.finditer(code_of(t))]
        for word in terminators:
            while i + 1 < len(lines):
                i += 1
                text.append(lines[i])
                if lines[i].strip() == word:
                    break
        commands.append((start, "\n".join(text)))
        i += 1
    return commands


def classify(text: str, programs: tuple[str, ...] = ("kubectl",)) -> str | None:
    """Why the command does not run here, or None. Commands of `programs` run (a page_test may
    add its own, `helm` say); kubectl's, unless its verb or text says otherwise."""
    command = Command(text, 0, "", None)
    words = command.words() or text.split()
    if words and words[0] in programs and words[0] != "kubectl":
        return None
    verb = command.verb()
    if verb is None:
        first = words[0] if words else text.strip()
        return f"not {' or '.join(programs)} (`{first}`): needs minikube, a browser or real containers"
    if verb in SKIPPED_VERBS:
        return f"kubectl {verb}: {SKIPPED_VERBS[verb]}"
    for pattern, why in SKIPPED_PATTERNS:
        if re.search(pattern, text):
            return f"kubectl {verb}: {why}"
    return None


def sh_blocks(text: str) -> list[tuple[int, str, list[str]]]:
    """(line of the block's first line, heading path, lines) of every ```sh block; a block
    indented in a list has its indentation taken off."""
    blocks, headings = [], []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        heading = re.match(r"^(#{1,6})\s+(.*)$", line)
        if heading:
            level = len(heading.group(1))
            headings = headings[:level - 1] + [""] * max(0, level - 1 - len(headings)) + [heading.group(2).strip()]
        fence = re.match(r"^(\s*)```\s*(\w*)", line)
        if fence:
            indent = len(fence.group(1))
            body_start = i + 1
            i += 1
            while i < len(lines) and not lines[i].lstrip().startswith("```"):
                i += 1
            if fence.group(2) == "sh":
                body = [b[indent:] if not b[:indent].strip() else b for b in lines[body_start:i]]
                blocks.append((body_start + 1, " > ".join(h for h in headings if h), body))
        i += 1
    return blocks


def page_name(path: Path) -> str:
    path = Path(path)
    path = path if path.is_absolute() else ROOT / path
    return str(path.relative_to(ROOT))


def commands_of(path: Path | str, section: str | None = None, text: str | None = None,
                programs: tuple[str, ...] = ("kubectl",)) -> list[Command]:
    """Every command of the page's ```sh blocks, in the page's order; with `section`, only
    those under a heading of that name (to the next heading of the same or a higher level).
    Commands of `programs` run; the others are skipped (classify)."""
    path = Path(path) if Path(path).is_absolute() else ROOT / path
    text = path.read_text() if text is None else text
    found = []
    for first_line, heading, lines in sh_blocks(text):
        if section is not None and not in_section(heading, section):
            continue
        for index, command in split_commands(lines):
            found.append(Command(command, first_line + index, heading, classify(command, programs),
                                 page_name(path)))
    return found


def commands(section: str, text: str | None = None) -> list[Command]:
    """The README's commands under `section`."""
    return commands_of(README, section, text)


def walkthrough() -> list[Command]:
    """docs/kubernetes.md, every step."""
    return commands_of(WALKTHROUGH)


def quick_path() -> list[Command]:
    """The README's "Play it on minikube"."""
    return commands_of(README, QUICK_PATH)


def step_4() -> Command:
    """The walkthrough's command that deploys the game on minikube."""
    return only(walkthrough(), STEP_4, "that deploys the game on minikube")


def clean_up() -> Command:
    """The walkthrough's command that deletes everything it made."""
    return only(walkthrough(), CLEAN_UP, "that deletes everything")


def in_section(heading: str, section: str) -> bool:
    return section in heading.split(" > ")


def has_kubectl(lines: list[str]) -> bool:
    return any(Command(c, 0, "", None).verb() for _, c in split_commands(lines))


def kubectl_blocks_outside(sections: list[str], path: Path | str = README, text: str | None = None) -> list[str]:
    """Blocks with a kubectl command that are in none of `sections` (a test would miss them)."""
    path = Path(path) if Path(path).is_absolute() else ROOT / path
    text = path.read_text() if text is None else text
    return [f"{page_name(path)}:{line} (under {heading!r})" for line, heading, lines in sh_blocks(text)
            if not any(in_section(heading, s) for s in sections) and has_kubectl(lines)]


def only(commands: list[Command], pattern: str, what: str) -> Command:
    """The one command matching pattern (re.search), or a failure saying the page changed."""
    found = [c for c in commands if re.search(pattern, c.text)]
    where = commands[0].page if commands else "the page"
    assert len(found) == 1, f"{where} should have one command {what} ({pattern!r}), has {len(found)}"
    return found[0]
