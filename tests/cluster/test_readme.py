"""The walkthrough's kubectl commands, literally and in their order, on a real control plane.

docs/kubernetes.md runs from its first command to its clean-up, the load test of step 11
included; the README's quick path ("Play it on minikube") runs on its own, and must be the
walkthrough's own commands. Which commands run and which are skipped, and why: readme.py.
Checks attached to commands (walkthrough.py) assert what the page says happens there.
"""

from __future__ import annotations

import json
import time

import readme
from kube import NAMESPACE, ReplicaWatch
from walkthrough import Check, page_test

STEP_4 = readme.STEP_4
CLEAN_UP = readme.CLEAN_UP


# ---- checks attached to the walkthrough's commands ----

def storage_class_is_default(walk, command, result):
    sc = walk.cluster.get("storageclass", "csi-hostpath-sc")
    assert sc["metadata"]["annotations"]["storageclass.kubernetes.io/is-default-class"] == "true"


def members_on_their_claims(walk, members: int = 3) -> dict[str, str]:
    """mongo-0..N-1 Running and Ready, each on its claim data-mongo-N, Bound to a volume of
    csi-hostpath-sc, and no other claim; the web tier's pods ready. Returns the claims' UIDs."""
    c = walk.cluster
    names = [f"mongo-{i}" for i in range(members)]
    pods = {p["metadata"]["name"]: p for p in c.items("pods", "-n", NAMESPACE, "-l", "app.kubernetes.io/name=mongo")}
    assert sorted(pods) == names, f"members: {sorted(pods)}"
    claims = {p["metadata"]["name"]: p for p in c.items("pvc", "-n", NAMESPACE)}
    assert sorted(claims) == [f"data-{m}" for m in names], f"claims: {sorted(claims)}"
    uids = {}
    for name, pod in pods.items():
        assert pod["status"]["phase"] == "Running", f"{name}: {pod['status']['phase']}"
        ready = {x["type"]: x["status"] for x in pod["status"]["conditions"]}
        assert ready.get("Ready") == "True", f"{name} not Ready: {ready}"
        volumes = [v["persistentVolumeClaim"]["claimName"] for v in pod["spec"]["volumes"] if "persistentVolumeClaim" in v]
        assert volumes == [f"data-{name}"], f"{name} mounts claims {volumes}"
        claim = claims[f"data-{name}"]
        assert claim["status"]["phase"] == "Bound", f"data-{name}: {claim['status']}"
        assert claim["spec"]["storageClassName"] == "csi-hostpath-sc"
        pv = c.get("pv", claim["spec"]["volumeName"])
        assert pv["spec"]["storageClassName"] == "csi-hostpath-sc" and pv["status"]["phase"] == "Bound"
        uids[f"data-{name}"] = claim["metadata"]["uid"]
    web = c.get("deployment", "pacman", "-n", NAMESPACE)
    assert web["status"].get("readyReplicas") == web["spec"]["replicas"], web["status"]
    return uids


def record_claims(walk, command, result):
    walk.state["claims"] = members_on_their_claims(walk)
    web = walk.cluster.get("deployment", "pacman", "-n", NAMESPACE)
    assert web["spec"]["replicas"] == 2, web["spec"]


def five_members(walk, command, result):
    """Scaled up: mongo-3 and mongo-4 on new claims of their own; the first three unchanged."""
    walk.cluster.wait_settled()
    uids = members_on_their_claims(walk, 5)
    assert {k: uids[k] for k in walk.state["claims"]} == walk.state["claims"]


def three_members_again(walk, command, result):
    """Scaled down: mongo-3 and mongo-4 gone, and their claims and volumes with them (the
    StatefulSet's whenScaled: Delete); the first three on the claims they had."""
    c = walk.cluster
    c.wait_settled()
    c.wait_until("data-mongo-3 and data-mongo-4 deleted",
                 lambda: len(c.items("pvc", "-n", NAMESPACE)) == 3, timeout=60)
    c.wait_until("their volumes deleted", lambda: len(c.items("pv")) == 3, timeout=60)
    assert members_on_their_claims(walk, 3) == walk.state["claims"]


def ten_web_pods(walk, command, result):
    c = walk.cluster
    c.wait_settled()
    pods = c.items("pods", "-n", NAMESPACE, "-l", "app.kubernetes.io/name=pacman")
    ready = [p for p in pods if p["status"]["phase"] == "Running"
             and {x["type"]: x["status"] for x in p["status"]["conditions"]}.get("Ready") == "True"]
    assert len(pods) == len(ready) == 10, f"{len(ready)} of {len(pods)} web pods ready"


def mongo_0_before(walk, command):
    pod = walk.cluster.get("pod", "mongo-0", "-n", NAMESPACE)
    return pod["metadata"]["uid"]


def mongo_0_back(walk, command, result):
    """The StatefulSet recreates mongo-0: a new pod (new UID), same name, same claim."""
    c = walk.cluster
    old_uid = walk.state["mongo-0 recreated on its claim"]

    def recreated():
        pod = c.get("pod", "mongo-0", "-n", NAMESPACE)
        ready = {x["type"]: x["status"] for x in pod.get("status", {}).get("conditions", [])}
        return pod if pod["metadata"]["uid"] != old_uid and ready.get("Ready") == "True" else None

    pod = c.wait_until("mongo-0 back with a new UID and Ready", recreated, timeout=90)
    claims = [v["persistentVolumeClaim"]["claimName"] for v in pod["spec"]["volumes"] if "persistentVolumeClaim" in v]
    assert claims == ["data-mongo-0"], claims
    claim = c.get("pvc", "data-mongo-0", "-n", NAMESPACE)
    assert claim["metadata"]["uid"] == walk.state["claims"]["data-mongo-0"], "data-mongo-0 is a new claim"
    assert claim["status"]["phase"] == "Bound"
    c.wait_settled()


def ingress_routes_to_the_game(walk, command, result):
    ing = walk.cluster.get("ingress", "pacman", "-n", NAMESPACE)
    backend = ing["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend == {"name": "pacman", "port": {"name": "http"}}, backend


def web_back_to_two(walk, command, result):
    """The walkthrough: applying an overlay without the autoscaler sets the count back to 2."""
    assert walk.cluster.get("deployment", "pacman", "-n", NAMESPACE)["spec"]["replicas"] == 2


def watch_replicas(walk, command):
    return ReplicaWatch(walk.cluster)


def no_dip(name):
    def after(walk, command, result):
        time.sleep(3)   # the dip, when there is one, is the apply itself; a margin for the watch
        values = walk.state[name].stop()
        assert values and min(values) == values[0], \
            f"the web tier's replicas went {values[0]} -> {min(values)} while applying (all: {values})"
        walk.cluster.log(f"         spec.replicas seen during the apply: {values}")
    return after


def handed_off(walk, command, result):
    c = walk.cluster
    web = c.get("deployment", "pacman", "-n", NAMESPACE)
    applied = json.loads(web["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"])
    assert "replicas" not in applied["spec"], "last-applied-configuration still has spec.replicas"
    assert web["spec"]["replicas"] >= 2, web["spec"]


def autoscaler_owns_the_web_tier(walk, command, result):
    c = walk.cluster
    hpa = c.get("hpa", "pacman", "-n", NAMESPACE)
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "pacman"}
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (2, 10)
    web = c.get("deployment", "pacman", "-n", NAMESPACE)
    applied = json.loads(web["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"])
    assert "replicas" not in applied["spec"]


def claims_kept(walk, command, result):
    """After deleting the workloads the claims stay Bound; applying again (as the page says)
    brings the members back on the same claims. Then back to the page's state."""
    c = walk.cluster
    claims = {p["metadata"]["name"]: p for p in c.items("pvc", "-n", NAMESPACE)}
    assert {k: v["metadata"]["uid"] for k, v in claims.items()} == walk.state["claims"]
    assert all(p["status"]["phase"] == "Bound" for p in claims.values())
    assert not c.exists("statefulset", "mongo", "-n", NAMESPACE) and not c.exists("deployment", "pacman", "-n", NAMESPACE)
    c.log("         applying again, as the page says, finds the claims:")
    step_4 = walk.state["step 4"]
    assert c.shell(step_4.text).returncode == 0
    c.wait_settled()
    assert members_on_their_claims(walk) == walk.state["claims"], "the members came back on new claims"
    for text in walk.state["deletes"]:
        assert c.shell(text).returncode == 0, text
    c.wait_until("the workloads' pods gone", lambda: not c.items("pods", "-n", NAMESPACE), timeout=60)


def nothing_left(walk, command, result):
    c = walk.cluster
    c.wait_until("no PersistentVolume left", lambda: not c.items("pv"), timeout=90)
    c.wait_until("namespace pacman gone", lambda: not c.exists("namespace", NAMESPACE), timeout=90)
    left = c.everything() - walk.state["before"]
    assert not left, f"left behind: {sorted(left)}"
    assert not c.ours(), "objects labelled part-of=pacman are left"


def snapshot_stored(walk, command, result):
    """The walkthrough's VolumeSnapshot, accepted by the addon's CRD: of data-mongo-1, in its class.
    (No snapshot controller runs here: READYTOUSE never turns true.)"""
    snap = walk.cluster.get("volumesnapshot", "data-mongo-1-snapshot", "-n", NAMESPACE)
    assert snap["spec"] == {"source": {"persistentVolumeClaimName": "data-mongo-1"},
                            "volumeSnapshotClassName": "csi-hostpath-snapclass"}, snap["spec"]


def record_deletes(walk, command, result):
    walk.state.setdefault("deletes", []).append(command.text)


def minikube_checks() -> list[Check]:
    return [
        Check(r"^kubectl patch storageclass csi-hostpath-sc", "csi-hostpath-sc is the default class",
              after=storage_class_is_default),
        Check(STEP_4, "mongo-0..2 Ready on claims data-mongo-0..2, Bound; two web pods",
              after=record_claims, occurrence=1),
        Check(r"^kubectl scale deployment pacman --replicas=10", "ten web pods ready", after=ten_web_pods),
        Check(r"^kubectl delete pod mongo-0 ", "mongo-0 recreated on its claim",
              before=mongo_0_before, after=mongo_0_back),
        Check(r"^kubectl apply -n pacman -f - <<'EOF'\n(.*\n)*kind: VolumeSnapshot\n", "the VolumeSnapshot stored",
              after=snapshot_stored),
        Check(r"^kubectl scale statefulset mongo --replicas=5 ", "five members, each on its own claim",
              after=five_members),
        Check(r"^kubectl scale statefulset mongo --replicas=3 ", "three members again, the extra claims deleted",
              after=three_members_again),
        Check(r"^kubectl apply -k k8s/overlays/ingress$", "the Ingress routes to the game",
              after=ingress_routes_to_the_game),
        Check(r"^kubectl apply -k k8s/overlays/ingress$", "the web tier back to its 2 pods", after=web_back_to_two),
        Check(r"set-last-applied", "the replica count handed over: not in last-applied, unchanged",
              after=handed_off),
        Check(r"^kubectl apply -k k8s/overlays/hpa$", "web replicas never dip while the hpa overlay applies",
              before=watch_replicas, after=no_dip("web replicas never dip while the hpa overlay applies")),
        Check(r"^kubectl apply -k k8s/overlays/hpa$", "the autoscaler owns the web tier's count",
              after=autoscaler_owns_the_web_tier),
        Check(r"^kubectl apply -k k8s/overlays/ingress-hpa$", "web replicas never dip with both pieces",
              before=watch_replicas, after=no_dip("web replicas never dip with both pieces")),
        Check(r"^kubectl apply -k k8s/overlays/ingress-hpa$", "Ingress and autoscaler together",
              after=lambda w, c, r: (ingress_routes_to_the_game(w, c, r), autoscaler_owns_the_web_tier(w, c, r))),
        Check(r"^kubectl delete (statefulset mongo|deployment pacman) -n pacman$", "workloads deleted",
              after=record_deletes),
        Check(r"^kubectl get pvc -n pacman +# still Bound", "claims kept, and found again on the next apply",
              after=claims_kept),
        Check(r"^kubectl get pv +# No resources found", "nothing left behind", after=nothing_left),
    ]


def loadtest_checks() -> list[Check]:
    def job_ran(walk, command, result):
        c = walk.cluster
        job = c.wait_until("the load test Job's pod scheduled and run",
                           lambda: (lambda j: j if j.get("status", {}).get("succeeded") else None)(
                               c.get("job", "pacman-loadtest", "-n", NAMESPACE)), timeout=60)
        env = {e["name"]: e.get("value") for e in job["spec"]["template"]["spec"]["containers"][0]["env"]}
        walk.state["scale"] = env["LOAD_TIME_SCALE"]

    def scale_is(value):
        def after(walk, command, result):
            job_ran(walk, command, result)
            assert walk.state["scale"] == value, f"LOAD_TIME_SCALE is {walk.state['scale']!r}, not {value!r}"
        return after

    def web_limit(cpu):
        def after(walk, command, result):
            web = walk.cluster.get("deployment", "pacman", "-n", NAMESPACE)
            assert web["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["cpu"] == cpu
        return after

    def web_replicas(n):
        def after(walk, command, result):
            walk.cluster.wait_settled()
            assert walk.cluster.get("deployment", "pacman", "-n", NAMESPACE)["spec"]["replicas"] == n
        return after

    def as_it_was(walk, command, result):
        web_limit("2")(walk, command, result)
        web_replicas(2)(walk, command, result)

    return [
        Check(r"^kubectl apply -k k8s/loadtest\b", "the Job runs, LOAD_TIME_SCALE 1", after=scale_is("1")),
        Check(r"set resources deployment pacman --limits=cpu=100m", "web CPU limit 100m", after=web_limit("100m")),
        Check(r"scale deployment pacman --replicas=1\b", "one web pod", after=web_replicas(1)),
        Check(r"^kubectl kustomize k8s/loadtest \|", "the Job runs with LOAD_TIME_SCALE 0.05", after=scale_is("0.05")),
        Check(r"scale deployment pacman --replicas=4\b", "four web pods", after=web_replicas(4)),
        Check(r"^kubectl apply -k k8s/overlays/minikube\b", "the web tier as it was: 2 pods, CPU limit 2",
              after=as_it_was, occurrence=2),   # the first is step 4
    ]


def web_back_to_its_two_pods(walk, command, result):
    c = walk.cluster
    c.wait_settled()
    assert c.get("deployment", "pacman", "-n", NAMESPACE)["spec"]["replicas"] == 2


def walkthrough_checks() -> list[Check]:
    checks = minikube_checks() + loadtest_checks()
    checks.insert(3, Check(r"^kubectl scale deployment pacman --replicas=2 ", "back to two web pods",
                           after=web_back_to_its_two_pods))
    return checks


def remember_step_4(walk):
    walk.state["step 4"] = readme.step_4()


test_kubernetes_walkthrough = page_test("docs/kubernetes.md", checks=walkthrough_checks, setup=remember_step_4)


# ---- the README's quick path ----

def quick_path_checks() -> list[Check]:
    return [
        Check(r"^kubectl patch storageclass csi-hostpath-sc ", "csi-hostpath-sc is the default class",
              after=storage_class_is_default),
        Check(STEP_4, "mongo-0..2 Ready on claims data-mongo-0..2 of csi-hostpath-sc, Bound; two web pods",
              after=record_claims),
        Check(r"^kubectl rollout status statefulset/mongo ", "the three members ready",
              after=lambda walk, command, result: members_on_their_claims(walk)),
        Check(r"^kubectl rollout status deployment/pacman ", "the web tier ready", after=web_back_to_its_two_pods),
    ]


def clean_up_as_the_walkthrough_does(walk):
    c = walk.cluster
    c.log("and cleaned up as the walkthrough does:")
    walk.step(readme.clean_up())
    c.wait_until("no PersistentVolume left", lambda: not c.items("pv"), timeout=90)
    c.wait_until("namespace pacman gone", lambda: not c.exists("namespace", NAMESPACE), timeout=90)
    assert c.everything() - walk.state["before"] == set()


def as_minikube_starts(walk):
    """The cluster as `minikube start` leaves it: csi-hostpath-sc there but not the default
    (an earlier test's step 2 made it so), so the quick path's own commands must do it."""
    walk.cluster.kubectl("annotate", "storageclass", "csi-hostpath-sc",
                         "storageclass.kubernetes.io/is-default-class-")


test_readme_quick_path = page_test("README.md", sections=[readme.QUICK_PATH], checks=quick_path_checks,
                                   setup=as_minikube_starts, teardown=clean_up_as_the_walkthrough_does)


def test_the_quick_path_is_the_walkthroughs_own_commands():
    """The README's commands are the walkthrough's, word for word and in the same order, so
    that the two cannot drift apart (and the CPU budget of tests/k8s holds for both)."""
    steps = [c.text for c in readme.walkthrough()]
    position = -1
    for command in readme.quick_path():
        assert command.text in steps, f"{command} is not a command of docs/kubernetes.md"
        assert steps.index(command.text) > position, f"{command} comes earlier in docs/kubernetes.md"
        position = steps.index(command.text)
    assert len(readme.quick_path()) >= 5
