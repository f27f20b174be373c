#!/usr/bin/env python3
"""A consistent backup of the local database (`make run`'s FerretDB, data in var/db), and its
restore: the local rehearsal of scripts/backup.py (docs/backup-restore.md, "Locally").

  scripts/backup-local.py backup [--data var/db] [--to DIR]   copy every database, consistently
  scripts/backup-local.py restore DIR [--data var/db]         put a backup back (database stopped)

FerretDB keeps each database in one SQLite file (<database>.sqlite, in WAL mode: the newest
writes sit in <database>.sqlite-wal until they are checkpointed into the main file). Copying
those files with cp while FerretDB writes is what snapshotting an unquiesced volume is, only
worse: the two files are copied at different moments, so the copy can be torn. The consistent
way is SQLite's online backup API (Python's sqlite3 Connection.backup): it copies the database
as one read transaction sees it, so the copy is one point in time, and in WAL mode readers do
not block the writer: FerretDB keeps taking the game's writes while it runs, into its WAL.

How that maps onto the cluster's procedure (scripts/backup.py):
  MongoDB, fsyncLock on a secondary           here
  a secondary stops applying writes           a read transaction pins one version of the file
  the primary keeps taking writes             FerretDB keeps writing, into its WAL
  the volume snapshot is cut                  the backup API copies that version's pages
  fsyncUnlock; the secondary catches up       the read transaction ends; checkpoints go on
  restore: claims from the snapshot, apply    restore: the files into an empty data directory,
                                              start FerretDB on it
One difference: there is no second member here, so nothing shows a secondary falling behind
and catching up; and the copy is taken through the database's own reader rather than below it,
at the block level, as a CSI snapshot is.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import shutil
import sqlite3
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SUFFIX = ".sqlite"
MANIFEST = "backup.json"


class Failed(Exception):
    pass


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check(path: Path) -> None:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        result = db.execute("PRAGMA integrity_check").fetchone()[0]
    if result != "ok":
        raise Failed(f"{path}: integrity check: {result}")


def databases(data: Path) -> list[Path]:
    return sorted(p for p in data.glob("*" + SUFFIX) if p.is_file())


def back_up(data: Path, to: Path) -> dict:
    found = databases(data)
    if not found:
        raise Failed(f"no database in {data} (no *{SUFFIX} file): is this FerretDB's data directory?")
    if to.exists() and any(to.iterdir()):
        raise Failed(f"{to} is not empty")
    to.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    copied = []
    for source in found:
        target = to / source.name
        partial = to / (source.name + ".partial")
        began = time.monotonic()
        # timeout: how long to wait for a lock; a WAL reader needs none but a brief one at the start.
        src = sqlite3.connect(source, timeout=30)
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)   # pages=-1: the whole file in one step, so under one read transaction
            # The copy came with the source's WAL mode: one self-contained file instead (FerretDB
            # turns WAL on again when it opens the restored file).
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
            src.close()
        check(partial)
        partial.rename(target)
        copied.append({"file": source.name, "bytes": target.stat().st_size, "sha256": sha256(target),
                       "seconds": round(time.monotonic() - began, 3)})
    manifest = {"taken": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "from": str(data),
                "how": "SQLite online backup API: each database as one read transaction saw it",
                "seconds": round(time.monotonic() - started, 3), "databases": copied}
    (to / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def restore(backup: Path, data: Path) -> dict:
    manifest_path = backup / MANIFEST
    if not manifest_path.exists():
        raise Failed(f"{backup} has no {MANIFEST}: not a backup made by this script")
    manifest = json.loads(manifest_path.read_text())
    if data.exists() and databases(data):
        raise Failed(f"{data} holds databases already: stop the database and move them away first "
                     "(a restore puts files in place of a database that is gone, as the cluster's does)")
    data.mkdir(parents=True, exist_ok=True)
    for entry in manifest["databases"]:
        source = backup / entry["file"]
        if sha256(source) != entry["sha256"]:
            raise Failed(f"{source} changed since the backup (sha256 differs)")
        check(source)
        shutil.copyfile(source, data / (entry["file"] + ".partial"))
        (data / (entry["file"] + ".partial")).rename(data / entry["file"])
    return manifest


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("backup", help="copy every database of the data directory, consistently")
    b.add_argument("--data", type=Path, default=ROOT / "var" / "db", help="FerretDB's data directory (var/db)")
    b.add_argument("--to", type=Path, help="where (default var/backups/<UTC time>)")
    r = sub.add_parser("restore", help="put a backup into an empty data directory (the database stopped)")
    r.add_argument("backup", type=Path)
    r.add_argument("--data", type=Path, default=ROOT / "var" / "db")
    args = parser.parse_args(argv)
    try:
        if args.command == "backup":
            to = args.to or ROOT / "var" / "backups" / dt.datetime.now(dt.timezone.utc).strftime("%Y%m%d-%H%M%S")
            m = back_up(args.data, to)
            for d in m["databases"]:
                print(f"copied:  {d['file']} ({d['bytes']} bytes) in {d['seconds']} s, writers never waited")
            print(f"backup {to}: {len(m['databases'])} database(s) in {m['seconds']} s")
        else:
            m = restore(args.backup, args.data)
            print(f"restored: {', '.join(d['file'] for d in m['databases'])} (taken {m['taken']}) into {args.data}; "
                  "start the database on it")
    except Failed as e:
        print(f"backup-local: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
