"""docs/backup-restore.md's commands, in the page's order, on a real control plane; and what
the backup recipes and `make cluster-demo ARGS=--backup` ask of an API server.

The page runs as written, `scripts/backup.py` included (page_test with it among the programs),
on the game as docs/kubernetes.md deploys it. curl needs a container and is skipped, and so are
the local and one-command sections (tests/backup and tests/demo run those) and the helm commands
of "With Helm" (tests/cluster/test_helm.py runs those, on a Helm release).

What this control plane lacks, and who plays it:
- kwok runs no container, so no mongod: the script's `kubectl exec` into a member runs the hook
  here instead (tests/backup/kubectl-exec-here, the script's KUBECTL), with a mongosh that
  answers from MongoDB's recorded replies for each member (all healthy: mongo-0 the primary,
  mongo-2 the secondary to lock) and records every fsyncLock and fsyncUnlock with its time.
- No snapshot controller runs: a VolumeSnapshot is stored against the addon's real CRDs and
  never taken. This test plays the controller's part: it records a VolumeSnapshotContent bound
  to the snapshot and marks the snapshot cut and ready, as the external-snapshotter does once
  the CSI driver has cut it. The claims made from it are provisioned by kwok's volume stages.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import time
import uuid

from kube import NAMESPACE, ROOT
from walkthrough import Check, page_test

SNAPSHOT = "before-disaster"
BACKUP = r"^scripts/backup\.py --name before-disaster$"
RESTORE = r"^scripts/backup\.py restore before-disaster$"
REPLIES = ROOT / "tests" / "backup" / "replies"
KUBECTL_EXEC_HERE = ROOT / "tests" / "backup" / "kubectl-exec-here"


class SnapshotController:
    """Plays the external-snapshotter for every VolumeSnapshot in the namespace: a content bound
    to it, then status creationTime, readyToUse and restoreSize, `delay` seconds after it
    appears. Cuts nothing while `paused` is set."""

    def __init__(self, cluster, delay: float = 2.0):
        self.cluster, self.delay = cluster, delay
        self.seen: dict[str, float] = {}   # wall-clock times: first seen, and cut
        self.cut: dict[str, float] = {}
        self.contents: list[str] = []
        self.paused = threading.Event()
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
            if self.paused.is_set():
                continue
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


def recorded_members(monkeypatch, tmp_path):
    """The members as scripts/backup.py reaches them here (see the module's doc); returns the
    directory where their fsyncLock and fsyncUnlock calls are recorded."""
    status_dir, calls = tmp_path / "status", tmp_path / "member"
    status_dir.mkdir()
    calls.mkdir()
    for pod, reply in (("mongo-0", "replSetGetStatus-healthy.json"), ("mongo-1", "replSetGetStatus-healthy.json"),
                       ("mongo-2", "replSetGetStatus-healthy-on-mongo-2.json")):
        (status_dir / f"{pod}.json").write_text((REPLIES / reply).read_text())
    monkeypatch.setenv("KUBECTL", str(KUBECTL_EXEC_HERE))
    monkeypatch.setenv("RECORDED_STATUS_DIR", str(status_dir))
    monkeypatch.setenv("RECORDED_STATE_DIR", str(calls))
    monkeypatch.setenv("BACKUP_HOOK_STATE_DIR", str(calls))
    return calls


# ---- checks attached to the page's commands ----

def snapshot_class_there(walk, command, result):
    assert "csi-hostpath-snapclass" in result.stdout, result.stdout


def backed_up(walk, command, result):
    """One VolumeSnapshot of the chosen secondary's claim, recording what the restore needs; and
    the order that makes it consistent: mongo-2 locked, then the snapshot asked for, then cut,
    then mongo-2 unlocked, once each."""
    snap = walk.cluster.get("volumesnapshot", SNAPSHOT, "-n", NAMESPACE)
    assert snap["spec"] == {"source": {"persistentVolumeClaimName": "data-mongo-2"},
                            "volumeSnapshotClassName": "csi-hostpath-snapclass"}, snap["spec"]
    notes = snap["metadata"]["annotations"]
    assert (notes["backup.pacman.example/members"], notes["backup.pacman.example/claim-size"],
            notes["backup.pacman.example/storage-class"], notes["backup.pacman.example/member"],
            notes["backup.pacman.example/quiesced"]) == ("3", "1Gi", "csi-hostpath-sc", "mongo-2", "fsyncLock"), notes
    assert snap["metadata"]["labels"]["app.kubernetes.io/part-of"] == "pacman"
    out = result.stdout
    assert out.startswith("member:   mongo-2 (mongo-2 is a healthy secondary; the primary mongo-0"), out
    assert "locked:   mongo-2 (db.fsyncLock()" in out and f"backup {SNAPSHOT}: done" in out and "ready:    yes" in out, out
    waited = float(re.search(r"unlocked: mongo-2: writes waited there ([0-9.]+) s", out).group(1))
    controller, calls = walk.state["controller"], walk.state["calls"]
    assert waited >= controller.delay, f"unlocked before the snapshot was cut (the controller takes {controller.delay} s)"
    assert (calls / "calls").read_text().split("\n")[:-1] == ["fsyncLock 1", "fsyncUnlock 0"]
    times = dict(line.split() for line in (calls / "times").read_text().split("\n")[:-1])
    locked, unlocked = int(times["fsyncLock"]) / 1000, int(times["fsyncUnlock"]) / 1000
    assert locked < controller.seen[SNAPSHOT] < controller.cut[SNAPSHOT] < unlocked, \
        (locked, controller.seen[SNAPSHOT], controller.cut[SNAPSHOT], unlocked)


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
        Check(BACKUP, "mongo-2 locked, its claim snapshotted and cut, unlocked: in that order, once each",
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
    """The game as docs/kubernetes.md leaves it: csi-hostpath-sc the default class (the claims
    may name none), the minikube overlay applied, everything ready."""
    cluster.kubectl("patch", "storageclass", "csi-hostpath-sc", "-p",
                    '{"metadata": {"annotations": {"storageclass.kubernetes.io/is-default-class": "true"}}}')
    cluster.kubectl("apply", "-k", str(ROOT / "k8s" / "overlays" / "minikube"))
    cluster.wait_settled()


def refusals(walk):
    """After the page: the script's refusals. A snapshot never cut (the controller paused) is
    deleted and the backup fails, so that no snapshot that might be cut later, unquiesced, is
    left behind a name the user would restore from; a restore over claims that exist is refused
    and changes nothing."""
    c = walk.cluster
    walk.state["controller"].paused.set()
    result = c.shell("scripts/backup.py --name never --cut-timeout 3")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "snapshot never not cut within 3 s" in result.stderr, result.stderr
    assert "deleted:  never" in result.stdout and "unlocked: mongo-2 after" in result.stdout, result.stdout
    c.wait_until("the VolumeSnapshot deleted", lambda: not c.exists("volumesnapshot", "never", "-n", NAMESPACE), timeout=30)
    calls = walk.state["calls"]
    assert (calls / "calls").read_text().split("\n")[:-1] == ["fsyncLock 1", "fsyncUnlock 0"] * 2

    before = {p["metadata"]["name"]: p["metadata"]["uid"] for p in c.items("pvc", "-n", NAMESPACE)}
    refused = c.shell(f"scripts/backup.py restore {SNAPSHOT}")
    assert refused.returncode == 1
    assert "data-mongo-0, data-mongo-1, data-mongo-2 exist(s)" in refused.stderr, refused.stderr
    assert {p["metadata"]["name"]: p["metadata"]["uid"] for p in c.items("pvc", "-n", NAMESPACE)} == before


# What the page's checks need from the test around it: the controller and the members' calls.
RUN: dict = {}


def prepare(walk):
    walk.state.update(RUN)
    deploy(walk.cluster)


def after_the_page(walk):
    """On the restored game: the script's refusals, then the recipes (each test here pays ~15 s
    to remove the game before it starts: these two share the page's)."""
    refusals(walk)
    recipes_on_the_api_server(walk.cluster)


_page = page_test("docs/backup-restore.md", checks=page_checks, setup=prepare, teardown=after_the_page,
                  programs=("kubectl", "scripts/backup.py"))


def test_backup_restore_page(cluster, monkeypatch, tmp_path):
    """docs/backup-restore.md: its kubectl and scripts/backup.py commands, literally and in order,
    on the control plane; then the script's refusals and the recipes (`after_the_page`)."""
    calls = recorded_members(monkeypatch, tmp_path)
    with SnapshotController(cluster) as controller:
        RUN.update(controller=controller, calls=calls)
        try:
            _page(cluster)
        finally:
            RUN.clear()


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


def recipes_on_the_api_server(cluster):
    """Each component, in the overlay docs/backup-restore.md has the user write, applied over the
    running game: accepted without a warning, the members rolled onto the ConfigMap with the hook
    script. Then Velero's Schedule against Velero's own CRD (pinned in tools/velero)."""
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
