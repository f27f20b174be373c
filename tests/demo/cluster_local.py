#!/usr/bin/env python3
"""The local back end of `make cluster-demo` (scripts/cluster-demo.py): the same scenario, with
the local rehearsal's processes (tests/demo/stack.py) standing in for the cluster, so that its
HTTP half (a score through the Service, the writer across mongo-0's deletion, lost and
duplicated scores, scaling the web tier) runs here for real:

  the StatefulSet's mongo-0   FerretDB on a data directory that plays its volume; deleting the
                              pod is kill -9, and it comes back on the same data a few seconds
                              later, as the StatefulSet recreates it (FerretDB is one member:
                              no election, so "which member became primary" is mongo-0 again)
  the web Deployment          replicas of the built server
  the Service, port-forward   nginx in front of the replicas

Usage: cluster_local.py [--workdir DIR] [--outage SECONDS] [--backup]   (what `make cluster-demo-local` runs)
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # tests/: harness, demo.stack

import pymongo  # noqa: E402

from demo.stack import FerretDB, WebTier, http_get  # noqa: E402
from harness import ROOT  # noqa: E402

spec = importlib.util.spec_from_file_location("cluster_demo", ROOT / "scripts" / "cluster-demo.py")
cluster_demo = importlib.util.module_from_spec(spec)
sys.modules["cluster_demo"] = cluster_demo
spec.loader.exec_module(cluster_demo)
Failed = cluster_demo.Failed

WEB_REPLICAS = 2  # the Deployment's replicas in k8s/base/web/deployment.yaml


def shown(path: Path) -> str:
    """A path as the report shows it: relative to the repository when inside it."""
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


class LocalRehearsal:
    """The back end interface run_scenario uses, on local processes."""

    def __init__(self, workdir: Path, outage: float = 3.0, binary: str | None = None):
        self.workdir, self.outage, self.binary = workdir, outage, binary
        self.ferret = FerretDB(data_dir=workdir / "data-mongo-0")
        self.tier: WebTier | None = None
        self.restarter: threading.Thread | None = None

    def describe(self) -> str:
        return (f"the local rehearsal in {shown(self.workdir)}: FerretDB as mongo-0, web replicas of "
                f"build/pacman behind nginx as the Service")

    def apply(self) -> str:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.ferret.start()
        self.tier = WebTier(self.workdir / "web", self.ferret.uri("pacman"), binary=self.binary)
        self.tier.start(WEB_REPLICAS)
        return f"FerretDB on {self.ferret.address}, {WEB_REPLICAS} web replicas behind nginx on {self.tier.nginx.url}"

    def wait_ready(self, timeout: float) -> tuple[float, str]:
        started = time.monotonic()
        for name, server in self.tier.replicas.items():
            while http_get(server.url + "/readyz")[0] != 200:
                if time.monotonic() - started > timeout:
                    raise Failed(f"{name} not ready after {timeout:.0f} s")
                time.sleep(0.1)
        return time.monotonic() - started, f"mongo-0 answering, {len(self.tier.replicas)} web replicas ready"

    def http_url(self) -> str:
        return self.tier.nginx.url

    def http_how(self) -> str:
        return "nginx (the Service)"

    def primary(self) -> str | None:
        return "mongo-0" if self.ferret.running() else None

    def member_volume(self, member: str) -> tuple[str, str]:
        return member, shown(self.ferret.data_dir)

    def delete_how(self, member: str) -> str:
        return f"kill -9 of {member}'s database, started again on its data {self.outage:.0f} s later"

    def delete_member(self, member: str):
        self.ferret.kill()

        def come_back():  # what the StatefulSet controller and the kubelet do
            time.sleep(self.outage)
            self.ferret.start()

        self.restarter = threading.Thread(target=come_back, daemon=True)
        self.restarter.start()

    def wait_new_primary(self, old: str | None, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while not self.ferret.running() or not self.restarter or self.restarter.is_alive():
            if time.monotonic() > deadline:
                raise Failed(f"mongo-0 not back within {timeout:.0f} s")
            time.sleep(0.1)
        return "mongo-0 again (FerretDB is one member: no election)"

    def stored_counts(self, sids: list[str]) -> dict[str, int]:
        client = pymongo.MongoClient(self.ferret.uri("pacman"), serverSelectionTimeoutMS=10000)
        try:
            counts: dict[str, int] = {}
            for doc in client["pacman"]["highscore"].find({"submissionId": {"$in": sids}}, {"submissionId": 1}):
                counts[doc["submissionId"]] = counts.get(doc["submissionId"], 0) + 1
            return counts
        finally:
            client.close()

    def wait_member_back(self, member: str, volume, since: float, timeout: float) -> tuple[float, str]:
        if self.restarter:
            self.restarter.join(timeout)
        if not self.ferret.running():
            raise Failed(f"{member} not back within {timeout:.0f} s")
        if self.member_volume(member) != volume:
            raise Failed(f"{member} came back on another data directory")
        return time.monotonic() - since, f"answering again on its own data directory {volume[1]}"

    # -- the backup story (--backup): scripts/backup-local.py on mongo-0's data directory --

    def backup_local(self, *args: str) -> str:
        result = subprocess.run([sys.executable, str(ROOT / "scripts" / "backup-local.py"), *args],
                                capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise Failed(f"backup-local.py {args[0]}: {result.stderr.strip()}")
        return result.stdout

    def backup(self, timeout: float) -> tuple[str, str]:
        target = self.workdir / "backup"
        started = time.monotonic()
        self.backup_local("backup", "--data", str(self.ferret.data_dir), "--to", str(target))
        return str(target), (f"{shown(target)}: mongo-0's SQLite files copied through SQLite's online backup API in "
                             f"{time.monotonic() - started:.2f} s, writers never stopped (one member: nothing to lock)")

    def destroy(self, timeout: float) -> str:
        self.ferret.kill()
        shutil.rmtree(self.ferret.data_dir)
        status, _ = http_get(self.tier.nginx.url + "/highscores/list", timeout=30)
        if status != 503:
            raise Failed(f"the database is gone, but GET /highscores/list answered {status}")
        return f"mongo-0 killed and {shown(self.ferret.data_dir)} deleted; the list answers 503"

    def restore(self, snapshot: str, timeout: float) -> tuple[float, float, str]:
        started = time.monotonic()
        self.backup_local("restore", snapshot, "--data", str(self.ferret.data_dir))
        self.ferret.start()
        to_primary = time.monotonic() - started
        while http_get(self.tier.nginx.url + "/highscores/list")[0] != 200:
            if time.monotonic() - started > timeout:
                raise Failed(f"the list not served within {timeout:.0f} s of the restore")
            time.sleep(0.1)
        return to_primary, time.monotonic() - started, (f"the files put back into {shown(self.ferret.data_dir)}, "
                                                        "FerretDB started on them (mongo-0 is the primary)")

    def web_replicas(self) -> int:
        return len(self.tier.replicas)

    def scale_web(self, replicas: int, timeout: float) -> float:
        started = time.monotonic()
        now = len(self.tier.replicas)
        if replicas > now:
            self.tier.add(replicas - now)
        elif replicas < now:
            exits = self.tier.remove(list(self.tier.replicas)[replicas:])
            if any(exits.values()):
                raise Failed(f"replicas exited badly on SIGTERM: {exits}")
        return time.monotonic() - started

    def clean_up(self, timeout: float) -> str:
        self.close()
        shutil.rmtree(self.workdir, ignore_errors=True)
        return f"every process stopped, {shown(self.workdir)} removed"

    def close(self):
        if self.restarter:
            self.restarter.join(30)
        if self.tier:
            self.tier.close()
        self.ferret.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", type=Path, default=ROOT / "build" / "cluster-demo-local")
    parser.add_argument("--outage", type=float, default=3.0, help="seconds mongo-0's database is away")
    parser.add_argument("--keep", action="store_true", help="leave the data directory and logs")
    parser.add_argument("--backup", action="store_true", help="the backup story: back up, destroy, restore, compare")
    args = parser.parse_args()
    shutil.rmtree(args.workdir, ignore_errors=True)
    backend = LocalRehearsal(args.workdir, outage=args.outage)
    ok = cluster_demo.run_scenario(backend, cluster_demo.Report(), keep=args.keep, backup=args.backup)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
