"""Runs a doc page's commands in order against the control plane, with checks attached to
commands: what the page says should be true after a command is asserted there.

A check is tied to a command by a regular expression on the command's text (and optionally to
its n-th occurrence). A check whose command the page no longer has fails the test: the check
would otherwise stop running without anyone noticing.

A page becomes a test of its own with `page_test` (docs/development.md, "Commands that run"):

    test_my_page = page_test(<the page, e.g. docs/helm.md>, checks=lambda: [Check(...), ...])

in a test file of tests/cluster/. `make test-docs` fails for a page with kubectl commands that
no `page_test(...)` names and that does not say why in `<!-- walkthrough: not run: REASON -->`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

import readme
from kube import Cluster, generations
from readme import Command

# A command that applies manifests (also at the end of a pipeline): checked for warnings, and
# applied a second time to see that nothing changes.
APPLIES = re.compile(r"(^|\|\s*)kubectl( -n \S+)? apply( -n \S+)? (-k|-f)\b", re.M)
APPLIED_LINE = re.compile(r"^(\S+/\S+) (created|configured|unchanged|serverside-applied)$", re.M)


@dataclass
class Check:
    pattern: str                      # matched (re.search) against the command's text
    what: str                         # what is checked, for the report
    after: Callable | None = None     # after(walk, command, result)
    before: Callable | None = None    # before(walk, command) -> anything; handed to after as walk.state[what]
    occurrence: int | None = None     # only the n-th command matching (1-based); None: every one
    seen: int = 0
    fired: int = 0


@dataclass
class Walkthrough:
    cluster: Cluster
    checks: list[Check]
    state: dict = field(default_factory=dict)
    ran: list[Command] = field(default_factory=list)
    skipped: list[Command] = field(default_factory=list)

    def matching(self, command: Command) -> list[Check]:
        found = []
        for check in self.checks:
            if re.search(check.pattern, command.text):
                check.seen += 1
                if check.occurrence in (None, check.seen):
                    found.append(check)
        return found

    def run(self, commands: list[Command]) -> None:
        for command in commands:
            self.step(command)

    def step(self, command: Command) -> None:
        c = self.cluster
        if command.skip:
            c.log(f"-- skip  {command}\n         ({command.skip})")
            self.skipped.append(command)
            return
        checks = self.matching(command)
        for check in checks:
            if check.before:
                self.state[check.what] = check.before(self, command)
        if command.watches:
            status, out, err = c.watch(command.text)
            c.log(f"-- watch {command}\n{indent(out)}")
            assert status in (None, 0), f"{command}\nexited {status} while watching:\n{err}"
            assert out.strip(), f"{command}\nprinted nothing in 3 s:\n{err}"
            result = None
        else:
            result = c.shell(command.text)
            c.log(f"-- run   {command}\n{indent(result.stdout + result.stderr)}")
            assert result.returncode == 0, f"{command}\nexited {result.returncode}:\n{result.stderr}"
            if APPLIES.search(command.text):
                self.check_apply(command, result)
        self.ran.append(command)
        for check in checks:
            if check.after:
                check.after(self, command, result)
            check.fired += 1
            c.log(f"   ok    {check.what}")

    def check_apply(self, command: Command, result) -> None:
        """What every apply of manifests must do: no warning (Pod Security's `warn` level,
        deprecated APIs), workloads that settle, and a second apply that changes nothing."""
        c = self.cluster
        warnings = [line for line in result.stderr.splitlines() if "Warning" in line]
        assert not warnings, f"{command}\nwarned:\n" + "\n".join(warnings)
        names = APPLIED_LINE.findall(result.stdout)
        assert names, f"{command}\nprinted no object it applied:\n{result.stdout}"
        c.wait_settled()
        objects = [n for n, _ in names]
        before = generations(c.items(*objects, "-n", "pacman"))
        again = c.shell(command.text)
        assert again.returncode == 0, f"{command}\nfailed the second time:\n{again.stderr}"
        after = generations(c.items(*objects, "-n", "pacman"))
        changed = {k: (before[k], after.get(k)) for k in before if before[k] != after.get(k)}
        assert not changed, f"{command}\napplied again, changed: {changed}"
        c.log(f"   ok    applied again: {len(before)} objects, none changed (generation, or content without status)")

    def unfired(self) -> list[str]:
        return [f"{c.what} (a command matching {c.pattern!r}"
                + (f", occurrence {c.occurrence})" if c.occurrence else ")")
                for c in self.checks if not c.fired]


def indent(text: str, limit: int = 25) -> str:
    lines = text.rstrip().splitlines()
    if len(lines) > limit:
        lines = lines[:limit] + [f"... ({len(lines) - limit} more lines)"]
    return "\n".join("         | " + line for line in lines)


def page_test(path: str, *, sections: list[str] | None = None, checks: Callable[[], list[Check]] = list,
              setup: Callable | None = None, teardown: Callable | None = None,
              programs: tuple[str, ...] = ("kubectl",)) -> Callable:
    """A pytest test (name it `test_...` in a module of tests/cluster/) that runs every command of
    the page's ```sh blocks (or of its `sections`) in order on the control plane, with `checks()`
    attached, after `setup(walk)` and before `teardown(walk)`. Commands of `programs` run (add
    "helm" for a page of helm commands; it must be on the PATH the Cluster gives); the rest are
    skipped, saying why. It fails on a command that fails (or an apply that warns or is not
    idempotent: Walkthrough.check_apply), and on a check whose command the page no longer has.
    The cluster starts without the game deployed (conftest.py)."""
    page = readme.page_name(path)

    def test(cluster):
        commands = ([c for s in sections for c in readme.commands_of(path, s, programs=programs)] if sections
                    else readme.commands_of(path, programs=programs))
        assert commands, f"{page}: no ```sh commands" + (f" under {sections}" if sections else "")
        if sections:
            assert readme.kubectl_blocks_outside(sections, path) == [], \
                f"{page} has kubectl commands outside {sections} that no test runs"
        walk = Walkthrough(cluster, checks())
        walk.state["before"] = cluster.everything()
        if setup:
            setup(walk)
        walk.run(commands)
        assert walk.unfired() == [], "checks whose command is gone from " + page
        assert walk.ran, f"{page}: not one command ran here"
        if teardown:
            teardown(walk)

    test.__doc__ = f"{page}" + (f" ({', '.join(sections)})" if sections else "") + \
        ": its kubectl commands, literally and in order, on the control plane"
    test.page = page
    return test
