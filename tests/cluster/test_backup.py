"""docs/backup-restore.md's commands, in the page's order, on a real control plane; and what
the backup recipes and `make cluster-demo ARGS=--backup` ask of an API server.

The page runs on the game as the README's step 4 deploys it. Its kubectl commands run as
written; so does `scripts/backup.py restore`; `scripts/backup.py --name before-disaster` runs
with `--no-lock --member mongo-2` added: kwok runs no mongod, so nothing can be locked here (the
lock is tested against FerretDB in tests/backup/ and its choice against MongoDB's replies).
curl needs a container and is skipped.

No snapshot controller runs on this control plane: a VolumeSnapshot is stored against the
addon's real CRDs and never taken. Where the page needs one taken, this test plays the
controller's part: it records a VolumeSnapshotContent bound to the snapshot and marks the
snapshot cut and ready, as the external-snapshotter does once the CSI driver has cut it. The
claims made from it are then provisioned by kwok's volume stages (the CSI driver's part).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import time
import uuid

import readme
from kube import NAMESPACE, ROOT
from walkthrough import Check, Walkthrough

PAGE = ROOT / "docs" / "backup-restore.md"
TITLE = "Back up and restore the high scores"
SNAPSHOT = "before-disaster"
BACKUP = r"^scripts/backup\.py --name before-disaster( --no-lock --member mongo-2)?$"
RESTORE = r"^scripts/backup\.py restore before-disaster$"
NO_LOCK = " --no-lock --member mongo-2"


def page_commands() -> list[readme.Command]:
    """The page's commands; the two scripts/backup.py commands run too (see the module's doc)."""
    commands = []
    for c in readme.commands(TITLE, text=PAGE.read_text()):
        if re.search(BACKUP, c.text) and NO_LOCK not in c.text:
            c = readme.Command(c.text + NO_LOCK, c.line, c.heading, None)
        elif re.search(RESTORE, c.text):
            c = readme.Command(c.text, c.line, c.heading, None)
        commands.append(c)
    return commands


class SnapshotController:
    """Plays the external-snapshotter for every VolumeSnapshot in the namespace: a content bound
    to it, then status creationTime, readyToUse and restoreSize, a moment after it appears."""

    def __init__(self, cluster, delay: float = 1.0):
        self.cluster, self.delay = cluster, delay
        self.seen: dict[str, float] = {}   # wall-clock times: first seen, and cut
        self.cut: dict[str, float] = {}
        self.contents: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(30)
        # What the controller does for a content whose snapshot goes (deletionPolicy Delete);
        # done now, since no controller will: the namespace's deletion takes the snapshots.
        for content in self.contents:
            self.cluster.kubectl("delete", "volumesnapshotcontent", content, "--ignore-not-found", "--wait=false")

    def _run(self):
        while not self._stop.wait(0.3):
            try:
                for snap in self.cluster.items("volumesnapshot", "-n", NAMESPACE):
                    if not (snap.get("status") or {}).get("creationTime"):
                        self.take(snap)
            except AssertionError:
                continue

    def take(self, snap: dict):
        c, name = self.cluster, snap["metadata"]["name"]
        self.seen.setdefault(name, time.time())
        time.sleep(self.delay)
        content = f"snapcontent-{snap['metadata']['uid']}"
        self.contents.append(content)
        c.kubectl("apply", "-f", "-", stdin=json.dumps({
            "apiVersion": "snapshot.storage.k8s.io/v1", "kind": "VolumeSnapshotContent",
            "metadata": {"name": content},
            "spec": {"deletionPolicy": "Delete", "driver": "hostpath.csi.k8s.io",
                     "volumeSnapshotClassName": snap["spec"]["volumeSnapshotClassName"],
                     "source": {"snapshotHandle": f"snap-{uuid.uuid4()}"},
                     "volumeSnapshotRef": {"apiVersion": "snapshot.storage.k8s.io/v1", "kind": "VolumeSnapshot",
                                           "name": name, "namespace": NAMESPACE, "uid": snap["metadata"]["uid"]}}}))
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        c.kubectl("patch", "volumesnapshot", name, "-n", NAMESPACE, "--subresource=status", "--type=merge", "-p",
                  json.dumps({"status": {"boundVolumeSnapshotContentName": content, "creationTime": now,
                                         "readyToUse": True, "restoreSize": "1Gi"}}))
        self.cut[name] = time.time()


# ---- checks attached to the page's commands ----

def snapshot_class_there(walk, command, result):
    assert "csi-hostpath-snapclass" in result.stdout, result.stdout


def backed_up(walk, command, result):
    """scripts/backup.py made one VolumeSnapshot of mongo-2's claim, recording what the restore
    needs, and waited for it to be cut."""
    snap = walk.cluster.get("volumesnapshot", SNAPSHOT, "-n", NAMESPACE)
    assert snap["spec"] == {"source": {"persistentVolumeClaimName": "data-mongo-2"},
                            "volumeSnapshotClassName": "csi-hostpath-snapclass"}, snap["spec"]
    notes = snap["metadata"]["annotations"]
    assert notes["backup.pacman.example/members"] == "3"
    assert notes["backup.pacman.example/claim-size"] == "1Gi"
    assert notes["backup.pacman.example/storage-class"] == "csi-hostpath-sc"
    assert notes["backup.pacman.example/member"] == "mongo-2"
    assert snap["metadata"]["labels"]["app.kubernetes.io/part-of"] == "pacman"
    assert "cut: " in result.stdout and f"backup {SNAPSHOT}: done" in result.stdout, result.stdout
    assert "ready:    yes" in result.stdout, result.stdout


def claims_gone(walk, command, result):
    c = walk.cluster
    assert not c.items("pvc", "-n", NAMESPACE), "claims left"
    assert "No resources found" in result.stderr, result.stderr
    assert not c.exists("statefulset", "mongo", "-n", NAMESPACE)


def snapshot_survives(walk, command, result):
    snap = walk.cluster.get("volumesnapshot", SNAPSHOT, "-n", NAMESPACE)
    assert snap["status"]["readyToUse"] is True


def restored_claims(walk, command, result):
    """Three claims named as the StatefulSet expects, each from the snapshot; bound once
    provisioned. Their UIDs are kept to see the StatefulSet adopt these very claims."""
    c = walk.cluster
    names = [f"data-mongo-{i}" for i in range(3)]
    claims = {p["metadata"]["name"]: p for p in c.items("pvc", "-n", NAMESPACE)}
    assert sorted(claims) == names, sorted(claims)
    for name in names:
        spec = claims[name]["spec"]
        assert spec["dataSource"] == {"apiGroup": "snapshot.storage.k8s.io", "kind": "VolumeSnapshot",
                                      "name": SNAPSHOT}, spec
        assert spec["storageClassName"] == "csi-hostpath-sc" and spec["resources"]["requests"]["storage"] == "1Gi"
        assert claims[name]["metadata"]["labels"]["app.kubernetes.io/name"] == "mongo"
    c.wait_until("the restored claims Bound", lambda: all(
        p["status"].get("phase") == "Bound" for p in c.items("pvc", "-n", NAMESPACE)), timeout=90)
    walk.state["restored"] = {n: claims[n]["metadata"]["uid"] for n in names}


def data_source_printed(walk, command, result):
    assert json.loads(result.stdout) == {"apiGroup": "snapshot.storage.k8s.io", "kind": "VolumeSnapshot",
                                         "name": SNAPSHOT}, result.stdout


def statefulset_adopts_them(walk, command, result):
    """The members come back on the restored claims: the same UIDs, not new claims."""
    c = walk.cluster
    c.wait_settled()
    for i in range(3):
        pod = c.get("pod", f"mongo-{i}", "-n", NAMESPACE)
        volumes = [v["persistentVolumeClaim"]["claimName"] for v in pod["spec"]["volumes"] if "persistentVolumeClaim" in v]
        assert volumes == [f"data-mongo-{i}"], volumes
        claim = c.get("pvc", f"data-mongo-{i}", "-n", NAMESPACE)
        assert claim["metadata"]["uid"] == walk.state["restored"][f"data-mongo-{i}"], "a new claim, not the restored one"
        assert claim["spec"]["dataSource"]["name"] == SNAPSHOT


def page_checks() -> list[Check]:
    return [
        Check(r"^kubectl get volumesnapshotclass$", "the addon's snapshot class", after=snapshot_class_there),
        Check(BACKUP, "one VolumeSnapshot of mongo-2's claim, cut, recording members, size and class",
              after=backed_up),
        Check(r"^kubectl get pvc -n pacman$", "the StatefulSet and its claims gone", after=claims_gone, occurrence=1),
        Check(r"^kubectl get volumesnapshot before-disaster -n pacman$", "the snapshot outlives the claims",
              after=snapshot_survives),
        Check(RESTORE, "data-mongo-0..2 from the snapshot, Bound", after=restored_claims),
        Check(r"^kubectl get pvc data-mongo-0 -n pacman -o jsonpath", "the claim's dataSource as the page shows it",
              after=data_source_printed),
        Check(r"^kubectl apply -k k8s/overlays/minikube$", "the StatefulSet adopts the restored claims",
              after=statefulset_adopts_them),
    ]


def deploy(cluster) -> None:
    """The game as the README's minikube walkthrough leaves it: csi-hostpath-sc the default class
    (the claims may name none), the minikube overlay applied, everything ready."""
    cluster.kubectl("patch", "storageclass", "csi-hostpath-sc", "-p",
                    '{"metadata": {"annotations": {"storageclass.kubernetes.io/is-default-class": "true"}}}')
    cluster.kubectl("apply", "-k", str(ROOT / "k8s" / "overlays" / "minikube"))
    cluster.wait_settled()


def test_the_page_s_commands_on_a_real_control_plane(cluster):
    commands = page_commands()
    assert [c for c in commands if c.skip is None], "no command of the page runs"
    deploy(cluster)
    walk = Walkthrough(cluster, page_checks())
    with SnapshotController(cluster):
        walk.run(commands)
    assert walk.unfired() == [], "checks whose command the page no longer has"
    ran = {c.verb() for c in walk.ran}
    assert {"apply", "delete", "get", "rollout"} <= ran, ran
    # Skipped: port-forward (kubectl), curl and diff (need a container), and the local and
    # one-command sections (no cluster; make cluster-demo runs in tests/demo and below).
    skipped = {c.words()[0] for c in walk.skipped}
    assert skipped <= {"curl", "kubectl", "diff", "scripts/backup-local.py", "make"}, skipped
    assert {c.verb() for c in walk.skipped if c.verb()} == {"port-forward"}


def test_every_kubectl_block_of_the_page_runs():
    """No kubectl command outside the page's one section: readme.commands reads them all."""
    assert readme.kubectl_blocks_outside([TITLE], text=PAGE.read_text()) == []


def test_the_one_command_backup_and_its_refusals(cluster, tmp_path):
    """scripts/backup.py as a user runs it, lock included, against this API server; its `kubectl
    exec` runs the hook here (tests/backup/kubectl-exec-here), with a mongosh that answers from
    MongoDB's recorded replies for each member (all healthy: mongo-0 primary, mongo-2 the one to
    lock) and records every fsyncLock and fsyncUnlock with its time. The order is the point: the
    snapshot is asked for only once mongo-2 is locked, and mongo-2 unlocked only once it is cut.

    Then its refusals: a snapshot never cut (no snapshot controller answers) is deleted and the
    backup fails, so that no snapshot that might be cut later, unquiesced, is left behind a name
    the user would restore from; a restore over claims that exist is refused and changes nothing."""
    deploy(cluster)
    replies = ROOT / "tests" / "backup" / "replies"
    status_dir, member = tmp_path / "status", tmp_path / "member"
    status_dir.mkdir()
    member.mkdir()
    for pod, reply in (("mongo-0", "replSetGetStatus-healthy.json"), ("mongo-2", "replSetGetStatus-healthy-on-mongo-2.json")):
        (status_dir / f"{pod}.json").write_text((replies / reply).read_text())
    env = dict(cluster.env, RECORDED_STATUS_DIR=str(status_dir), RECORDED_STATE_DIR=str(member),
               BACKUP_HOOK_STATE_DIR=str(member))
    with SnapshotController(cluster, delay=2.0) as controller:
        result = subprocess.run([sys.executable, str(ROOT / "scripts" / "backup.py"), "--name", "locked",
                                 "--kubectl", str(ROOT / "tests" / "backup" / "kubectl-exec-here")],
                                env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    print(result.stdout + result.stderr)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert out.startswith("member:   mongo-2 (mongo-2 is a healthy secondary; the primary mongo-0"), out
    assert "locked:   mongo-2 (db.fsyncLock()" in out and "backup locked: done" in out, out
    waited = float(re.search(r"unlocked: mongo-2: writes waited there ([0-9.]+) s", out).group(1))
    assert waited >= 2.0, "unlocked before the snapshot was cut (the controller takes 2 s)"
    assert (member / "calls").read_text().split("\n")[:-1] == ["fsyncLock 1", "fsyncUnlock 0"]
    times = dict(line.split() for line in (member / "times").read_text().split("\n")[:-1])
    locked, unlocked = int(times["fsyncLock"]) / 1000, int(times["fsyncUnlock"]) / 1000
    assert locked < controller.seen["locked"] < controller.cut["locked"] < unlocked, \
        (locked, controller.seen["locked"], controller.cut["locked"], unlocked)
    snap = cluster.get("volumesnapshot", "locked", "-n", NAMESPACE)
    assert snap["spec"]["source"] == {"persistentVolumeClaimName": "data-mongo-2"}
    assert snap["metadata"]["annotations"]["backup.pacman.example/quiesced"] == "fsyncLock"

    result = cluster.shell(f"scripts/backup.py --name never{NO_LOCK} --cut-timeout 3")
    assert result.returncode == 1
    assert "snapshot never not cut within 3 s" in result.stderr, result.stderr
    assert "deleted:  never" in result.stdout, result.stdout
    cluster.wait_until("the VolumeSnapshot deleted", lambda: not cluster.exists("volumesnapshot", "never", "-n", NAMESPACE),
                       timeout=30)

    refused = cluster.shell("scripts/backup.py restore locked")
    assert refused.returncode == 1
    assert "data-mongo-0, data-mongo-1, data-mongo-2 exist(s)" in refused.stderr, refused.stderr
    assert all("dataSource" not in p["spec"] for p in cluster.items("pvc", "-n", NAMESPACE))


# ---- the recipes, applied as a user would ----

def velero_crds() -> str:
    """Velero's CRDs from its pinned Go module (tools/velero)."""
    out = subprocess.run(["go", "list", "-m", "-f", "{{.Dir}}", "github.com/vmware-tanzu/velero"],
                         cwd=ROOT / "tools" / "velero", capture_output=True, text=True, timeout=300)
    if out.returncode != 0:
        download = subprocess.run(["go", "mod", "download", "github.com/vmware-tanzu/velero"],
                                  cwd=ROOT / "tools" / "velero", capture_output=True, text=True, timeout=600)
        assert download.returncode == 0, download.stderr
        out = subprocess.run(["go", "list", "-m", "-f", "{{.Dir}}", "github.com/vmware-tanzu/velero"],
                             cwd=ROOT / "tools" / "velero", capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip() + "/config/crd/v1/bases"


def velero_schedule_against_velero_s_crd(cluster):
    crds = velero_crds()
    cluster.kubectl("apply", "-f", f"{crds}/velero.io_schedules.yaml", "-f", f"{crds}/velero.io_backups.yaml")
    cluster.kubectl("wait", "--for=condition=Established", "crd/schedules.velero.io", "crd/backups.velero.io",
                    "--timeout=30s")
    schedule = ROOT / "k8s" / "components" / "velero" / "schedule.yaml"
    try:
        cluster.kubectl("create", "namespace", "velero")
        applied = cluster.kubectl("apply", "-n", "velero", "-f", str(schedule))
        assert "schedule.velero.io/pacman-nightly created" in applied.stdout, applied.stdout
        assert not [line for line in applied.stderr.splitlines() if "Warning" in line], applied.stderr
        # A field Velero does not know is refused (strict field validation against the CRD's schema).
        typo = cluster.kubectl("apply", "-n", "velero", "-f", "-", check=False,
                               stdin=schedule.read_text().replace("snapshotVolumes", "snapshotVolume"))
        assert typo.returncode != 0 and "snapshotVolume" in typo.stderr, typo.stderr
    finally:
        cluster.kubectl("delete", "namespace", "velero", "--ignore-not-found", "--wait=false")
        cluster.kubectl("delete", "crd", "schedules.velero.io", "backups.velero.io", "--ignore-not-found")


def test_the_recipes_on_the_api_server(cluster):
    """Each component, in the overlay docs/backup-restore.md has the user write, applied over the
    running game: accepted without a warning, the members rolled onto the ConfigMap with the hook
    script. Then Velero's Schedule against Velero's own CRD (pinned in tools/velero)."""
    deploy(cluster)
    for component in ("velero", "kanister"):
        overlay = ROOT / "build" / "cluster-test" / "overlays" / component
        overlay.mkdir(parents=True, exist_ok=True)
        (overlay / "kustomization.yaml").write_text(
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
            f"resources: [../../../../k8s/overlays/minikube]\ncomponents: [../../../../k8s/components/{component}]\n")
        result = cluster.shell(f"kubectl apply -k {overlay.relative_to(ROOT)}")
        assert result.returncode == 0, result.stderr
        assert not [line for line in result.stderr.splitlines() if "Warning" in line], result.stderr
        cluster.wait_settled()
        pod = cluster.get("pod", "mongo-0", "-n", NAMESPACE)
        config = next(v["configMap"]["name"] for v in pod["spec"]["volumes"] if v["name"] == "scripts")
        data = cluster.get("configmap", config, "-n", NAMESPACE)["data"]
        assert data["backup-hook.sh"] == (ROOT / "k8s" / "components" / "backup-hook" / "backup-hook.sh").read_text()
        annotations = cluster.get("statefulset", "mongo", "-n", NAMESPACE)["spec"]["template"]["metadata"].get("annotations", {})
        if component == "velero":
            assert annotations["pre.hook.backup.velero.io/command"] == '["bash", "/scripts/backup-hook.sh", "freeze"]'
    velero_schedule_against_velero_s_crd(cluster)


# ---- make cluster-demo ARGS=--backup ----

def finished_load_test(cluster) -> None:
    """The README's load test run to its end: its pod Completed, and not Ready, as a kubelet
    reports a finished pod (kwok leaves the Ready condition it set while the pod ran: here it is
    set as the kubelet would, so the wait sees what it sees on minikube)."""
    assert cluster.shell("kubectl apply -k k8s/loadtest").returncode == 0
    pod = cluster.wait_until("the load test's pod Completed", lambda: next(
        (p for p in cluster.items("pods", "-n", NAMESPACE) if p["status"].get("phase") == "Succeeded"), None), timeout=90)
    conditions = [dict(c, status="False", reason="PodCompleted") if c["type"] in ("Ready", "ContainersReady") else c
                  for c in pod["status"]["conditions"]]
    cluster.kubectl("patch", "pod", pod["metadata"]["name"], "-n", NAMESPACE, "--subresource=status", "--type=merge",
                    "-p", json.dumps({"status": {"conditions": conditions}}))


def test_cluster_demo_backup_with_a_finished_load_test_pod(cluster):
    """scripts/cluster-demo.py --backup as a user runs it, after the load test's Job has run:
    its pod stays Completed, never Ready, and the readiness wait must not count it (it did:
    "every pod ready" waited until its timeout). The HTTP steps are skipped here, saying so."""
    deploy(cluster)
    finished_load_test(cluster)
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "cluster-demo.py"), "--backup", "--timeout", "60",
                             "--overlay", "k8s/overlays/minikube"],
                            env=cluster.env, cwd=ROOT, capture_output=True, text=True, timeout=600)
    print(result.stdout + result.stderr)
    out = result.stdout
    assert "✔ every pod ready: 3 members 2/2 and 2 web pods 1/1" in out, out
    assert "- scores saved: skipped (the nodes are kwok's" in out, out
    for step in ("backup", "disaster", "restore", "fingerprint after the restore"):
        assert f"- {step}: skipped (as above)" in out, out
    assert "✔ clean up: " in out and result.returncode == 0, out
