#!/usr/bin/env python3
"""make cluster-demo: the minikube walkthrough (docs/kubernetes.md) as one measured run, against the current
kubectl context (minikube or any cluster). One line a step, ✔ or ✘ and what was measured:

  apply         kubectl apply -k the overlay (the minikube one), once the cluster has a default
                StorageClass for the members' claims (step 2 on minikube)
  ready         time until every pod is ready: the members 2/2 (a primary or secondary on which
                the game's user logs in), the web pods 1/1
  score         a score posted and read back through `kubectl port-forward`
  failover      a writer posts scores (each with a submissionId, retried until stored, as the
                page does) while mongo-0 is deleted: seconds without a primary, which member
                became primary, scores acknowledged, lost (must be 0) and duplicated (must be 0)
  rejoin        time until mongo-0 is a SECONDARY again, on its own volume
  scale         the web tier scaled to 10: time until all are ready; then back
  clean up      kubectl delete -k (the namespace and its volumes), unless --keep

With --backup, the backup story (docs/backup-restore.md) instead of the failover and the scaling:

  scores        scores posted with submissionIds, and the fingerprint of all stored
  backup        scripts/backup.py: a secondary fsyncLocked, its volume snapshotted, unlocked:
                which member, how long writes waited there, the snapshot, seconds to cut it
  disaster      the StatefulSet and its claims deleted: the list answers 503
  restore       scripts/backup.py restore (claims from the snapshot), the manifests applied
                again: seconds until a primary, until the first list served
  fingerprint   equal to the one before: every acknowledged score back, "lost 0"

It exits 1 when a step fails. Needs only python3 and kubectl; the image must be in the cluster
already (docs/kubernetes.md, steps 1 to 3). Where the nodes run no containers (kwok: a control plane
without kubelets, as `make test` uses), the steps that need an answer over HTTP or from mongod
are skipped, saying so.

The scenario is written once, against a back end: the cluster (KubectlCluster, here) or the
local rehearsal of tests/demo (cluster_local.py there: FerretDB and web replicas behind nginx).

Usage: scripts/cluster-demo.py [--backup] [--keep] [--overlay DIR] [--timeout SECONDS]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import select
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAMESPACE = "pacman"
WEB_REPLICAS_SCALED = 10


class Skip(Exception):
    """A step this back end cannot run; the message says why."""


class Failed(Exception):
    """A step whose promise did not hold; the message says what was seen."""


# ---- the report ----

class Report:
    """Prints one line a step and remembers which failed."""

    def __init__(self, say=print):
        self.say = say
        self.failed: list[str] = []
        self.figures: dict = {}

    def ok(self, text: str):
        self.say(f"✔ {text}")

    def fail(self, text: str):
        self.failed.append(text)
        self.say(f"✘ {text}")

    def skip(self, text: str):
        self.say(f"- {text}")

    def _skipped(self, name: str, reason: str):
        """A reason already given is not repeated."""
        said = getattr(self, "_reasons", set())
        self._reasons = said | {reason}
        self.skip(f"{name}: skipped ({'as above' if reason in said else reason})")

    def step(self, name: str, run):
        """Runs one step: ✔ with what it returns, ✘ with what it raised, - when skipped."""
        try:
            self.ok(f"{name}: {run()}")
            return True
        except Skip as e:
            self._skipped(name, str(e))
        except Failed as e:
            self.fail(f"{name}: {e}")
        except Exception as e:  # noqa: BLE001 - any other trouble is this step's failure, said plainly
            self.fail(f"{name}: {type(e).__name__}: {e}")
        return False


# ---- HTTP, as the game's page uses the API ----

def http(method: str, url: str, form: dict | None = None, timeout: float = 5) -> tuple[int, object]:
    """(status, decoded JSON body or None); status 0 when nothing answered."""
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={
        "Accept": "application/json", **({"Content-Type": "application/x-www-form-urlencoded"} if data else {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, body = response.status, response.read()
    except urllib.error.HTTPError as e:
        status, body = e.code, e.read()
    except (urllib.error.URLError, OSError):
        return 0, None
    try:
        return status, json.loads(body)
    except ValueError:
        return status, None


def score_form(sid: str, name: str, score: int) -> dict:
    return {"name": name, "cloud": "demo", "zone": "demo", "host": "cluster-demo", "score": str(score),
            "level": "1", "submissionId": sid}


@dataclass
class Attempt:
    started: float
    ended: float
    status: int


@dataclass
class ScoreWriter:
    """Posts scores one after another, each with its own submissionId, retrying the same id
    until the server says 200, as the page's queue (static/js/net/score-queue.js) does."""

    base_url: str
    pace: float = 0.1
    acknowledged: dict = field(default_factory=dict)  # submissionId -> (name, score)
    attempts: list = field(default_factory=list)

    def __post_init__(self):
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.run_id = uuid.uuid4().hex[:6]

    def start(self):
        self._thread.start()
        return self

    def _run(self):
        number = 0
        while not self._stop.is_set():
            number += 1
            sid = f"demo-{self.run_id}-{number:05d}"
            name, score = f"demo{number}", number % 24600 + 1
            while not self._stop.is_set():
                started = time.monotonic()
                status, body = http("POST", f"{self.base_url}/highscores", score_form(sid, name, score))
                self.attempts.append(Attempt(started, time.monotonic(), status))
                if status == 200 and isinstance(body, dict) and body.get("rs") == "success":
                    self.acknowledged[sid] = (name, score)
                    break
                self._stop.wait(self.pace)
            self._stop.wait(self.pace)

    def stop(self):
        self._stop.set()
        self._thread.join(15)

    def stored_since(self, moment: float) -> bool:
        return any(a.status == 200 and a.started >= moment for a in list(self.attempts))

    def quiet_since(self, seconds: float) -> bool:
        """True when every attempt of the last `seconds` succeeded (and there were some)."""
        now = time.monotonic()
        recent = [a for a in list(self.attempts) if a.started >= now - seconds]
        return bool(recent) and all(a.status == 200 for a in recent)

    def longest_gap(self) -> float:
        """The longest stretch without a stored score: from the first failed attempt after a
        success to the next success."""
        longest, failing_since = 0.0, None
        for a in self.attempts:
            if a.status != 200 and failing_since is None:
                failing_since = a.started
            elif a.status == 200 and failing_since is not None:
                longest = max(longest, a.ended - failing_since)
                failing_since = None
        return longest


BACKUP_SCORES = 5


def fingerprint(base: str, wait: float = 0) -> dict:
    """GET /highscores/fingerprint; for up to `wait` seconds, again while it answers 503 (each web
    pod finds the database again by itself, within its driver's next heartbeat)."""
    deadline = time.monotonic() + wait
    while True:
        status, body = http("GET", f"{base}/highscores/fingerprint", timeout=30)
        if status == 200 and isinstance(body, dict) and "sha256" in body:
            return body
        if status != 503 or time.monotonic() > deadline:
            raise Failed(f"GET /highscores/fingerprint answered {status}: {body}")
        time.sleep(0.5)


# ---- the scenario: the same steps whatever the back end ----

def run_scenario(backend, report: Report, keep: bool = False, timeout: float = 300, backup: bool = False) -> bool:
    """Runs every step against `backend` (the backup story with backup=True); returns True when
    none failed."""
    report.say(f"cluster-demo: {backend.describe()}")
    state: dict = {}

    def apply():
        return backend.apply()

    def ready():
        seconds, what = backend.wait_ready(timeout)
        report.figures["ready_s"] = round(seconds, 1)
        return f"{what}, {seconds:.1f} s after the apply"

    def score():
        base = backend.http_url()
        sid = f"demo-{uuid.uuid4().hex[:12]}"
        started = time.monotonic()
        status, body = http("POST", f"{base}/highscores", score_form(sid, "cluster-demo", 24600), timeout=10)
        if status != 200:
            raise Failed(f"POST /highscores answered {status}: {body}")
        # Read back from the database: the same submissionId again, with another name, is
        # answered with what was stored (and stores nothing).
        status, again = http("POST", f"{base}/highscores", score_form(sid, "someone-else", 1), timeout=10)
        if status != 200 or not isinstance(again, dict) or (again.get("name"), again.get("score")) != ("cluster-demo", 24600):
            raise Failed(f"the score did not read back: {status} {again}")
        status, listed = http("GET", f"{base}/highscores/list")
        if status != 200 or not isinstance(listed, list):
            raise Failed(f"GET /highscores/list answered {status}: {listed}")
        return f"stored and read back through {backend.http_how()}, {time.monotonic() - started:.2f} s"

    def writer():
        state["writer"] = None
        try:
            base = backend.http_url()
        except Skip as e:
            state["no_writer"] = str(e)
            raise
        w = ScoreWriter(base).start()
        deadline = time.monotonic() + 20
        while not w.acknowledged and time.monotonic() < deadline:
            time.sleep(0.2)
        if not w.acknowledged:
            w.stop()
            raise Failed("the writer stored no score in 20 s")
        time.sleep(2)
        state["writer"] = w
        return f"posting scores with submissionIds, {len(w.acknowledged)} stored so far"

    def delete():
        state["volume"] = backend.member_volume("mongo-0")
        state["was_primary"] = backend.primary() if state.get("writer") else None
        state["deleted"] = time.monotonic()
        backend.delete_member("mongo-0")
        was = state["was_primary"]
        return backend.delete_how("mongo-0") + (f" (the primary was {was})" if was else "")

    def election():
        w = state.get("writer")
        if w is None:
            raise Skip(state.get("no_writer", "no writer"))
        was = state["was_primary"]
        elected = backend.wait_new_primary("mongo-0" if was == "mongo-0" else None, timeout)
        deadline = time.monotonic() + timeout
        while not (w.stored_since(state["deleted"]) and w.quiet_since(3)):
            if time.monotonic() > deadline:
                w.stop()
                raise Failed(f"no score stored for {timeout:.0f} s after mongo-0 was deleted")
            time.sleep(0.2)
        time.sleep(1)
        w.stop()
        gap = w.longest_gap()
        report.figures.update(without_primary_s=round(gap, 1), new_primary=elected)
        who = (f"primary now: {elected}" if was == "mongo-0"
               else f"mongo-0 was not the primary ({was} was); primary now: {elected}")
        return f"{gap:.1f} s without a stored score (no primary); {who}"

    def scores():
        w = state.get("writer")
        if w is None:
            raise Skip(state.get("no_writer", "no writer"))
        counts = backend.stored_counts(list(w.acknowledged))
        lost = [sid for sid in w.acknowledged if counts.get(sid, 0) == 0]
        duplicated = [sid for sid in w.acknowledged if counts.get(sid, 0) > 1]
        retried = len(w.attempts) - len(w.acknowledged)
        report.figures.update(acknowledged=len(w.acknowledged), lost=len(lost), duplicated=len(duplicated))
        text = (f"{len(w.acknowledged)} acknowledged (after {retried} {'retry' if retried == 1 else 'retries'}), "
                f"{len(lost)} lost, {len(duplicated)} duplicated")
        if lost or duplicated:
            raise Failed(f"{text}: e.g. lost {lost[:3]}, duplicated {duplicated[:3]}")
        return text

    def rejoin():
        if "deleted" not in state:
            raise Skip("mongo-0 was not deleted")
        seconds, what = backend.wait_member_back("mongo-0", state["volume"], state["deleted"], timeout)
        report.figures["rejoin_s"] = round(seconds, 1)
        return f"{seconds:.1f} s after it was deleted, {what}"

    def scale_up():
        state["web_replicas"] = backend.web_replicas()
        seconds = backend.scale_web(WEB_REPLICAS_SCALED, timeout)
        report.figures["scale_to_10_s"] = round(seconds, 1)
        return f"{WEB_REPLICAS_SCALED} web pods ready {seconds:.1f} s after the scale"

    def scale_down():
        replicas = state["web_replicas"]
        seconds = backend.scale_web(replicas, timeout)
        return f"{replicas} web pods, {seconds:.1f} s"

    def clean_up():
        if keep:
            raise Skip("--keep: everything stays")
        return backend.clean_up(timeout)

    def saved():
        try:
            base = backend.http_url()
        except Skip as e:
            state["why"] = str(e)
            raise
        run_id = uuid.uuid4().hex[:6]
        for number in range(1, BACKUP_SCORES + 1):
            sid = f"backup-{run_id}-{number}"
            status, body = http("POST", f"{base}/highscores", score_form(sid, f"saved{number}", 1000 + number), timeout=10)
            if status != 200:
                raise Failed(f"POST /highscores answered {status}: {body}")
        state["before"] = fingerprint(base)
        return (f"{BACKUP_SCORES} scores stored; fingerprint: {state['before']['count']} scores, "
                f"sha256 {state['before']['sha256'][:12]}…")

    def after(key: str, otherwise: str):
        """Skips a step whose predecessor did not get as far as `key`, with the first reason."""
        if key not in state:
            raise Skip(state.get("why", otherwise))

    def backed_up():
        after("before", "no fingerprint to compare with")
        started = time.monotonic()
        state["snapshot"], what = backend.backup(timeout)
        report.figures["backup_s"] = round(time.monotonic() - started, 1)
        return what

    def disaster():
        after("snapshot", "no backup was taken")
        state["destroyed"] = True
        return backend.destroy(timeout)

    def restored():
        after("destroyed", "nothing was destroyed")
        to_primary, to_list, what = backend.restore(state["snapshot"], timeout)
        state["restored"] = True
        report.figures.update(restore_to_primary_s=round(to_primary, 1), restore_to_list_s=round(to_list, 1))
        return f"{what}; a primary {to_primary:.1f} s after the restore began, the first list served after {to_list:.1f} s"

    def compared():
        after("restored", "nothing was restored")
        before, now = state["before"], fingerprint(backend.http_url(), wait=60)
        lost = max(0, before["count"] - now["count"])
        report.figures.update(lost=lost, scores=now["count"])
        if now != before:
            raise Failed(f"before {before}, after {now}")
        return f"equal: {now['count']} scores, sha256 {now['sha256'][:12]}…, lost 0"

    try:
        if backup:
            if report.step("apply", apply) and report.step("every pod ready", ready):
                for name, run in (("scores saved", saved), ("backup", backed_up), ("disaster", disaster),
                                  ("restore", restored), ("fingerprint after the restore", compared)):
                    report.step(name, run)
        elif report.step("apply", apply) and report.step("every pod ready", ready):
            report.step("a score through the Service", score)
            report.step("a writer", writer)
            if report.step("mongo-0 deleted", delete):
                report.step("a new primary", election)
                report.step("scores across the failover", scores)
                report.step("mongo-0 back", rejoin)
            if report.step("web tier scaled up", scale_up):
                report.step("web tier scaled back", scale_down)
    finally:
        report.step("clean up", clean_up)
        backend.close()
    report.say(f"cluster-demo: {'every step passed' if not report.failed else f'{len(report.failed)} step(s) failed'}")
    return not report.failed


# ---- the back end for a real cluster: kubectl ----

DEFAULT_CLASS = "storageclass.kubernetes.io/is-default-class"


class KubectlCluster:
    """The current kubectl context. Every kubectl call has a time limit."""

    def __init__(self, overlay: str | None = None, kubectl: str = "kubectl"):
        self.kubectl = kubectl
        self.overlay_arg = overlay
        self.overlay = None
        self.forward: subprocess.Popen | None = None
        self.forward_url: str | None = None
        self.runs_containers: bool | None = None

    # -- kubectl --

    def run(self, *args, timeout: float = 60, check: bool = True) -> str:
        try:
            result = subprocess.run([self.kubectl, *args], capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise Failed(f"kubectl {' '.join(args[:4])} ... did not finish within {timeout:.0f} s") from None
        if check and result.returncode != 0:
            raise Failed(f"kubectl {' '.join(args)}: {result.stderr.strip() or result.stdout.strip()}")
        return result.stdout

    def json(self, *args, timeout: float = 30):
        return json.loads(self.run("get", *args, "-o", "json", timeout=timeout))

    def pods(self, selector: str | None = None) -> list[dict]:
        args = ["pods", "-n", NAMESPACE] + (["-l", selector] if selector else [])
        return self.json(*args)["items"]

    @staticmethod
    def ready(pod: dict) -> bool:
        return any(c["type"] == "Ready" and c["status"] == "True" for c in pod.get("status", {}).get("conditions", []))

    def mongosh(self, member: str, script: str, as_root: bool = False, timeout: float = 60) -> str:
        """Runs a mongosh script in the member's mongod container (as the database administrator
        with as_root: the container has its credentials)."""
        self.need_containers()
        login = '-u "$MONGO_INITDB_ROOT_USERNAME" -p "$MONGO_INITDB_ROOT_PASSWORD" --authenticationDatabase admin' if as_root else ""
        return self.run("exec", "-n", NAMESPACE, member, "-c", "mongod", "--", "bash", "-c",
                        f'mongosh {login} --quiet --norc --eval "$0"', script, timeout=timeout).strip()

    def need_containers(self):
        if self.runs_containers is None:
            nodes = self.json("nodes")["items"]
            fake = [n for n in nodes if "kwok.x-k8s.io/node" in (n["metadata"].get("annotations") or {})]
            self.runs_containers = not nodes or len(fake) < len(nodes)
        if not self.runs_containers:
            raise Skip("the nodes are kwok's: pods run no containers, so nothing answers HTTP or mongosh")

    # -- the back end's interface (see run_scenario) --

    def describe(self) -> str:
        context = self.run("config", "current-context", check=False).strip() or "(none)"
        return f"context {context}, namespace {NAMESPACE}"

    def apply(self) -> str:
        # The members' claims name no class: they take the cluster's default (on minikube,
        # csi-hostpath-sc once step 2 made it so). Without one they wait for ever, and so would
        # this script: say what to do instead.
        defaults = [c["metadata"]["name"] for c in self.json("storageclass")["items"]
                    if (c["metadata"].get("annotations") or {}).get(DEFAULT_CLASS) == "true"]
        if not defaults:
            raise Failed("the cluster has no default StorageClass, so the members' volume claims would "
                         "wait for ever: make one the default first (docs/kubernetes.md, step 2)")
        self.overlay = self.overlay_arg or "k8s/overlays/minikube"
        out = self.run("apply", "-k", str(ROOT / self.overlay), timeout=120)
        applied = [line for line in out.splitlines() if line.strip()]
        return f"{len(applied)} objects (kubectl apply -k {self.overlay})"

    def wait_ready(self, timeout: float) -> tuple[float, str]:
        started = time.monotonic()
        sts = self.json("statefulset", "mongo", "-n", NAMESPACE)
        web = self.json("deployment", "pacman", "-n", NAMESPACE)
        wanted = sts["spec"]["replicas"] + web["spec"]["replicas"]
        while True:
            pods = self.workload_pods()
            ready = [p for p in pods if self.ready(p)]
            if len(ready) >= wanted and len(pods) == len(ready):
                members = sum(1 for p in ready if p["metadata"]["name"].startswith("mongo-"))
                return time.monotonic() - started, f"{members} members 2/2 and {len(ready) - members} web pods 1/1"
            self.explain_stuck(pods)
            if time.monotonic() - started > timeout:
                waiting = ", ".join(f"{p['metadata']['name']} ({self.why_not_ready(p)})" for p in pods if not self.ready(p))
                raise Failed(f"not ready after {timeout:.0f} s: {waiting or f'{len(pods)} of {wanted} pods exist'}")
            time.sleep(1)

    def workload_pods(self) -> list[dict]:
        """The members' and the web tier's pods that are running or starting: not one being
        deleted, and not a finished one (the load test Job's pod stays Completed, never Ready)."""
        return [p for p in self.pods() if not p["metadata"].get("deletionTimestamp")
                and (p["metadata"].get("labels") or {}).get("app.kubernetes.io/name") in ("mongo", "pacman")
                and p.get("status", {}).get("phase") not in ("Succeeded", "Failed")]

    def explain_stuck(self, pods: list[dict]):
        """Fails at once on a state that waiting does not fix, with what to do."""
        for pod in pods:
            for status in pod.get("status", {}).get("containerStatuses", []) or []:
                reason = (status.get("state", {}).get("waiting") or {}).get("reason", "")
                if reason in ("ErrImageNeverPull", "ErrImagePull", "ImagePullBackOff") and status["image"].endswith("pacman:local"):
                    raise Failed(f"{pod['metadata']['name']}: {reason}: the image is not in the cluster; "
                                 "build it first (docs/kubernetes.md, step 3: minikube image build -t pacman:local .)")

    @staticmethod
    def why_not_ready(pod: dict) -> str:
        for status in pod.get("status", {}).get("containerStatuses", []) or []:
            waiting = status.get("state", {}).get("waiting")
            if waiting:
                return f"{status['name']}: {waiting.get('reason')}"
            if not status.get("ready"):
                return f"{status['name']} not ready"
        return pod.get("status", {}).get("phase", "?")

    def http_url(self) -> str:
        self.need_containers()
        if self.forward_url:
            return self.forward_url
        self.forward = subprocess.Popen([self.kubectl, "port-forward", "-n", NAMESPACE, "svc/pacman", ":80"],
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        ready, _, _ = select.select([self.forward.stdout], [], [], 30)
        line = self.forward.stdout.readline() if ready else ""  # "Forwarding from 127.0.0.1:NNNNN -> 8080"
        match = re.search(r"127\.0\.0\.1:(\d+)", line)
        if not match:
            raise Failed(f"kubectl port-forward svc/pacman: {line.strip() or 'no output'}")
        threading.Thread(target=lambda: [None for _ in self.forward.stdout], daemon=True).start()
        self.forward_url = f"http://127.0.0.1:{match.group(1)}"
        return self.forward_url

    def http_how(self) -> str:
        return "kubectl port-forward svc/pacman"

    def primary(self) -> str | None:
        """The member that is primary, as mongo-1 sees it (mongo-0 is about to go)."""
        for member in ("mongo-1", "mongo-2", "mongo-0"):
            try:
                host = self.mongosh(member, "print(db.hello().primary || '')", timeout=30)
            except Failed:
                continue
            if host:
                return host.split(".")[0]
        return None

    def member_volume(self, member: str) -> tuple[str, str]:
        pod = self.json("pod", member, "-n", NAMESPACE)
        claim = next(v["persistentVolumeClaim"]["claimName"] for v in pod["spec"]["volumes"] if "persistentVolumeClaim" in v)
        volume = self.json("pvc", claim, "-n", NAMESPACE)["spec"].get("volumeName", "")
        return claim, volume

    def delete_how(self, member: str) -> str:
        return f"kubectl delete pod {member}"

    def delete_member(self, member: str):
        self.deleted_uid = self.json("pod", member, "-n", NAMESPACE)["metadata"]["uid"]
        # --wait=false: the pod may be gone and back before kubectl starts watching.
        self.run("delete", "pod", member, "-n", NAMESPACE, "--wait=false")

    def wait_new_primary(self, old: str | None, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for member in ("mongo-1", "mongo-2"):
                try:
                    host = self.mongosh(member, "print(db.hello().primary || '')", timeout=20)
                except Failed:
                    continue
                name = host.split(".")[0] if host else ""
                if name and name != old:
                    return name
            time.sleep(1)
        raise Failed(f"no member other than {old} became primary within {timeout:.0f} s")

    def stored_counts(self, sids: list[str]) -> dict[str, int]:
        primary = self.primary()
        if not primary:
            raise Failed("no primary to count the scores on")
        script = ("const ids = " + json.dumps(sids) + "; print(JSON.stringify(db.getSiblingDB('pacman').highscore"
                  ".aggregate([{$match: {submissionId: {$in: ids}}}, {$group: {_id: '$submissionId', n: {$sum: 1}}}])"
                  ".toArray()))")
        rows = json.loads(self.mongosh(primary, script, as_root=True, timeout=60).splitlines()[-1])
        return {row["_id"]: row["n"] for row in rows}

    def wait_member_back(self, member: str, volume: tuple[str, str], since: float, timeout: float) -> tuple[float, str]:
        deadline = time.monotonic() + timeout
        while True:
            pod = self.json("pod", member, "-n", NAMESPACE) if self.run(
                "get", "pod", member, "-n", NAMESPACE, "-o", "name", check=False).strip() else None
            if pod and pod["metadata"]["uid"] != self.deleted_uid and self.ready(pod):
                break
            if time.monotonic() > deadline:
                raise Failed(f"{member} not back and ready within {timeout:.0f} s")
            time.sleep(1)
        seconds = time.monotonic() - since
        now = self.member_volume(member)
        if now != volume:
            raise Failed(f"{member} came back on {now}, not on its own volume {volume}")
        where = f"on its own volume {volume[0]} ({volume[1] or 'no volume name'})"
        try:
            state = self.mongosh(member, "const h = db.hello(); print(h.secondary ? 'SECONDARY' : h.isWritablePrimary ? 'PRIMARY' : 'OTHER')")
        except Skip:
            return seconds, f"a new pod, Ready {where} (mongod's state not asked: no containers run here)"
        if state not in ("SECONDARY", "PRIMARY"):
            raise Failed(f"{member} is ready but mongod says {state}")
        return seconds, f"{state} {where}"

    def web_replicas(self) -> int:
        return int(self.json("deployment", "pacman", "-n", NAMESPACE)["spec"]["replicas"])

    def scale_web(self, replicas: int, timeout: float) -> float:
        started = time.monotonic()
        self.run("scale", "deployment", "pacman", "-n", NAMESPACE, f"--replicas={replicas}")
        while True:
            web = self.json("deployment", "pacman", "-n", NAMESPACE)
            status = web.get("status", {})
            pods = [p for p in self.pods("app.kubernetes.io/name=pacman") if not p["metadata"].get("deletionTimestamp")]
            if status.get("readyReplicas", 0) == replicas and status.get("replicas", 0) == replicas and len(pods) == replicas:
                return time.monotonic() - started
            if time.monotonic() - started > timeout:
                raise Failed(f"{status.get('readyReplicas', 0)} of {replicas} web pods ready after {timeout:.0f} s")
            time.sleep(0.5)

    # -- the backup story (--backup) --

    def backup_script(self, *args: str, timeout: float) -> str:
        """scripts/backup.py, as the walkthrough runs it; its output."""
        try:
            result = subprocess.run([sys.executable, str(ROOT / "scripts" / "backup.py"), *args, "-n", NAMESPACE,
                                     "--kubectl", self.kubectl], capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise Failed(f"scripts/backup.py {' '.join(args[:2])} did not finish within {timeout:.0f} s") from None
        if result.returncode != 0:
            raise Failed(f"scripts/backup.py {' '.join(args[:2])}: {(result.stderr or result.stdout).strip()[-800:]}")
        return result.stdout

    def backup(self, timeout: float) -> tuple[str, str]:
        self.need_containers()   # the lock runs mongosh in a member
        name = f"cluster-demo-{uuid.uuid4().hex[:6]}"
        out = self.backup_script("--name", name, timeout=timeout)
        lines = {line.split(":", 1)[0]: line.split(":", 1)[1].strip() for line in out.splitlines() if ":" in line}
        member = lines.get("member", "?").split(" ")[0]
        waited = re.search(r"writes waited there ([0-9.]+) s", out)
        cut = re.search(r"^cut: +([0-9.]+) s", out, re.M)
        return name, (f"{name} of {member}; writes waited there {waited.group(1) if waited else '?'} s, "
                      f"snapshot cut {cut.group(1) if cut else '?'} s after the start; the primary never waited")

    def destroy(self, timeout: float) -> str:
        started = time.monotonic()
        self.run("delete", "statefulset", "mongo", "-n", NAMESPACE, "--wait=false")
        self.run("delete", "pvc", "-l", "app.kubernetes.io/name=mongo", "-n", NAMESPACE, "--wait=false")
        while self.run("get", "pvc", "-l", "app.kubernetes.io/name=mongo", "-n", NAMESPACE, "-o", "name").strip():
            if time.monotonic() - started > timeout:
                raise Failed(f"the members' claims still there after {timeout:.0f} s")
            time.sleep(1)
        status, _ = http("GET", f"{self.http_url()}/highscores/list", timeout=30)
        if status != 503:
            raise Failed(f"the database is gone, but GET /highscores/list answered {status}")
        return f"StatefulSet mongo and its claims deleted ({time.monotonic() - started:.1f} s); the list answers 503"

    def restore(self, snapshot: str, timeout: float) -> tuple[float, float, str]:
        started = time.monotonic()
        self.backup_script("restore", snapshot, timeout=timeout)
        self.run("apply", "-k", str(ROOT / self.overlay), timeout=120)
        to_primary = None
        deadline = started + timeout
        while to_primary is None:
            if time.monotonic() > deadline:
                raise Failed(f"no primary within {timeout:.0f} s of the restore")
            for member in ("mongo-0", "mongo-1", "mongo-2"):
                try:
                    if self.mongosh(member, "print(db.hello().isWritablePrimary === true)", timeout=20) == "true":
                        to_primary, self.restored_primary = time.monotonic() - started, member
                        break
                except Failed:
                    continue
            else:
                time.sleep(1)
        while http("GET", f"{self.http_url()}/highscores/list")[0] != 200:
            if time.monotonic() > deadline:
                raise Failed(f"the list not served within {timeout:.0f} s of the restore")
            time.sleep(0.5)
        return to_primary, time.monotonic() - started, f"3 claims from {snapshot}, applied; {self.restored_primary} primary"

    def clean_up(self, timeout: float) -> str:
        started = time.monotonic()
        self.run("delete", "-k", str(ROOT / (self.overlay or "k8s/")), "--wait=false", timeout=120)
        while self.run("get", "namespace", NAMESPACE, "-o", "name", check=False).strip():
            if time.monotonic() - started > timeout:
                raise Failed(f"namespace {NAMESPACE} still there after {timeout:.0f} s")
            time.sleep(1)
        return f"namespace {NAMESPACE} and its volume claims deleted, {time.monotonic() - started:.1f} s"

    def close(self):
        if self.forward and self.forward.poll() is None:
            self.forward.terminate()
            try:
                self.forward.wait(5)
            except subprocess.TimeoutExpired:
                self.forward.kill()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", action="store_true", help="leave everything running at the end")
    parser.add_argument("--backup", action="store_true",
                        help="the backup story instead (docs/backup-restore.md): back up, destroy, restore, compare")
    parser.add_argument("--overlay", help="kustomization to apply (default: k8s/overlays/minikube)")
    parser.add_argument("--timeout", type=float, default=300, help="seconds each wait may take (300)")
    parser.add_argument("--kubectl", default=os.environ.get("KUBECTL", "kubectl"))
    args = parser.parse_args()
    if not shutil.which(args.kubectl):
        print(f"cluster-demo: {args.kubectl} not found: install kubectl (1.27 or later)", file=sys.stderr)
        return 2
    ok = run_scenario(KubectlCluster(args.overlay, args.kubectl), Report(), keep=args.keep, timeout=args.timeout,
                      backup=args.backup)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
