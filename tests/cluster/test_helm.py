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
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

import readme
from kube import NAMESPACE, ROOT, Cluster, ReplicaWatch
from walkthrough import Check, page_test

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
