"""`make cluster-demo ARGS=--backup` (scripts/cluster-demo.py --backup), its HTTP half on the
local rehearsal (cluster_local.py): scores saved and fingerprinted, mongo-0's data backed up
(scripts/backup-local.py: FerretDB's SQLite files through SQLite's online backup API), the
database killed and its data directory deleted (the list answers 503), restored, the list
served again, the fingerprint equal: lost 0. About 10 s. Its kubectl half runs on the control
plane in tests/cluster/test_backup.py."""

from demo.cluster_local import LocalRehearsal, cluster_demo


def test_backup_story_on_the_local_rehearsal(tmp_path, capsys):
    lines = []
    report = cluster_demo.Report(say=lines.append)
    ok = cluster_demo.run_scenario(LocalRehearsal(tmp_path / "demo"), report, backup=True)
    with capsys.disabled():
        print("\n" + "\n".join(lines))
    assert ok, "\n".join(lines)
    assert not [line for line in lines if line.startswith("- ")], "no step may be skipped here"
    steps = [line.split(":", 1)[0] for line in lines if line.startswith("✔ ")]
    assert steps == ["✔ apply", "✔ every pod ready", "✔ scores saved", "✔ backup", "✔ disaster", "✔ restore",
                     "✔ fingerprint after the restore", "✔ clean up"], steps
    assert report.figures["lost"] == 0 and report.figures["scores"] == 5
    assert "the list answers 503" in next(line for line in lines if line.startswith("✔ disaster"))


class LosingRestore(LocalRehearsal):
    """A restore that brings back a backup missing a score: the demo must say so and fail."""

    def backup(self, timeout):
        import pymongo
        name, what = super().backup(timeout)
        client = pymongo.MongoClient(self.ferret.uri("pacman"), serverSelectionTimeoutMS=10000)
        try:
            client["pacman"]["highscore"].delete_one({"name": "saved3"})
            super().backup_local("backup", "--data", str(self.ferret.data_dir), "--to", name + "-lossy")
        finally:
            client.close()
        return name + "-lossy", what


def test_a_restore_that_loses_a_score_fails_the_demo(tmp_path):
    lines = []
    report = cluster_demo.Report(say=lines.append)
    assert not cluster_demo.run_scenario(LosingRestore(tmp_path / "demo"), report, backup=True)
    failed = [line for line in lines if line.startswith("✘ ")]
    assert len(failed) == 1 and failed[0].startswith("✘ fingerprint after the restore: before "), lines
    assert report.figures["lost"] == 1
