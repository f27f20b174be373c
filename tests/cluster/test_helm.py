"""The Helm chart on a real control plane: docs/helm.md's kubectl and helm commands, literally
and in the page's order, with checks attached to them (walkthrough.py's page_test), then what
the page promises when things go wrong.

Which commands run: `kubectl` ones as readme.py decides for every page (port-forward, exec and
logs need containers, which kwok does not run), every `helm` one except an install from the
published OCI chart (no registry is reachable here), and the `openssl` and `rm` lines that make
and remove a password file the next commands read (in the repository's root, as the page has
the reader do). Helm is the pinned one (tests/helm/helm-tool.sh), first on PATH: every test
here gets a `cluster` whose commands find it.
"""

from __future__ import annotations

import base64
import json
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

import readme
from kube import NAMESPACE, ROOT, Cluster, ReplicaWatch, generations
from walkthrough import Check, Walkthrough, page_test

sys.path.insert(0, str(ROOT / "tests" / "helm"))
import chart  # noqa: E402  (tests/helm/chart.py: the pinned Helm, built once)

PAGE = ROOT / "docs" / "helm.md"
CREDENTIALS = ("mongo-root", "mongo-app", "mongo-keyfile")
INSTALL = r"^helm install pacman \./charts/pacman -n pacman$"
UNINSTALL = r"^helm uninstall pacman -n pacman --wait$"


@dataclass
class HelmCluster(Cluster):
    """The control plane with the pinned Helm first on PATH, its caches under build/."""
    helm_dir: Path | None = None

    @property
    def env(self) -> dict:
        env = super().env
        env.update({k: v for k, v in chart.helm_env().items() if k.startswith("HELM_")})
        env["PATH"] = f"{self.helm_dir}:{env['PATH']}"
        return env


@pytest.fixture
def cluster(cluster):
    """The session's control plane (conftest.py), with Helm on the commands' PATH."""
    try:
        helm = Path(chart.helm_binary())
    except AssertionError as e:
        if "exited 77" in str(e):
            pytest.skip("Helm is not built and the Go module proxy cannot be reached to build it")
        raise
    c = HelmCluster(kubeconfig=cluster.kubeconfig, bin_dir=cluster.bin_dir, home=cluster.home,
                    transcript=cluster.transcript, helm_dir=helm.parent)
    # What docs/helm.md asks for first: minikube as after the walkthrough's step 2, with
    # csi-hostpath-sc the default class (the chart's claims name none).
    c.kubectl("patch", "storageclass", "csi-hostpath-sc", "-p",
              '{"metadata": {"annotations": {"storageclass.kubernetes.io/is-default-class": "true"}}}')
    return c


# ---- which commands of the page run ----

PROGRAMS = ("kubectl", "helm", "openssl", "rm")


def without_the_registry(classify):
    """readme.classify, and an install from oci:// skipped: no registry is reachable here."""
    def wrapped(text, programs=("kubectl",)):
        if re.search(r"^helm \S+ .*oci://", text):
            return "helm from oci://ghcr.io: the published chart; no registry is reachable here"
        return classify(text, programs)
    return wrapped


# ---- what the checks look at ----

def secrets(c: Cluster) -> dict[str, dict[str, str]]:
    return {s["metadata"]["name"]: {k: base64.b64decode(v).decode() for k, v in s.get("data", {}).items()}
            for s in c.items("secrets", "-n", NAMESPACE)
            if s.get("type") == "Opaque"}


def members(c: Cluster, count: int) -> dict[str, str]:
    """mongo-0..count-1 Running and Ready on their claims; returns pod name -> UID."""
    pods = {p["metadata"]["name"]: p for p in c.items("pods", "-n", NAMESPACE, "-l", "app.kubernetes.io/name=mongo")}
    assert sorted(pods) == [f"mongo-{i}" for i in range(count)], sorted(pods)
    for name, pod in pods.items():
        ready = {x["type"]: x["status"] for x in pod["status"].get("conditions", [])}
        assert pod["status"]["phase"] == "Running" and ready.get("Ready") == "True", f"{name}: {pod['status']}"
        claims = [v["persistentVolumeClaim"]["claimName"] for v in pod["spec"]["volumes"] if "persistentVolumeClaim" in v]
        assert claims == [f"data-{name}"], claims
    return {name: pod["metadata"]["uid"] for name, pod in pods.items()}


def claims(c: Cluster) -> dict[str, str]:
    return {p["metadata"]["name"]: p["metadata"]["uid"] for p in c.items("pvc", "-n", NAMESPACE)}


def web_pods_ready(c: Cluster, count: int) -> None:
    def ready():
        pods = c.items("pods", "-n", NAMESPACE, "-l", "app.kubernetes.io/name=pacman,app.kubernetes.io/component=web")
        return len(pods) == count and all(
            {x["type"]: x["status"] for x in p["status"].get("conditions", [])}.get("Ready") == "True" for p in pods)
    c.wait_until(f"{count} web pods ready", ready, timeout=90)


def no_warnings(result) -> None:
    warnings = [line for line in result.stderr.splitlines() if "warning" in line.lower()]
    assert not warnings, "helm warned:\n" + "\n".join(warnings)


def nothing_restarted(walk, what: str) -> None:
    """The members are the pods they were (same UIDs), the StatefulSet's spec unchanged, the
    credentials the same."""
    c = walk.cluster
    assert members(c, 3) == walk.state["members"], f"{what}: a member was restarted"
    sts = c.get("statefulset", "mongo", "-n", NAMESPACE)
    assert sts["metadata"]["generation"] == walk.state["sts generation"], f"{what}: the StatefulSet changed"
    assert secrets(c) == walk.state["secrets"], f"{what}: the credentials changed"


# ---- checks attached to the page's commands ----

def installed(walk, command, result):
    """Everything Ready under Pod Security "restricted" (the namespace enforces it, so a pod
    that broke it would not exist), credentials generated: three Secrets, kept on uninstall, the
    two passwords and the key file distinct and random."""
    c = walk.cluster
    no_warnings(result)
    assert "STATUS: deployed" in result.stdout, result.stdout
    assert "Credentials: generated for this release" in result.stdout, result.stdout
    ns = c.get("namespace", NAMESPACE)
    assert ns["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    c.wait_settled()
    walk.state["members"] = members(c, 3)
    web_pods_ready(c, 2)
    walk.state["claims"] = claims(c)
    assert sorted(walk.state["claims"]) == ["data-mongo-0", "data-mongo-1", "data-mongo-2"]
    found = secrets(c)
    assert sorted(found) == sorted(CREDENTIALS)
    root, app, key = found["mongo-root"]["password"], found["mongo-app"]["password"], found["mongo-keyfile"]["keyfile"]
    assert len({root, app, key}) == 3 and min(map(len, (root, app))) == 32 and len(key) == 756
    assert "demo" not in root + app
    for name in CREDENTIALS:
        annotations = c.get("secret", name, "-n", NAMESPACE)["metadata"]["annotations"]
        assert annotations["helm.sh/resource-policy"] == "keep", name
    walk.state["secrets"] = found
    walk.state["sts generation"] = c.get("statefulset", "mongo", "-n", NAMESPACE)["metadata"]["generation"]


def helm_test_passed(walk, command, result):
    """The test Job was admitted under "restricted", ran (kwok completes a Job's pod: its
    script runs for real in tests/helm/test_score_check.py) and was deleted once it passed."""
    assert re.search(r"TEST SUITE:\s+pacman-score-check", result.stdout), result.stdout
    assert re.search(r"Phase:\s+Succeeded", result.stdout), result.stdout
    assert not walk.cluster.exists("job", "pacman-score-check", "-n", NAMESPACE)


def web_scaled(count):
    def after(walk, command, result):
        no_warnings(result)
        c = walk.cluster
        c.wait_settled()
        assert c.get("deployment", "pacman", "-n", NAMESPACE)["spec"]["replicas"] == count
        web_pods_ready(c, count)
        nothing_restarted(walk, command.text)
    return after


def five_members(walk, command, result):
    """Grown to five: mongo-3 and mongo-4 on claims of their own, the first three untouched."""
    no_warnings(result)
    c = walk.cluster
    c.wait_settled()
    uids = members(c, 5)
    assert {k: uids[k] for k in walk.state["members"]} == walk.state["members"], "a member was restarted"
    assert sorted(claims(c)) == [f"data-mongo-{i}" for i in range(5)]
    assert secrets(c) == walk.state["secrets"]
    hosts = [e["value"] for e in c.get("deployment", "pacman", "-n", NAMESPACE)["spec"]["template"]["spec"]
             ["containers"][0]["env"] if e["name"] == "MONGO_SERVICE_HOST"]
    assert hosts == [",".join(f"mongo-{i}.mongo" for i in range(5))]


def three_members_again(walk, command, result):
    """Back to three: mongo-3 and mongo-4 and their claims gone; the first three untouched."""
    c = walk.cluster
    c.wait_settled()
    c.wait_until("data-mongo-3 and data-mongo-4 deleted", lambda: len(claims(c)) == 3, timeout=60)
    assert members(c, 3) == walk.state["members"], "a member was restarted"
    assert claims(c) == walk.state["claims"]
    walk.state["sts generation"] = c.get("statefulset", "mongo", "-n", NAMESPACE)["metadata"]["generation"]


def watch_replicas(walk, command):
    return ReplicaWatch(walk.cluster)


def optional_parts(walk, command, result):
    """The Ingress and the autoscaler exist; handing the count to the autoscaler never dropped
    it (the chart keeps the live count: without it, Kubernetes would set 1 for a while); the
    members untouched."""
    no_warnings(result)
    c = walk.cluster
    time.sleep(3)   # a dip, when there is one, follows the upgrade at once: a margin for the watch
    values = walk.state["Ingress and autoscaler"].stop()
    assert values and min(values) == values[0], f"the web tier's replicas went {values} during the upgrade"
    backend = c.get("ingress", "pacman", "-n", NAMESPACE)["spec"]["rules"][0]["http"]["paths"][0]["backend"]
    assert backend["service"] == {"name": "pacman", "port": {"name": "http"}}
    hpa = c.get("hpa", "pacman", "-n", NAMESPACE)
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (2, 10)
    c.wait_until("the autoscaler's minimum of 2 web pods",
                 lambda: c.get("deployment", "pacman", "-n", NAMESPACE)["spec"]["replicas"] >= 2, timeout=60)
    c.wait_settled()
    nothing_restarted(walk, command.text)


def uninstalled(walk, command, result):
    """Gone: every object of the release. Kept: the claims (same UIDs) and the credentials."""
    c = walk.cluster
    for kind in ("statefulsets", "deployments", "services", "poddisruptionbudgets", "networkpolicies",
                 "serviceaccounts", "jobs"):
        left = [o["metadata"]["name"] for o in c.items(kind, "-n", NAMESPACE)
                if o["metadata"]["name"] != "default"]
        assert not left, f"{kind} left after uninstall: {left}"
    assert [m for m in c.items("configmaps", "-n", NAMESPACE) if m["metadata"]["name"] != "kube-root-ca.crt"] == []
    assert not c.items("clusterrole", "-l", "app.kubernetes.io/instance=pacman")
    assert claims(c) == walk.state["claims"], "the claims were not kept"
    assert secrets(c) == walk.state["secrets"], "the credentials were not kept"


def reinstalled(walk, command, result):
    """Installed again: the kept credentials, untouched, and the members on the kept claims."""
    c = walk.cluster
    no_warnings(result)
    assert "Credentials: the ones this release already had" in result.stdout, result.stdout
    c.wait_settled()
    walk.state["members"] = members(c, 3)
    walk.state["sts generation"] = c.get("statefulset", "mongo", "-n", NAMESPACE)["metadata"]["generation"]
    assert claims(c) == walk.state["claims"], "the members are on new claims"
    assert secrets(c) == walk.state["secrets"], "the credentials changed"


def own_secret(walk, command, result):
    """With auth.existingSecret nothing is generated: the only Secret is the user's, and every
    credential the pods use comes from it."""
    c = walk.cluster
    no_warnings(result)
    c.wait_settled()
    members(c, 3)
    assert sorted(secrets(c)) == ["pacman-credentials"]
    text = str(c.get("statefulset", "mongo", "-n", NAMESPACE)) + str(c.get("deployment", "pacman", "-n", NAMESPACE))
    assert "mongo-root" not in text and "mongo-app" not in text and "mongo-keyfile" not in text


def app_rotated(walk, command, result):
    """The web pods moved to the user that was next (same password: the members have had it
    since the install), a new next user with a new password; the administrator and the key file
    unchanged, no member restarted. A second change at once is refused, and changes nothing."""
    c = walk.cluster
    no_warnings(result)
    before = walk.state["secrets"]
    after = secrets(c)
    assert (after["mongo-app"]["username"], after["mongo-app"]["password"]) == \
        (before["mongo-app"]["next-username"], before["mongo-app"]["next-password"]), "not moved to the next user"
    assert (before["mongo-app"]["username"], after["mongo-app"]["username"], after["mongo-app"]["next-username"]) == \
        ("pacman", "pacman-2", "pacman-3")
    assert after["mongo-app"]["next-password"] not in (before["mongo-app"]["password"], before["mongo-app"]["next-password"])
    assert after["mongo-root"] == before["mongo-root"] and after["mongo-keyfile"] == before["mongo-keyfile"]
    annotations = c.get("secret", "mongo-app", "-n", NAMESPACE)["metadata"]["annotations"]
    assert annotations["pacman-k8s.github.io/app-rotation"] == "1"
    c.wait_settled()
    walk.state["secrets"] = after
    nothing_restarted(walk, command.text)
    again = c.shell("helm upgrade pacman ./charts/pacman -n pacman --reuse-values --set auth.appRotation=2")
    assert again.returncode != 0 and "The game's password last changed" in again.stderr, again.stderr
    assert secrets(c) == after


def root_patched(walk, command, result):
    c = walk.cluster
    new = (ROOT / "root-password").read_text().strip()
    assert re.fullmatch(r"[0-9a-f]{48}", new), new
    assert secrets(c)["mongo-root"]["password"] == new


def members_restarted_with_the_new_root_password(walk, command, result):
    """The upgrade keeps the password put in the Secret, and restarts the members (one at a
    time: a rolling update) to give it to them; the game's pods and credentials untouched."""
    c = walk.cluster
    no_warnings(result)
    found = secrets(c)
    assert found["mongo-root"]["password"] == (ROOT / "root-password").read_text().strip()
    assert found["mongo-app"] == walk.state["secrets"]["mongo-app"]
    assert found["mongo-keyfile"] == walk.state["secrets"]["mongo-keyfile"]
    sts = c.get("statefulset", "mongo", "-n", NAMESPACE)
    assert sts["metadata"]["generation"] > walk.state["sts generation"], "the members were not given the password"
    c.wait_settled()
    uids = members(c, 3)
    assert not set(uids.values()) & set(walk.state["members"].values()), "a member kept running on the old password"
    walk.state.update({"secrets": found, "members": uids, "sts generation": sts["metadata"]["generation"]})


def checks() -> list[Check]:
    """What docs/helm.md says, asserted after the commands that should make it so."""
    return [
        Check(INSTALL, "installed: all Ready under restricted, credentials generated", after=installed, occurrence=1),
        Check(r"^helm test pacman -n pacman$", "helm test passed", after=helm_test_passed),
        Check(r"--set web\.replicas=10$", "10 web pods, no member restarted, same credentials", after=web_scaled(10)),
        Check(r"--set web\.replicas=2$", "2 web pods, no member restarted, same credentials", after=web_scaled(2)),
        Check(r"--set mongo\.members=5$", "five members, the first three untouched", after=five_members),
        Check(r"--set mongo\.members=3$", "three members, the extra claims deleted", after=three_members_again),
        Check(r"--set ingress\.enabled=true --set autoscaling\.enabled=true$", "Ingress and autoscaler",
              before=watch_replicas, after=optional_parts),
        Check(UNINSTALL, "uninstalled: claims and credentials kept", after=uninstalled, occurrence=1),
        Check(r"--set auth\.appRotation=1$", "the game's password changed: the next user, no member restarted",
              after=app_rotated),
        Check(r"^kubectl patch secret mongo-root ", "the new administrator's password in its Secret", after=root_patched),
        Check(r"^helm upgrade pacman \./charts/pacman -n pacman --reuse-values$", "members restarted with the new password",
              after=members_restarted_with_the_new_root_password),
        Check(INSTALL, "reinstalled on the kept claims with the same credentials", after=reinstalled, occurrence=2),
        Check(r"--set auth\.existingSecret=pacman-credentials$", "your own Secret, nothing generated", after=own_secret),
    ]


def page_ends_clean(walk):
    assert not walk.cluster.exists("namespace", NAMESPACE), "docs/helm.md leaves namespace pacman behind"


_helm_page = page_test("docs/helm.md", checks=checks, teardown=page_ends_clean, programs=PROGRAMS)


def test_helm_page(cluster, monkeypatch):
    """docs/helm.md: its kubectl and helm commands, literally and in order, on the control plane."""
    monkeypatch.setattr(readme, "classify", without_the_registry(readme.classify))
    try:
        _helm_page(cluster)
    finally:
        (ROOT / "root-password").unlink(missing_ok=True)   # the page's file, if a step failed before its rm


# ---- what the page promises when things go wrong ----

def helm_install(c: Cluster, *extra: str):
    return c.shell("helm install pacman ./charts/pacman -n pacman " + " ".join(extra))


def test_claims_without_their_credentials_are_refused(cluster):
    """The Secrets deleted but the claims kept: a new install would generate credentials the
    old data refuses; it stops instead, saying what to do, and creates nothing."""
    c = cluster
    c.kubectl("create", "namespace", NAMESPACE)
    first = helm_install(c, "--wait", "--timeout", "3m")
    assert first.returncode == 0, first.stderr
    assert c.shell("helm uninstall pacman -n pacman --wait").returncode == 0
    c.kubectl("delete", "secret", "-n", NAMESPACE, *CREDENTIALS)
    again = helm_install(c)
    assert again.returncode != 0, again.stdout
    assert "data-mongo-0 in namespace pacman holds a replica set whose credentials are gone" in again.stderr, again.stderr
    assert "auth.existingSecret" in again.stderr
    assert not c.exists("statefulset", "mongo", "-n", NAMESPACE)
    assert sorted(claims(c)) == ["data-mongo-0", "data-mongo-1", "data-mongo-2"]


def test_helm_does_not_take_over_the_kustomize_install(cluster):
    """One installer per namespace (docs/helm.md, "Clean up"): the chart refuses to install
    over the replica set kustomize made, saying so, and changes nothing."""
    c = cluster
    applied = c.kubectl("apply", "-k", "k8s/overlays/minikube", timeout=120)
    assert "statefulset.apps/mongo created" in applied.stdout
    c.wait_settled()
    before = c.get("statefulset", "mongo", "-n", NAMESPACE)["metadata"]["resourceVersion"]
    result = helm_install(c)
    assert result.returncode != 0, result.stdout
    assert "The StatefulSet mongo in namespace pacman was not made by this release" in result.stderr, result.stderr
    assert c.get("statefulset", "mongo", "-n", NAMESPACE)["metadata"]["resourceVersion"] == before


def test_kustomize_over_the_release_and_back(cluster):
    """What docs/helm.md says `kubectl apply -k` does over a release (the game's pods on the
    kustomize Secrets), and that its commands undo it: the chart's objects back, kustomize's
    extra ones gone."""
    c = cluster
    c.kubectl("create", "namespace", NAMESPACE)
    assert helm_install(c, "--wait", "--timeout", "3m").returncode == 0

    def app_secret():
        env = c.get("deployment", "pacman", "-n", NAMESPACE)["spec"]["template"]["spec"]["containers"][0]["env"]
        return {e["valueFrom"]["secretKeyRef"]["name"] for e in env if e["name"].startswith("MONGO_AUTH_")}

    assert app_secret() == {"mongo-app"}
    c.kubectl("apply", "-k", "k8s/overlays/minikube", check=False, timeout=120)
    assert app_secret() != {"mongo-app"}, "kubectl apply -k left the release's Deployment alone"
    page = PAGE.read_text()
    undo = [re.sub(r"\s+", " ", m) for m in re.findall(r"`((?:helm upgrade|kubectl delete) [^`]*(?:force-conflicts|kustomize|node-reader)[^`]*)`", page)]
    assert len(undo) == 3, undo
    for command in undo:
        result = c.shell(command)
        assert result.returncode == 0, f"{command}: {result.stderr}"
    assert app_secret() == {"mongo-app"}
    names = {s["metadata"]["name"] for s in c.items("secrets", "-n", NAMESPACE) if s.get("type") == "Opaque"}
    assert names == set(CREDENTIALS), names
    assert not c.exists("clusterrole", "pacman-node-reader")
    c.wait_settled()


# ---- docs/backup-restore.md, "With Helm": the backup recipes as values ----

BACKUP_PAGE = ROOT / "docs" / "backup-restore.md"
COMPONENTS = ROOT / "k8s" / "components"
VELERO_CRDS = ("velero.io_schedules.yaml", "velero.io_backups.yaml")
# Kanister's Go module is not served here (tests/backup/test_recipes.py says so), nor its CRD: a
# stand-in with the names, group, version and scope of Kanister's (blueprints.cr.kanister.io,
# namespaced), that keeps whatever it is given. It shows what the chart does when the CRD is or
# is not there; the Blueprint itself is checked against Kanister's types offline.
KANISTER_CRD = {
    "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
    "metadata": {"name": "blueprints.cr.kanister.io"},
    "spec": {"group": "cr.kanister.io", "scope": "Namespaced",
             "names": {"kind": "Blueprint", "listKind": "BlueprintList", "plural": "blueprints", "singular": "blueprint"},
             "versions": [{"name": "v1alpha1", "served": True, "storage": True, "schema": {"openAPIV3Schema": {
                 "type": "object", "x-kubernetes-preserve-unknown-fields": True}}}]}}
TOOL_NAMESPACES = ("velero", "kasten-io")


def velero_hook_annotations() -> dict[str, str]:
    """The pod annotations k8s/components/velero puts on the members."""
    import yaml
    patch = yaml.safe_load((COMPONENTS / "velero" / "hooks.yaml").read_text())
    return patch["spec"]["template"]["metadata"]["annotations"]


def release_objects(c: Cluster) -> dict[str, str]:
    """Every object of the release in namespace pacman but its pods (and the claims, which are
    the StatefulSet's), with what a change of it moves (kube.generations)."""
    kinds = "statefulsets,deployments,services,configmaps,secrets,serviceaccounts,poddisruptionbudgets,networkpolicies"
    return generations([o for o in c.items(kinds, "-n", NAMESPACE, "-l", "app.kubernetes.io/instance=pacman")])


def web_pods(c: Cluster) -> dict[str, str]:
    return {p["metadata"]["name"]: p["metadata"]["uid"]
            for p in c.items("pods", "-n", NAMESPACE, "-l", "app.kubernetes.io/name=pacman,app.kubernetes.io/component=web")}


def recipe_state(walk) -> None:
    """What the next check compares with: the members, the web pods, every object's generation."""
    c = walk.cluster
    walk.state.update(members=members(c, 3), web=web_pods(c), objects=release_objects(c), secrets=secrets(c))


def restarted_only(walk, what: str, members_restarted: bool, changed: set[str]) -> None:
    """The members restarted (every one, on its own claim) or not at all; the web pods the same;
    of the release's objects, exactly `changed` changed; the credentials the same."""
    c = walk.cluster
    c.wait_settled()
    uids = members(c, 3)
    if members_restarted:
        assert not set(uids.values()) & set(walk.state["members"].values()), f"{what}: a member kept running"
    else:
        assert uids == walk.state["members"], f"{what}: a member was restarted"
    assert web_pods(c) == walk.state["web"], f"{what}: a web pod was restarted"
    before, after = walk.state["objects"], release_objects(c)
    moved = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    assert moved == changed, f"{what}: changed {sorted(moved)}, expected {sorted(changed)}"
    assert secrets(c) == walk.state["secrets"], f"{what}: the credentials changed"
    assert claims(c) == walk.state["claims"], f"{what}: the members are on other claims"
    recipe_state(walk)


def tool_objects(c: Cluster) -> set[str]:
    return {f"{o['kind']}/{o['metadata']['namespace']}/{o['metadata']['name']}"
            for o in c.items("schedules.velero.io,blueprints.cr.kanister.io", "-A")}


STS, SCRIPTS = "StatefulSet/pacman/mongo", "ConfigMap/pacman/mongo-bootstrap"


def velero_on(walk, command, result):
    """The members restarted once, onto the scripts with the hook (as k8s/ has it) and with
    Velero's hooks on their pods, as the component sets them; the web pods and every other
    object untouched; no Schedule yet."""
    c = walk.cluster
    no_warnings(result)
    assert "Velero: pre and post backup hooks on the members." in result.stdout, result.stdout
    restarted_only(walk, command.text, True, {STS, SCRIPTS})
    data = c.get("configmap", "mongo-bootstrap", "-n", NAMESPACE)["data"]
    for name in ("backup-hook.sh", "backup-decide.js"):
        assert data[name] == (COMPONENTS / "backup-hook" / name).read_text(), name
    hooks = velero_hook_annotations()
    for pod in walk.state["members"]:
        annotations = c.get("pod", pod, "-n", NAMESPACE)["metadata"]["annotations"]
        assert {k: annotations.get(k) for k in hooks} == hooks, pod
    assert tool_objects(c) == set()


def schedule_made(walk, command, result):
    """The recipe's Schedule, accepted by Velero's own CRD, in Velero's namespace, for the
    release's namespace, at the time given; nothing in namespace pacman changed."""
    c = walk.cluster
    no_warnings(result)
    assert "a nightly Schedule velero/pacman-nightly" in result.stdout, result.stdout
    restarted_only(walk, command.text, False, set())
    schedule = c.get("schedule.velero.io", "pacman-nightly", "-n", "velero")
    assert schedule["spec"]["schedule"] == "30 2 * * *"
    assert schedule["spec"]["template"]["includedNamespaces"] == [NAMESPACE]
    assert schedule["metadata"]["labels"]["app.kubernetes.io/instance"] == "pacman"
    assert tool_objects(c) == {"Schedule/velero/pacman-nightly"}


def blueprint_made(walk, command, result):
    """The Blueprint in kasten-io, the StatefulSet naming it; the members keep running (their
    scripts have the hook already, and the annotation is the StatefulSet's, not its pods')."""
    c = walk.cluster
    no_warnings(result)
    restarted_only(walk, command.text, False, set())   # an annotation of its own moves no generation
    sts = c.get("statefulset", "mongo", "-n", NAMESPACE)
    assert sts["metadata"]["annotations"]["kanister.kasten.io/blueprint"] == "pacman-mongo"
    blueprint = c.get("blueprint.cr.kanister.io", "pacman-mongo", "-n", "kasten-io")
    freeze = blueprint["actions"]["backupPrehook"]["phases"][0]["args"]
    assert freeze["command"] == ["bash", "/scripts/backup-hook.sh", "freeze"] and freeze["containers"] == "mongod"
    assert [p["args"]["pvc"] for p in blueprint["actions"]["restore"]["phases"]] == [f"data-mongo-{i}" for i in range(3)]
    assert tool_objects(c) == {"Schedule/velero/pacman-nightly", "Blueprint/kasten-io/pacman-mongo"}


def recipes_off(walk, command, result):
    """Off again: the members restarted once more, without the hook or Velero's annotations;
    the Schedule and the Blueprint gone with the release's other objects; the web pods untouched."""
    c = walk.cluster
    no_warnings(result)
    restarted_only(walk, command.text, True, {STS, SCRIPTS})
    assert "backup-hook.sh" not in c.get("configmap", "mongo-bootstrap", "-n", NAMESPACE)["data"]
    for pod in walk.state["members"]:
        annotations = c.get("pod", pod, "-n", NAMESPACE)["metadata"].get("annotations", {})
        assert not [a for a in annotations if "velero.io" in a], pod
    sts = c.get("statefulset", "mongo", "-n", NAMESPACE)
    assert "kanister.kasten.io/blueprint" not in sts["metadata"].get("annotations", {})
    assert tool_objects(c) == set()


def backup_checks() -> list[Check]:
    return [
        Check(r"--set backup\.velero\.enabled=true --wait", "Velero's hooks: the members restarted, nothing else",
              after=velero_on),
        Check(r"--set backup\.velero\.schedule\.enabled=true", "the nightly Schedule in velero, nothing restarted",
              after=schedule_made),
        Check(r"--set backup\.kanister\.enabled=true", "the Blueprint in kasten-io, nothing restarted",
              after=blueprint_made),
        Check(r"--set backup\.velero\.enabled=false", "all off: the members restarted, the tools' objects gone",
              after=recipes_off),
    ]


def install_the_tools(c: Cluster) -> None:
    """Velero's CRDs as tests/cluster/test_backup.py installs them (its pinned Go module), the
    stand-in of Kanister's, and the tools' namespaces."""
    from test_backup import velero_crds
    crds = velero_crds()
    c.kubectl("apply", *[a for name in VELERO_CRDS for a in ("-f", f"{crds}/{name}")])
    c.kubectl("apply", "-f", "-", stdin=json.dumps(KANISTER_CRD))
    c.kubectl("wait", "--for=condition=Established", "crd/schedules.velero.io", "crd/blueprints.cr.kanister.io",
              "--timeout=30s")
    for namespace in TOOL_NAMESPACES:   # test_backup.py's velero may still be going away
        c.kubectl("wait", "--for=delete", f"namespace/{namespace}", "--timeout=90s", check=False)
        c.kubectl("create", "namespace", namespace)


def remove_the_tools(c: Cluster) -> None:
    c.kubectl("delete", "namespace", *TOOL_NAMESPACES, "--ignore-not-found", "--wait=false")
    c.kubectl("delete", "crd", "schedules.velero.io", "backups.velero.io", "blueprints.cr.kanister.io",
              "--ignore-not-found")


def refused_without_the_tools(walk) -> None:
    """After the page: each tool's CRD removed, the value that needs it stops the upgrade with
    the chart's message and changes nothing (the release's revision, every object)."""
    c = walk.cluster
    for crd, values, says in (
            ("schedules.velero.io", "--set backup.velero.enabled=true --set backup.velero.schedule.enabled=true",
             "backup.velero.schedule.enabled: this cluster has no velero.io/v1 Schedule"),
            ("blueprints.cr.kanister.io", "--set backup.kanister.enabled=true",
             "backup.kanister.enabled: this cluster has no cr.kanister.io/v1alpha1 Blueprint")):
        c.kubectl("delete", "crd", crd)
        revision = c.shell("helm history pacman -n pacman --max 1 -o json").stdout
        refused = c.shell(f"helm upgrade pacman ./charts/pacman -n pacman --reuse-values {values}")
        assert refused.returncode != 0 and says in refused.stderr, refused.stderr
        assert c.shell("helm history pacman -n pacman --max 1 -o json").stdout == revision
        assert release_objects(c) == walk.state["objects"]


def test_backup_page_with_helm(cluster):
    """docs/backup-restore.md, "With Helm": its helm commands, literally and in order, on a release
    installed as docs/helm.md's step 1 installs it, Velero's CRDs and a stand-in of Kanister's
    there; each upgrade restarts what it must and nothing else. Then the refusals without them.
    (The page's other commands run in tests/cluster/test_backup.py, which skips these.)"""
    c = cluster
    commands = readme.commands_of(BACKUP_PAGE, "With Helm", programs=PROGRAMS)
    assert commands and all(not x.skip for x in commands), [str(x) for x in commands]
    install = readme.commands_of(PAGE, "1. Install", programs=PROGRAMS)
    install_the_tools(c)
    try:
        walk = Walkthrough(c, backup_checks())
        for command in install:
            walk.step(command)
        c.wait_settled()
        walk.state["claims"] = claims(c)
        recipe_state(walk)
        walk.run(commands)
        assert walk.unfired() == [], "checks whose command is gone from docs/backup-restore.md"
        refused_without_the_tools(walk)
    finally:
        remove_the_tools(c)
