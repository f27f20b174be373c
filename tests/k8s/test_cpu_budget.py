"""Everything the walkthrough (docs/kubernetes.md) starts fits its minikube, step by step: the
CPU and memory requests of minikube's own pods (control plane, DNS, the addons it enables), of
the manifests as it applies them, scaled as far as it scales them, and of the load test Job,
against the node its `minikube start` makes. A pod whose requests do not fit stays Pending, as
the load test once did on a 2-CPU minikube.

The walkthrough is read, not copied: its `minikube start` line (CPUs, memory, addons), the
addons it enables later, `--cni=calico`, its `kubectl scale` commands and whether it starts the
load test. The requests of minikube's own pods are facts about minikube (below, with where they
come from); everything of ours is rendered from k8s/.
"""

import math
import re

import manifests

WALKTHROUGH = manifests.MINIKUBE_DOC

# CPU (millicores) and memory (MiB) requests of what minikube runs by itself, from the
# manifests that create them: kubeadm's static pods and CoreDNS, minikube's addon manifests
# (deploy/addons/*), Calico's calico-node DaemonSet. Pods without requests count 0:
# kube-proxy, storage-provisioner, the CSI hostpath driver's pods, the snapshot controller.
CLUSTER = {
    "kube-apiserver": (250, 0), "kube-controller-manager": (200, 0), "kube-scheduler": (100, 0),
    "etcd": (100, 100), "coredns": (100, 70),
}
ADDONS = {
    "csi-hostpath-driver": (0, 0), "volumesnapshots": (0, 0), "storage-provisioner": (0, 0),
    "default-storageclass": (0, 0),
    "ingress": (100, 90),           # ingress-nginx-controller
    "metrics-server": (100, 200),
}
CALICO = (250, 0)                   # calico-node, one per node
EVICTION_MIB = 100                  # the kubelet's default hard eviction threshold (memory.available)


def quantity(value, memory=False) -> float:
    """A Kubernetes quantity as millicores, or as MiB with memory."""
    text = str(value)
    if memory:
        units = {"Ki": 1 / 1024, "Mi": 1, "Gi": 1024, "K": 1000 / 1048576, "M": 1e6 / 1048576, "G": 1e9 / 1048576}
        for suffix, factor in units.items():
            if text.endswith(suffix):
                return float(text[: -len(suffix)]) * factor
        return float(text) / 1048576
    return float(text[:-1]) if text.endswith("m") else float(text) * 1000


def pod_requests(spec: dict) -> tuple[float, float]:
    """What the scheduler reserves for a pod: the containers' sum, or the largest init container."""
    def req(c, memory):
        return quantity(((c.get("resources") or {}).get("requests") or {}).get("memory" if memory else "cpu", 0), memory)
    result = []
    for memory in (False, True):
        containers = sum(req(c, memory) for c in spec.get("containers", []))
        inits = max((req(c, memory) for c in spec.get("initContainers", []) or []), default=0)
        result.append(max(containers, inits))
    return tuple(result)


def readme() -> dict:
    """What the walkthrough's commands say about the cluster and the steps."""
    text = WALKTHROUGH.read_text()
    start = re.search(r"^minikube start (.*)$", text, re.M)
    assert start, "the walkthrough has no `minikube start` line"
    flags = start.group(1)
    cpus = int(re.search(r"--cpus[= ](\d+)", flags).group(1))
    memory = quantity(re.search(r"--memory[= ](\d+)([gm])", flags, re.I).group(1) + {
        "g": "Gi", "m": "Mi"}[re.search(r"--memory[= ]\d+([gm])", flags, re.I).group(1).lower()], memory=True)
    addons = set(re.search(r"--addons[= ](\S+)", flags).group(1).split(",")) if "--addons" in flags else set()
    later = set(re.findall(r"minikube (?:-p \S+ )?addons enable ([a-z0-9-]+)", text)) - addons
    scale = lambda kind, name: max([int(n) for n in re.findall(  # noqa: E731
        rf"kubectl scale {kind} {name} --replicas[= ](\d+)", text)], default=0)
    return {"cpus": cpus, "memory_mib": memory, "addons": addons, "later_addons": later,
            "calico": "--cni=calico" in text, "web_replicas": scale("deployment", "pacman"),
            "members": scale("statefulset", "mongo"), "loadtest": "kubectl apply -k k8s/loadtest" in text}


def steps() -> list[tuple[str, float, float]]:
    """(step, CPU millicores, memory MiB) the cluster has reserved once the step is done."""
    doc = readme()
    app = manifests.render(manifests.K8S / "overlays" / "minikube")
    total_cpu = total_mem = 0.0
    out = []

    def add(step, cpu, mem):
        nonlocal total_cpu, total_mem
        total_cpu += cpu
        total_mem += mem
        out.append((step, total_cpu, total_mem))

    add("minikube start: control plane and DNS", sum(c for c, _ in CLUSTER.values()), sum(m for _, m in CLUSTER.values()))
    for addon in sorted(doc["addons"]):
        add(f"  addon {addon}", *ADDONS[addon])
    web = manifests.find(app, *manifests.WEB)[0]
    sts = manifests.find(app, *manifests.MONGO)[0]
    web_pod, member_pod = pod_requests(manifests.pod_spec(web)), pod_requests(manifests.pod_spec(sts))
    for obj in manifests.workloads(app):
        replicas = obj[0]["spec"].get("replicas", 1)
        cpu, mem = pod_requests(obj[1])
        add(f"kubectl apply -k k8s/overlays/minikube: {manifests.name_of(obj[0])} x{replicas}", cpu * replicas, mem * replicas)
    web_now = web["spec"]["replicas"]
    if doc["web_replicas"] > web_now:
        extra = doc["web_replicas"] - web_now
        add(f"kubectl scale deployment pacman --replicas={doc['web_replicas']}", web_pod[0] * extra, web_pod[1] * extra)
        web_now = doc["web_replicas"]
    surge = web["spec"]["strategy"]["rollingUpdate"]["maxSurge"]
    surge_pods = math.ceil(web_now * int(surge.rstrip("%")) / 100) if str(surge).endswith("%") else int(surge)
    add(f"a rolling update of {web_now} web pods (maxSurge {surge}: {surge_pods} extra for a while)",
        web_pod[0] * surge_pods, web_pod[1] * surge_pods)
    if doc["members"] > sts["spec"]["replicas"]:
        extra = doc["members"] - sts["spec"]["replicas"]
        add(f"kubectl scale statefulset mongo --replicas={doc['members']}", member_pod[0] * extra, member_pod[1] * extra)
    for addon in sorted(doc["later_addons"]):
        add(f"minikube addons enable {addon}", *ADDONS[addon])
    if doc["calico"]:
        add("--cni=calico (the walkthrough's NetworkPolicy note)", *CALICO)
    if doc["loadtest"]:
        for obj, spec in manifests.workloads(manifests.render(manifests.K8S / "loadtest")):
            add(f"kubectl apply -k k8s/loadtest: {manifests.name_of(obj)}", *pod_requests(spec))
    return out


def test_the_readme_names_a_cluster_size_and_every_addon_is_known():
    doc = readme()
    assert doc["cpus"] > 0 and doc["memory_mib"] > 0
    assert doc["addons"] | doc["later_addons"] <= set(ADDONS), doc


def test_every_step_of_the_readme_fits_its_minikube(capsys):
    doc = readme()
    cpu_limit, mem_limit = doc["cpus"] * 1000, doc["memory_mib"] - EVICTION_MIB
    table = steps()
    with capsys.disabled():
        print(f"\nrequests after each walkthrough step, on minikube --cpus={doc['cpus']} "
              f"--memory={doc['memory_mib']:.0f}Mi (allocatable {cpu_limit}m, {mem_limit:.0f}Mi):")
        for step, cpu, mem in table:
            flag = "ok" if cpu <= cpu_limit and mem <= mem_limit else "DOES NOT FIT"
            print(f"  {cpu:6.0f}m {mem:6.0f}Mi  {flag:12s} {step}")
    over = [(s, c, m) for s, c, m in table if c > cpu_limit or m > mem_limit]
    assert not over, f"does not fit minikube --cpus={doc['cpus']} --memory={doc['memory_mib']:.0f}Mi: {over[0]}"


def test_a_2_cpu_minikube_would_not_fit():
    """The issue's cluster (--cpus=2) cannot hold the walkthrough's steps: the check is not vacuous."""
    worst = max(cpu for _, cpu, _ in steps())
    assert 2000 < worst, worst
