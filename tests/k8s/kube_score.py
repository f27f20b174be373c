"""kube-score (github.com/zegl/kube-score, pinned in tools/kube-score, built into build/tools by
tests/k8s/run.sh) on rendered manifests, and its findings against the committed ignore list
(tests/k8s/kube-score-ignore.yaml: check, object, containers, the finding's text, and why).

    findings(yaml_text)            every finding kube-score reports, one per container
    unexplained(found, ignores)    the findings no entry of the ignore list covers
    unused(found_by_render, ...)   entries that cover nothing in any render (stale)

Used by test_kube_score.py on every kustomize render; the chart's test uses it on `helm template`.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
IGNORE_FILE = ROOT / "tests" / "k8s" / "kube-score-ignore.yaml"
# The floor the manifests state (persistentVolumeClaimRetentionPolicy is on by default from it):
# kube-score's version-dependent checks (deprecated APIs) are asked about it.
KUBERNETES_VERSION = "v1.27"
OK_GRADE = 10


def binary() -> str:
    return os.environ.get("KUBE_SCORE", str(ROOT / "build" / "tools" / "kube-score"))


@dataclass(frozen=True)
class Finding:
    check: str        # kube-score's check id, e.g. container-image-pull-policy
    object: str       # Kind/name
    container: str    # "" for a finding about the pod or object as a whole
    says: str         # kube-score's summary
    critical: bool    # CRITICAL (else WARNING)

    def __str__(self) -> str:
        where = f" ({self.container})" if self.container else ""
        grade = "CRITICAL" if self.critical else "WARNING"
        return f"[{grade}] {self.check}: {self.object}{where}: {self.says}"


def findings(manifests: str) -> list[Finding]:
    """Every finding of `kube-score score` on the manifests (YAML text, many documents)."""
    result = subprocess.run([binary(), "score", "-", "--output-format", "json",
                             "--kubernetes-version", KUBERNETES_VERSION],
                            input=manifests, capture_output=True, text=True, check=False)
    # kube-score exits 1 when it found something critical; its JSON is on stdout either way.
    try:
        objects = json.loads(result.stdout)
    except json.JSONDecodeError:
        raise RuntimeError(f"kube-score exited {result.returncode}: {result.stderr}") from None
    found = []
    for obj in objects:
        name = f"{obj['type_meta']['kind']}/{obj['object_meta']['name']}"
        for check in obj["checks"]:
            if check["skipped"] or check["grade"] >= OK_GRADE:
                continue
            for comment in check.get("comments") or [{"path": "", "summary": check["check"]["name"]}]:
                found.append(Finding(check["check"]["id"], name, comment.get("path") or "",
                                     comment["summary"], check["grade"] <= 1))
    return found


def ignore_list(path: Path = IGNORE_FILE) -> list[dict]:
    entries = yaml.safe_load(path.read_text())
    for entry in entries:
        missing = {"check", "object", "says", "reason"} - set(entry)
        if missing:
            raise ValueError(f"{path}: an entry lacks {sorted(missing)}: {entry}")
    return entries


def covers(entry: dict, finding: Finding) -> bool:
    return (entry["check"] == finding.check and entry["object"] == finding.object
            and entry["says"] == finding.says
            and finding.container in (entry.get("containers") or [""]))


def unexplained(found: list[Finding], ignores: list[dict]) -> list[Finding]:
    return [f for f in found if not any(covers(e, f) for e in ignores)]


def unused(found: list[Finding], ignores: list[dict]) -> list[str]:
    """Entries (and containers of entries) that no finding needs: the list must not keep
    excuses for what was fixed."""
    stale = []
    for entry in ignores:
        for container in entry.get("containers") or [""]:
            if not any(covers({**entry, "containers": [container]}, f) and f.container == container
                       for f in found):
                where = f" ({container})" if container else ""
                stale.append(f"{entry['check']}: {entry['object']}{where}: {entry['says']}")
    return stale


def dump(docs) -> str:
    return yaml.safe_dump_all(list(docs), sort_keys=False)
