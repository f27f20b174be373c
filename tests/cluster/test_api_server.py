"""What the real API server does with the manifests, beyond the walkthrough's own commands: Pod
Security admission in the namespace, RBAC for the web pods' service account, the StatefulSet's
immutable volume templates, and why the hpa overlay needs its hand-over.

Each test starts from the game deployed as step 4 of the walkthrough (docs/kubernetes.md) does, and
the module ends with its clean-up command."""

from __future__ import annotations

import json
import re
import time

import pytest

import readme
from kube import NAMESPACE, ReplicaWatch

WEB_ACCOUNT = f"system:serviceaccount:{NAMESPACE}:pacman"
# The namespace's default account has the groups every service account there has, and no
# binding of ours: what the web pods' account may do beyond it is what the manifests grant.
BASELINE_ACCOUNT = f"system:serviceaccount:{NAMESPACE}:default"

PRIVILEGED_POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: privileged
spec:
  containers:
    - name: pacman
      image: pacman:local
      securityContext:
        privileged: true
"""


STEP_2 = r"^kubectl patch storageclass csi-hostpath-sc"


@pytest.fixture(scope="module")
def deployed(cluster):
    commands = readme.walkthrough()
    step_2 = readme.only(commands, STEP_2, "that makes csi-hostpath-sc the default class")
    step_4 = readme.only(commands, readme.STEP_4, "that deploys the game on minikube")
    clean_up = readme.only(commands, readme.CLEAN_UP, "that deletes everything")
    cluster.remove_the_game()
    result = cluster.shell(step_2.text)  # the claims name no class: they take the default
    assert result.returncode == 0, result.stderr
    result = cluster.shell(step_4.text)
    assert result.returncode == 0, result.stderr
    cluster.wait_settled()
    yield
    result = cluster.shell(clean_up.text)
    assert result.returncode == 0, result.stderr
    cluster.wait_until("no PersistentVolume left", lambda: not cluster.items("pv"), timeout=90)


def test_pod_security_refuses_a_privileged_pod_in_the_namespace(cluster, deployed):
    refused = cluster.kubectl("apply", "-n", NAMESPACE, "-f", "-", stdin=PRIVILEGED_POD, check=False)
    assert refused.returncode != 0
    assert 'violates PodSecurity "restricted:latest"' in refused.stderr, refused.stderr
    assert "privileged" in refused.stderr, refused.stderr
    assert not cluster.exists("pod", "privileged", "-n", NAMESPACE)
    # The same pod where no Pod Security level is enforced is admitted: the refusal above is
    # the namespace's label at work, not some other rule.
    admitted = cluster.kubectl("apply", "-n", "default", "-f", "-", stdin=PRIVILEGED_POD, check=False)
    try:
        assert admitted.returncode == 0, admitted.stderr
    finally:
        cluster.kubectl("delete", "pod", "privileged", "-n", "default", "--ignore-not-found")


def can_i(cluster, *args: str) -> str:
    result = cluster.kubectl("auth", "can-i", *args, f"--as={WEB_ACCOUNT}", check=False)
    return result.stdout.strip()


def rules(cluster, account: str) -> set[str]:
    """`kubectl auth can-i --list` as account, one normalized row per rule."""
    out = cluster.kubectl("auth", "can-i", "--list", "-n", NAMESPACE, f"--as={account}").stdout
    rows = out.strip().splitlines()
    assert rows and rows[0].split()[0] == "Resources", out
    return {" ".join(row.split()) for row in rows[1:]}


def test_web_pods_may_get_nodes_and_nothing_else(cluster, deployed):
    assert can_i(cluster, "get", "nodes") == "yes"
    assert can_i(cluster, "get", "node/node-0") == "yes"
    for args in (("list", "nodes"), ("watch", "nodes"), ("patch", "nodes"), ("delete", "nodes"),
                 ("get", "pods", "-n", NAMESPACE), ("list", "secrets", "-n", NAMESPACE),
                 ("get", "secrets", "-n", NAMESPACE), ("get", "configmaps", "-n", NAMESPACE),
                 ("create", "pods", "-n", NAMESPACE), ("create", "pods/exec", "-n", NAMESPACE),
                 ("update", "deployments", "-n", NAMESPACE), ("get", "persistentvolumes"),
                 ("list", "pods", "-A"), ("*", "*")):
        assert can_i(cluster, *args) == "no", f"the web pods may {' '.join(args)}"
    extra = rules(cluster, WEB_ACCOUNT) - rules(cluster, BASELINE_ACCOUNT)
    assert extra == {"nodes [] [] [get]"}, f"the web pods' account may do more than get nodes: {extra}"


def test_every_entry_point_applies_over_every_other(cluster, deployed):
    """Issue 21, defect 9: k8s/ applied over the minikube overlay used to be refused (the
    overlay's claim template named a storage class, and a StatefulSet's claim templates cannot
    change). Now every entry point renders the same claim template: k8s/ applies over step 4 for
    real (the StatefulSet's spec unchanged: same generation), and every overlay over that."""
    sts = cluster.get("statefulset", "mongo", "-n", NAMESPACE)
    applied = cluster.kubectl("apply", "-k", "k8s/", check=False)
    assert applied.returncode == 0, applied.stderr
    assert cluster.get("statefulset", "mongo", "-n", NAMESPACE)["metadata"]["generation"] == sts["metadata"]["generation"]
    for overlay in ("minikube", "ingress", "hpa", "ingress-hpa"):
        cluster.kubectl("apply", "-k", f"k8s/overlays/{overlay}", "--dry-run=server")
    result = cluster.shell("kubectl apply -k k8s/overlays/minikube")
    assert result.returncode == 0, result.stderr


def test_a_statefulset_of_the_old_overlay_is_refused_once_then_adopted(cluster, deployed):
    """A cluster deployed before defect 9's fix has a claim template naming csi-hostpath-sc. The
    apply of today's manifests is refused with the API server's message, and what
    k8s/overlays/minikube/kustomization.yaml says to do about it works: delete the StatefulSet
    with --cascade=orphan (pods and claims stay), apply again, and the new StatefulSet adopts
    the same pods and claims."""
    old = cluster.get("statefulset", "mongo", "-n", NAMESPACE)
    pods = {p["metadata"]["name"]: p["metadata"]["uid"] for p in cluster.items("pods", "-n", NAMESPACE, "-l", "app.kubernetes.io/name=mongo")}
    claims = {c["metadata"]["name"]: c["metadata"]["uid"] for c in cluster.items("pvc", "-n", NAMESPACE)}
    cluster.kubectl("delete", "statefulset", "mongo", "-n", NAMESPACE, "--cascade=orphan")
    older = {k: v for k, v in old.items() if k != "status"}
    older["metadata"] = {k: v for k, v in old["metadata"].items() if k in ("name", "namespace", "labels")}
    older["spec"]["volumeClaimTemplates"][0]["spec"]["storageClassName"] = "csi-hostpath-sc"
    cluster.kubectl("apply", "-f", "-", stdin=json.dumps(older))
    try:
        refused = cluster.kubectl("apply", "-k", "k8s/overlays/minikube", check=False)
        assert refused.returncode != 0
        assert "Forbidden: updates to statefulset spec for fields other than" in refused.stderr, refused.stderr
        cluster.kubectl("delete", "statefulset", "mongo", "-n", NAMESPACE, "--cascade=orphan")
        result = cluster.shell("kubectl apply -k k8s/overlays/minikube")
        assert result.returncode == 0, result.stderr
        cluster.wait_settled()
        assert {p["metadata"]["name"]: p["metadata"]["uid"]
                for p in cluster.items("pods", "-n", NAMESPACE, "-l", "app.kubernetes.io/name=mongo")} == pods
        assert {c["metadata"]["name"]: c["metadata"]["uid"] for c in cluster.items("pvc", "-n", NAMESPACE)} == claims
    finally:
        if cluster.kubectl("apply", "-k", "k8s/overlays/minikube", check=False).returncode != 0:
            cluster.kubectl("delete", "statefulset", "mongo", "-n", NAMESPACE, "--cascade=orphan")
            cluster.kubectl("apply", "-k", "k8s/overlays/minikube")
        cluster.wait_settled()


def test_without_the_hand_over_the_hpa_overlay_drops_the_web_tier_to_one_pod(cluster, deployed):
    """What the walkthrough's hand-over (step 12) prevents, seen on the API server: applying the hpa
    overlay straight after `kubectl scale` sets the Deployment to 1 replica. This is also the
    proof that the walkthrough test's replica watch sees a dip when there is one."""
    commands = readme.walkthrough()
    scale = readme.only(commands, r"^kubectl scale deployment pacman --replicas=10", "that scales to ten")
    hpa = readme.only(commands, r"^kubectl apply -k k8s/overlays/hpa$", "that applies the hpa overlay")
    assert cluster.shell(scale.text).returncode == 0
    cluster.wait_settled()
    watch = ReplicaWatch(cluster)
    applied = cluster.shell(hpa.text)
    time.sleep(2)
    values = watch.stop()
    assert applied.returncode == 0, applied.stderr
    assert values[0] == 10 and 1 in values, f"spec.replicas during the apply: {values}"
    # Back to the state the other tests expect: no autoscaler, the manifests' count.
    cluster.kubectl("delete", "hpa", "pacman", "-n", NAMESPACE)
    step_4 = readme.only(commands, readme.STEP_4, "that deploys the game on minikube")
    assert cluster.shell(step_4.text).returncode == 0
    cluster.wait_settled()


def test_every_manifest_apply_is_accepted_by_strict_server_side_validation(cluster, deployed):
    """Unknown or duplicated fields are errors on the server (what `kubectl apply` does by
    default since 1.27 is warn or fail; here: fail), for every overlay and the load test."""
    for target in ("k8s/overlays/minikube", "k8s/overlays/ingress", "k8s/overlays/hpa",
                   "k8s/overlays/ingress-hpa", "k8s/loadtest"):
        result = cluster.kubectl("apply", "-k", target, "--dry-run=server", "--validate=strict", check=False)
        assert result.returncode == 0, f"{target}: {result.stderr}"
        assert not re.search(r"Warning", result.stderr), f"{target}: {result.stderr}"


# ---- mistakes the API server itself catches (the offline checks of these were dropped) ----

def rendered(cluster, target: str = "k8s/overlays/minikube") -> list[dict]:
    """The objects `kubectl apply -k target` would send, as JSON (kubectl's own kustomize)."""
    result = cluster.shell(f"kubectl kustomize {target} | kubectl create --dry-run=client -o json -f -")
    assert result.returncode == 0, result.stderr
    decoder, text, objects = json.JSONDecoder(), result.stdout, []
    while text.strip():   # one JSON document per object, one after the other
        obj, end = decoder.raw_decode(text.lstrip())
        objects.append(obj)
        text = text.lstrip()[end:]
    return objects


def find(objects, kind, name):
    return next(o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name)


def web_container(objects):
    return find(objects, "Deployment", "pacman")["spec"]["template"]["spec"]["containers"][0]


def privilege_escalation_allowed(objects):
    del web_container(objects)["securityContext"]["allowPrivilegeEscalation"]


def root_user(objects):
    spec = find(objects, "StatefulSet", "mongo")["spec"]["template"]["spec"]
    spec["securityContext"]["runAsUser"] = 0
    del spec["securityContext"]["runAsNonRoot"]


def capabilities_kept(objects):
    del web_container(objects)["securityContext"]["capabilities"]


def template_label_changed(objects):
    labels = find(objects, "Deployment", "pacman")["spec"]["template"]["metadata"]["labels"]
    labels["app.kubernetes.io/component"] = "frontend"


def misspelled_field(objects):
    port = web_container(objects)["ports"][0]
    port["containerPrt"] = port.pop("containerPort")


def wrong_namespace(objects):
    find(objects, "Service", "pacman")["metadata"]["namespace"] = "pacmna"


MISTAKES = [
    # (change, what the API server says: in a warning of an accepted apply, or in the refusal)
    (privilege_escalation_allowed, 'would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false'),
    (root_user, 'would violate PodSecurity "restricted:latest"'),
    (capabilities_kept, 'unrestricted capabilities (container "pacman" must set securityContext.capabilities.drop=["ALL"])'),
    (template_label_changed, "`selector` does not match template `labels`"),
    (misspelled_field, 'unknown field "containerPrt"'),
    (wrong_namespace, 'namespaces "pacmna" not found'),
]


@pytest.mark.parametrize("change,expected", MISTAKES, ids=[m[0].__name__ for m in MISTAKES])
def test_mistake_is_caught_by_the_api_server(cluster, deployed, change, expected):
    """Each mistake made on purpose in what step 4 applies is refused, or warned about, by the
    real API server (a dry run: nothing changes). The walkthrough test fails on any warning."""
    objects = rendered(cluster)
    assert cluster.kubectl("apply", "--dry-run=server", "-f", "-",
                           stdin=json.dumps({"apiVersion": "v1", "kind": "List", "items": objects})).stderr == ""
    change(objects)
    result = cluster.kubectl("apply", "--dry-run=server", "--validate=strict", "-f", "-", check=False,
                             stdin=json.dumps({"apiVersion": "v1", "kind": "List", "items": objects}))
    assert expected in result.stderr, f"{change.__name__} not caught:\n{result.stderr}"


def test_a_role_beyond_get_nodes_is_seen_by_the_authorizer(cluster, deployed):
    """The can-i comparison above fails when the ClusterRole grants more (then it is put back)."""
    patch = '[{"op": "add", "path": "/rules/0/verbs/-", "value": "list"}]'
    cluster.kubectl("patch", "clusterrole", "pacman-node-reader", "--type=json", "-p", patch)
    try:
        extra = rules(cluster, WEB_ACCOUNT) - rules(cluster, BASELINE_ACCOUNT)
        assert extra == {"nodes [] [] [get list]"}, extra
    finally:
        commands = readme.walkthrough()
        step_4 = readme.only(commands, readme.STEP_4, "that deploys the game on minikube")
        assert cluster.shell(step_4.text).returncode == 0
    assert rules(cluster, WEB_ACCOUNT) - rules(cluster, BASELINE_ACCOUNT) == {"nodes [] [] [get]"}
