#!/usr/bin/env python3
"""A consistent backup of the game's replica set in one command, and its restore
(docs/backup-restore.md walks through both on minikube).

  scripts/backup.py [--name NAME]      back up: one VolumeSnapshot of a quiesced secondary
  scripts/backup.py --help             every option
  scripts/backup.py restore NAME       recreate the members' claims from that snapshot

Back up, the way MongoDB documents a filesystem snapshot of a replica-set member:
  1. choose the member: a healthy secondary that the write majority can do without (never the
     primary: the game's writes go on throughout); k8s/components/backup-hook/backup-decide.js;
  2. lock it: db.fsyncLock() flushes its writes to disk and blocks writes there (its
     replication pauses). The lock is held by `backup-hook.sh hold` in the member's mongod
     container, on a `kubectl exec -i` this script keeps open: when this script ends in any way
     (an error, Ctrl-C, kill -9, a dropped connection), that standard input ends and the member
     unlocks itself; it also unlocks itself after --max-lock-seconds whatever happens here;
  3. create a VolumeSnapshot of its claim and wait until the snapshot is cut (status
     creationTime, or readyToUse), not until it is uploaded: that is all the lock is for;
  4. unlock (db.fsyncUnlock()), and say which member, how long writes waited there, and the
     snapshot's name. A snapshot not cut while the member was locked is deleted, and the
     backup fails: it would not be the consistent copy this promises.
One snapshot is the whole backup: every member holds the same data, and the restore starts
all of them from it.

Restore: claims named as the StatefulSet expects them (data-mongo-0, -1, -2), each with
`dataSource` the snapshot, so the CSI driver fills each new volume from it; then apply the
manifests again: the StatefulSet adopts the claims by name, and the members start on the
restored data with the replica-set config it holds. Refused while any of those claims exists.

Needs python3 and kubectl (the current context), and a VolumeSnapshotClass for the members'
volumes (minikube: the volumesnapshots and csi-hostpath-driver addons).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOOK_DIR = ROOT / "k8s" / "components" / "backup-hook"
STATEFULSET = "mongo"
CLAIM_TEMPLATE = "data"
ANNOTATION = "backup.pacman.example/"   # where the snapshot records what its restore needs
# The claim template's labels (k8s/base/mongo/statefulset.yaml, the chart's too): the StatefulSet
# adopts claims by name alone; the labels keep `kubectl get pvc -l app.kubernetes.io/name=mongo` true.
CLAIM_LABELS = {"app.kubernetes.io/name": "mongo", "app.kubernetes.io/component": "database",
                "app.kubernetes.io/part-of": "pacman"}


class Failed(Exception):
    """What went wrong, for a person; the script exits 1 with it."""


class Stop(BaseException):
    """SIGTERM or SIGHUP: unwinds like Ctrl-C, so every finally (the unlock) runs."""


def say(text: str) -> None:
    print(text, flush=True)


class Kubectl:
    def __init__(self, kubectl: str, namespace: str):
        self.kubectl, self.namespace = kubectl, namespace

    def run(self, *args: str, stdin: str | None = None, timeout: float = 60, check: bool = True) -> str:
        try:
            result = subprocess.run([self.kubectl, "-n", self.namespace, *args], input=stdin,
                                    capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise Failed(f"kubectl {' '.join(args[:3])} did not answer within {timeout:.0f} s") from None
        if check and result.returncode != 0:
            raise Failed(f"kubectl {' '.join(args[:4])}: {(result.stderr or result.stdout).strip()}")
        return result.stdout

    def get(self, *args: str) -> dict | None:
        out = self.run("get", *args, "-o", "json", "--ignore-not-found")
        return json.loads(out) if out.strip() else None

    def apply(self, obj: dict) -> None:
        self.run("apply", "-f", "-", stdin=json.dumps(obj))

    def exec_hook(self, pod: str, *args: str) -> list[str]:
        """The argv that runs backup-hook.sh with ARGS in POD's mongod container, the script and
        its decisions handed over as arguments (the pods need no component for this)."""
        script = (HOOK_DIR / "backup-hook.sh").read_text()
        decide = (HOOK_DIR / "backup-decide.js").read_text()
        return [self.kubectl, "-n", self.namespace, "exec", "-i", pod, "-c", "mongod", "--",
                "env", f"BACKUP_DECIDE_JS={decide}", "bash", "-c", script, "backup-hook", *args]


# ---- back up ----

def members(k: Kubectl) -> tuple[dict, list[str]]:
    sts = k.get("statefulset", STATEFULSET)
    if not sts:
        raise Failed(f"no StatefulSet {STATEFULSET} in namespace {k.namespace}: deploy the game first")
    pods = [f"{STATEFULSET}-{i}" for i in range(sts["spec"]["replicas"])]
    return sts, pods


def choose_member(k: Kubectl, pods: list[str]) -> dict:
    """Asks the members, first that answers, which one to quiesce."""
    errors = []
    for pod in pods:
        result = subprocess.run(k.exec_hook(pod, "choose"), stdin=subprocess.DEVNULL, capture_output=True,
                                text=True, timeout=90)
        if result.returncode == 0 and result.stdout.strip():
            reply = json.loads(result.stdout.strip().splitlines()[-1])
            choice = reply["choice"]
            if not choice.get("member"):
                raise Failed(f"no member to quiesce (asked {pod}): {choice['reason']}")
            return {**choice, "asked": pod}
        errors.append(f"{pod}: {(result.stderr or result.stdout).strip()[-300:]}")
    raise Failed("no member answered:\n  " + "\n  ".join(errors))


class Lock:
    """`backup-hook.sh hold` on one member: locked while this object is open."""

    def __init__(self, k: Kubectl, pod: str, max_seconds: int):
        self.pod, self.max_seconds = pod, max_seconds
        self.proc = subprocess.Popen(k.exec_hook(pod, "hold", str(max_seconds)), stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.locked: dict | None = None
        self.unlocked: dict | None = None
        self.locked_at = 0.0

    def _line(self, prefix: str, timeout: float) -> dict | None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.proc.stdout], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                break
            line = self.proc.stdout.readline()
            if not line:
                return None   # the member's end has finished
            if line.startswith(prefix + " "):
                return json.loads(line[len(prefix) + 1:])
        return None

    def wait_locked(self, timeout: float = 90) -> dict:
        self.locked = self._line("locked", timeout)
        self.locked_at = time.monotonic()
        if self.locked is None:
            self.close()
            err = self.proc.stderr.read().strip() if self.proc.poll() is not None else "no answer"
            raise Failed(f"could not lock {self.pod}: {err[-500:]}")
        return self.locked

    def still_locked(self) -> bool:
        return self.locked is not None and self.proc.poll() is None and \
            time.monotonic() - self.locked_at < self.max_seconds - 1

    def close(self) -> dict | None:
        """Unlocks (a line, then end of file, on the member's standard input) and returns what
        the member said: how long writes waited there. Safe to call twice."""
        if self.proc.poll() is None and self.proc.stdin and not self.proc.stdin.closed:
            try:
                self.proc.stdin.write("unlock\n")
                self.proc.stdin.close()
            except BrokenPipeError:
                pass
        if self.locked is not None and self.unlocked is None:
            self.unlocked = self._line("unlocked", 60)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()   # kubectl gone: the member's standard input ends, and it unlocks
            self.proc.wait()
        return self.unlocked


def claim_of(k: Kubectl, pod: str) -> dict:
    claim = k.get("pvc", f"{CLAIM_TEMPLATE}-{pod}")
    if not claim:
        raise Failed(f"{pod} has no claim {CLAIM_TEMPLATE}-{pod}")
    return claim


def snapshot_manifest(name: str, namespace: str, snapshot_class: str, claim: dict, member: str, sts: dict,
                      locked: bool) -> dict:
    return {
        "apiVersion": "snapshot.storage.k8s.io/v1", "kind": "VolumeSnapshot",
        "metadata": {
            "name": name, "namespace": namespace,
            "labels": {"app.kubernetes.io/part-of": "pacman", "app.kubernetes.io/component": "backup"},
            "annotations": {
                ANNOTATION + "member": member,
                ANNOTATION + "members": str(sts["spec"]["replicas"]),
                ANNOTATION + "claim-size": claim["spec"]["resources"]["requests"]["storage"],
                ANNOTATION + "storage-class": claim["spec"].get("storageClassName") or "",
                ANNOTATION + "quiesced": "fsyncLock" if locked else "none (crash-consistent)",
            },
        },
        "spec": {"volumeSnapshotClassName": snapshot_class,
                 "source": {"persistentVolumeClaimName": claim["metadata"]["name"]}},
    }


def wait_cut(k: Kubectl, name: str, timeout: float, lock: Lock | None) -> dict:
    """Until the snapshot is cut (creationTime or readyToUse); fails on its error, on the
    timeout, or when the member is no longer locked."""
    deadline = time.monotonic() + timeout
    while True:
        snap = k.get("volumesnapshot", name) or {}
        status = snap.get("status") or {}
        if status.get("error"):
            raise Failed(f"snapshot {name}: {status['error'].get('message', status['error'])}")
        if status.get("creationTime") or status.get("readyToUse"):
            return snap
        if lock is not None and not lock.still_locked():
            raise Failed(f"{lock.pod} was unlocked before snapshot {name} was cut")
        if time.monotonic() > deadline:
            raise Failed(f"snapshot {name} not cut within {timeout:.0f} s (does a snapshot controller run, "
                         f"and does class {snap.get('spec', {}).get('volumeSnapshotClassName')} exist?)")
        time.sleep(0.5)


def back_up(k: Kubectl, args) -> int:
    sts, pods = members(k)
    if not k.get("volumesnapshotclass", args.snapshot_class):
        raise Failed(f"no VolumeSnapshotClass {args.snapshot_class} (minikube: addons volumesnapshots and "
                     "csi-hostpath-driver; elsewhere --snapshot-class)")
    name = args.name or "pacman-" + dt.datetime.now(dt.timezone.utc).strftime("%Y%m%d-%H%M%S")
    if k.get("volumesnapshot", name):
        raise Failed(f"a VolumeSnapshot {name} exists already in {k.namespace}")

    if args.no_lock:
        if not args.member:
            raise Failed("--no-lock needs --member: without asking the members, nothing says which is a secondary")
        pod, why = args.member, "chosen by --member, not quiesced (--no-lock)"
    else:
        choice = choose_member(k, pods)
        pod, why = choice["pod"], choice["reason"]
        if args.member and args.member != pod:
            raise Failed(f"--member {args.member}, but the member to quiesce now is {pod}: {why}")
    claim = claim_of(k, pod)
    say(f"member:   {pod} ({why})")

    lock = None
    started = time.monotonic()
    created = False
    try:
        if not args.no_lock:
            lock = Lock(k, pod, args.max_lock_seconds)
            lock.wait_locked()
            say(f"locked:   {pod} (db.fsyncLock(): its writes are on disk, its replication paused)")
        k.apply(snapshot_manifest(name, k.namespace, args.snapshot_class, claim, pod, sts, lock is not None))
        created = True
        say(f"snapshot: {name} of {claim['metadata']['name']}, class {args.snapshot_class}")
        snap = wait_cut(k, name, args.cut_timeout, lock)
        cut = time.monotonic() - started
        say(f"cut:      {cut:.1f} s after the start ({snap['status'].get('creationTime', 'ready')})")
    except BaseException:
        if lock is not None and lock.locked is not None:
            unlocked = lock.close()
            say(f"unlocked: {pod}" + (f" after {unlocked['writesWaitedSeconds']} s" if unlocked else
                                      " (no answer: it unlocks itself when its kubectl exec ends)"))
        if created:
            # Maybe cut later, when the member is no longer quiesced: not the copy promised.
            k.run("delete", "volumesnapshot", name, "--wait=false", check=False)
            say(f"deleted:  {name} (not cut while {pod} was quiesced)")
        raise
    if lock is not None:
        unlocked = lock.close()
        if not unlocked:
            raise Failed(f"{pod} did not confirm the unlock: check with kubectl logs, and run "
                         "db.fsyncUnlock() there if db.currentOp().fsyncLock is true")
        say(f"unlocked: {pod}: writes waited there {unlocked['writesWaitedSeconds']} s; "
            "the primary took the game's writes throughout")
    ready = snap["status"].get("readyToUse")
    if not ready and args.wait_ready > 0:
        deadline = time.monotonic() + args.wait_ready
        while not ready and time.monotonic() < deadline:
            time.sleep(1)
            ready = ((k.get("volumesnapshot", name) or {}).get("status") or {}).get("readyToUse")
    say(f"ready:    {'yes' if ready else 'not yet (kubectl get volumesnapshot shows when)'}")
    say(f"backup {name}: done in {time.monotonic() - started:.1f} s; restore with: scripts/backup.py restore {name}")
    return 0


# ---- restore ----

def restore(k: Kubectl, args) -> int:
    snap = k.get("volumesnapshot", args.snapshot)
    if not snap:
        raise Failed(f"no VolumeSnapshot {args.snapshot} in namespace {k.namespace} (kubectl get volumesnapshot -n {k.namespace})")
    notes = snap["metadata"].get("annotations") or {}
    status = snap.get("status") or {}
    if not status.get("readyToUse"):
        say(f"note: {args.snapshot} is not ready to use yet; the claims wait for it")
    count = args.members or int(notes.get(ANNOTATION + "members", "3"))
    size = notes.get(ANNOTATION + "claim-size") or status.get("restoreSize") or "1Gi"
    storage_class = args.storage_class if args.storage_class is not None else notes.get(ANNOTATION + "storage-class", "")
    names = [f"{CLAIM_TEMPLATE}-{STATEFULSET}-{i}" for i in range(count)]
    existing = [n for n in names if k.get("pvc", n)]
    if existing:
        raise Failed(f"{', '.join(existing)} exist(s): a restore makes new claims, and the StatefulSet would keep "
                     f"using the old ones. Delete the StatefulSet and the claims first "
                     f"(kubectl delete statefulset {STATEFULSET} -n {k.namespace}; "
                     f"kubectl delete pvc -l app.kubernetes.io/name=mongo -n {k.namespace})")
    for name in names:
        spec = {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": size}},
                "dataSource": {"apiGroup": "snapshot.storage.k8s.io", "kind": "VolumeSnapshot", "name": args.snapshot}}
        if storage_class:
            spec["storageClassName"] = storage_class
        k.apply({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                 "metadata": {"name": name, "namespace": k.namespace, "labels": CLAIM_LABELS}, "spec": spec})
        say(f"claim:    {name} ({size}{', class ' + storage_class if storage_class else ''}) from snapshot {args.snapshot}")
    say(f"restore {args.snapshot}: {count} claims made; now apply the manifests again (kubectl apply -k ...), "
        "and the members start from the snapshot")
    return 0


def parse(argv: list[str]) -> argparse.Namespace:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-n", "--namespace", default="pacman")
    common.add_argument("--kubectl", default=os.environ.get("KUBECTL", "kubectl"))
    if argv[:1] == ["restore"]:
        r = argparse.ArgumentParser(prog="backup.py restore", parents=[common],
                                    description="Recreate the members' claims from a snapshot.")
        r.add_argument("snapshot", help="the VolumeSnapshot's name (kubectl get volumesnapshot -n pacman)")
        r.add_argument("--members", type=int, help="how many claims (default: the member count the backup recorded)")
        r.add_argument("--storage-class", help="the claims' class (default: the one the backed-up claim had)")
        return r.parse_args(argv[1:], namespace=argparse.Namespace(command="restore"))
    b = argparse.ArgumentParser(prog="backup.py", parents=[common], description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    b.add_argument("--name", help="the VolumeSnapshot's name (default pacman-<UTC time>)")
    b.add_argument("--snapshot-class", default="csi-hostpath-snapclass")
    b.add_argument("--member", help="the member to snapshot (default: the one the members choose; must agree)")
    b.add_argument("--no-lock", action="store_true",
                   help="no fsyncLock: a crash-consistent snapshot (the journal is on the same volume); needs --member")
    b.add_argument("--max-lock-seconds", type=int, default=120,
                   help="the member unlocks itself after this long, whatever happens here (120)")
    b.add_argument("--cut-timeout", type=float, default=60, help="seconds to wait for the snapshot to be cut (60)")
    b.add_argument("--wait-ready", type=float, default=60,
                   help="seconds to wait, after the unlock, for readyToUse (60; 0: do not wait)")
    args = b.parse_args(argv, namespace=argparse.Namespace(command="backup"))
    if not args.no_lock and args.cut_timeout >= args.max_lock_seconds:
        b.error("--cut-timeout must be shorter than --max-lock-seconds")
    return args


def main(argv: list[str]) -> int:
    args = parse(argv)
    k = Kubectl(args.kubectl, args.namespace)

    def stop(signum, frame):
        raise Stop(signal.Signals(signum).name)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGHUP, stop)
    try:
        return restore(k, args) if args.command == "restore" else back_up(k, args)
    except Failed as e:
        print(f"backup: {e}", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, Stop) as e:
        print(f"backup: stopped ({type(e).__name__} {e})", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
