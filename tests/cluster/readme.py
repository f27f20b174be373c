"""The README's kubectl commands, read from its code blocks, and which of them run here.

The rule (also in a comment at the top of the README's "Run it on minikube" section):

- Only fenced ```sh blocks count; inline `code` in the text is never run.
- Each block is split into commands: a line, plus the lines it continues onto (a trailing `\\`,
  `|`, `&&` or `||`, comments after them allowed) and the body of a here-document (`<<'EOF'`).
- A command runs when its first word is `kubectl`, except the ones that need what this control
  plane does not have, skipped with the reason SKIPPED_VERBS gives: containers (`port-forward`,
  `exec`, `logs`, `cp`, `attach`, `debug`) and metrics-server (`top`). (A VolumeSnapshot is
  stored against the addon's real CRDs, but no snapshot controller takes it.)
- Every other command (minikube itself, curl, loops around curl, mongosh, openssl, scripts) is
  skipped: it needs minikube, a browser or real containers, or changes the working tree.
- A watch (`kubectl get ... -w`) runs for a few seconds and is then interrupted, like Ctrl-C.

Commands keep their README text exactly: the test runs that text with bash, from the repository's
root, with the control plane's kubectl first on PATH.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"

# The commands other tests take from the README: deploy as step 4 does, delete everything.
STEP_4 = r"^kubectl apply -k k8s/overlays/minikube$"
CLEAN_UP = r"^kubectl delete -k k8s/overlays/minikube( --ignore-not-found)?$"
MINIKUBE = "Run it on minikube"

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
# kubectl's global flags that take a value, which come before the subcommand.
FLAGS_WITH_VALUE = {"-n", "--namespace", "--context", "--kubeconfig", "--cluster", "--user", "-s", "--server"}


@dataclass(frozen=True)
class Command:
    text: str          # as in the README (continuation lines and here-document included)
    line: int          # the README line it starts on
    heading: str       # the heading it is under
    skip: str | None   # why it does not run here, or None

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
        return f"README.md:{self.line}: {self.text}"


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


def classify(text: str) -> str | None:
    command = Command(text, 0, "", None)
    verb = command.verb()
    if verb is None:
        first = (command.words() or [text.split()[0]])[0]
        return f"not kubectl (`{first}`): needs minikube, a browser or real containers"
    if verb in SKIPPED_VERBS:
        return f"kubectl {verb}: {SKIPPED_VERBS[verb]}"
    return None


def sh_blocks(text: str) -> list[tuple[int, str, list[str]]]:
    """(README line of the block's first line, heading path, lines) of every ```sh block."""
    blocks, headings = [], []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        heading = re.match(r"^(#{1,6})\s+(.*)$", line)
        if heading:
            level = len(heading.group(1))
            headings = headings[:level - 1] + [""] * max(0, level - 1 - len(headings)) + [heading.group(2).strip()]
        fence = re.match(r"^```\s*(\w*)", line)
        if fence:
            body_start = i + 1
            i += 1
            while i < len(lines) and not lines[i].startswith("```"):
                i += 1
            if fence.group(1) == "sh":
                blocks.append((body_start + 1, " > ".join(h for h in headings if h), lines[body_start:i]))
        i += 1
    return blocks


def commands(section: str, text: str | None = None) -> list[Command]:
    """Every command of the ```sh blocks under the heading named `section` (to the next
    heading of the same or a higher level), in README order."""
    text = README.read_text() if text is None else text
    found = []
    for first_line, heading, lines in sh_blocks(text):
        if not in_section(heading, section):
            continue
        for index, command in split_commands(lines):
            found.append(Command(command, first_line + index, heading, classify(command)))
    return found


def in_section(heading: str, section: str) -> bool:
    return section in heading.split(" > ")


def kubectl_blocks_outside(sections: list[str], text: str | None = None) -> list[str]:
    """Blocks with a kubectl command that are in none of `sections` (the test would miss them)."""
    text = README.read_text() if text is None else text
    return [f"README.md:{line} (under {heading!r})" for line, heading, lines in sh_blocks(text)
            if not any(in_section(heading, s) for s in sections)
            and any(Command(c, 0, "", None).verb() for _, c in split_commands(lines))]


def only(commands: list[Command], pattern: str, what: str) -> Command:
    """The one command matching pattern (re.search), or a failure saying the README changed."""
    found = [c for c in commands if re.search(pattern, c.text)]
    assert len(found) == 1, f"the README should have one command {what} ({pattern!r}), has {len(found)}"
    return found[0]
