"""Offline checks of the Kubernetes manifests in k8s/: what `kubectl apply -k` would send.

Three kinds of check, each a function returning a list of problems (empty = fine), each
problem one line that names the object and says what is wrong:

- schema_problems: every object against the Kubernetes API schemas of every release from 1.27
  to the newest one kubernetes-validate ships, strict (unknown fields rejected); APIs that a
  release no longer serves, and alpha/beta APIs, are problems.
- cross_problems: what neither a schema nor the API server sees: selectors of Services,
  NetworkPolicies, disruption budgets and spread constraints against pod labels, Service and
  probe ports against container ports, the StatefulSet's headless Service and volumes,
  references to Secrets and ConfigMaps (and their keys), the environment against what the
  server reads, the web tier's wiring against the replica set, shutdown timing against the
  grace period, pinned images, requests and limits.
- probe_problems: the web container's HTTP probes asked of the real server binary.

What a real API server decides is checked there instead (tests/cluster, on Kubernetes 1.34):
Pod Security's "restricted" profile (the namespace enforces it), RBAC (the web pods' account
may get nodes and nothing else), a workload's selector against its template's labels.

Used by test_manifests.py (the real manifests) and test_mistakes.py (each mistake class caught).
"""

from __future__ import annotations

import functools
import os
import re
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import jsonschema
import kubernetes_validate
import yaml
from referencing import Registry, Resource

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "k8s"
SERVER_SOURCES = ROOT / "server"
IMAGE_TEST = ROOT / "tests" / "image" / "build.sh"   # the script that builds and tags the image
MINIKUBE_DOC = ROOT / "docs" / "kubernetes.md"  # the minikube walkthrough (the README's quick path is its steps)

# The web tier: the Deployment and its container that run our image.
WEB = ("Deployment", "pacman")
WEB_CONTAINER = "pacman"
MONGO = ("StatefulSet", "mongo")
BOOTSTRAP_CONTAINER = "bootstrap"

# Variables the web container must set for the manifests' own setup to work: the replica set
# (authentication is on), and the node for the cloud/zone lookup.
REQUIRED_WEB_ENV = ("MONGO_REPLICA_SET", "MONGO_AUTH_USER", "MONGO_AUTH_PWD", "MY_NODE_NAME",
                    "MONGO_DATABASE")
SHUTDOWN_MARGIN_SECONDS = 5

# The oldest Kubernetes the manifests support: the StatefulSet's persistentVolumeClaimRetentionPolicy
# is on by default from 1.27 (1.25 and 1.26 drop it without a word). What the docs state.
KUBERNETES_FLOOR = (1, 27)

POD_TEMPLATE_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"}


# ---- rendering ----

def targets() -> dict[str, tuple[Path, ...]]:
    """What users apply, by short name: k8s/ itself, each overlay, and k8s/loadtest, which is
    applied next to the app and so is checked together with it."""
    found = {"default": (K8S,)}
    for path in sorted((K8S / "overlays").glob("*/kustomization.yaml")):
        found[path.parent.name] = (path.parent,)
    if (K8S / "loadtest" / "kustomization.yaml").exists():
        found["default+loadtest"] = (K8S, K8S / "loadtest")
    return found


def kustomize_binary(kubectl: bool = False) -> str:
    """The pinned kustomize, or with kubectl the kustomize 5.0.1 built into kubectl 1.27, the
    oldest release the manifests support."""
    if kubectl:
        return os.environ.get("KUSTOMIZE_KUBECTL", str(ROOT / "build" / "tools" / "kustomize-kubectl"))
    return os.environ.get("KUSTOMIZE", str(ROOT / "build" / "tools" / "kustomize"))


@functools.cache
def render(paths: Path | tuple[Path, ...], kubectl: bool = False) -> tuple:
    """The objects `kustomize build` produces for each path, together, as a tuple of dicts
    (cached; copy to mutate)."""
    docs = []
    for path in (paths,) if isinstance(paths, Path) else paths:
        result = subprocess.run([kustomize_binary(kubectl), "build", str(path)], capture_output=True,
                                text=True, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"kustomize build {path} failed:\n{result.stderr}")
        docs += [doc for doc in yaml.safe_load_all(result.stdout) if doc]
    return tuple(docs)


def name_of(obj: dict) -> str:
    return f"{obj.get('kind')}/{obj.get('metadata', {}).get('name')}"


# ---- schemas ----

def kubernetes_versions() -> list[str]:
    """Every release kubernetes-validate has schemas for, from the floor on (oldest first)."""
    minor = lambda v: tuple(int(p) for p in v.split(".")[:2])  # noqa: E731
    versions = set(kubernetes_validate.utils.all_versions())
    return sorted((v for v in versions if minor(v) >= KUBERNETES_FLOOR), key=minor)


@functools.cache
def strict_validator(kind: str, api_version: str, version: str):
    """A validator for kind in api_version from release version's strict schemas (unknown
    fields rejected), or None when that release does not serve the API. Built the way
    kubernetes_validate.validate() builds it, which stops at the first error; this one lists
    them all, and is cached."""
    api = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    folder = f"kubernetes-json-schema/v{version}-local-strict"
    try:
        schema = kubernetes_validate.utils.schema_contents(f"{folder}/{kind.lower()}-{api}.json", version)
    except FileNotFoundError:
        return None
    definitions = kubernetes_validate.utils.schema_contents(f"{folder}/_definitions.json", version)
    registry = Resource.from_contents(definitions) @ (Resource.from_contents(schema) @ Registry())
    return jsonschema.Draft202012Validator(schema, registry=registry)


def schema_problems(docs, versions=None) -> list[str]:
    problems = []
    for obj in docs:
        api, kind = str(obj.get("apiVersion", "")), str(obj.get("kind", ""))
        if re.search(r"/v\d+(alpha|beta)\d*$", api):
            problems.append(f"{name_of(obj)}: {api} is not a GA API")
        for version in versions or kubernetes_versions():
            short = ".".join(version.split(".")[:2])
            validator = strict_validator(kind, api, version)
            if validator is None:
                problems.append(f"{name_of(obj)}: Kubernetes {short} does not serve {api} {kind}")
                break
            errors = sorted(validator.iter_errors(obj), key=lambda e: list(map(str, e.path)))
            for e in errors:
                path = ".".join(str(p) for p in e.path)
                problems.append(f"{name_of(obj)}: {path}: {e.message} (Kubernetes {short} schema)")
            if errors:
                break  # the same mistakes again for the next release would say nothing new
    return problems


# ---- helpers over the rendered objects ----

def find(docs, kind, name=None):
    return [d for d in docs if d.get("kind") == kind and (name is None or d["metadata"]["name"] == name)]


def pod_spec(obj: dict) -> dict | None:
    if obj.get("kind") in POD_TEMPLATE_KINDS:
        return obj.get("spec", {}).get("template", {}).get("spec", {})
    return None


def workloads(docs) -> list[tuple[dict, dict]]:
    """(object, its pod spec) for every object with a pod template."""
    return [(d, pod_spec(d)) for d in docs if pod_spec(d) is not None]


def pod_labels(obj: dict) -> dict:
    return obj.get("spec", {}).get("template", {}).get("metadata", {}).get("labels", {}) or {}


def all_containers(spec: dict) -> list[dict]:
    return list(spec.get("initContainers", []) or []) + list(spec.get("containers", []) or [])


def selector_matches(selector: dict | None, labels: dict) -> bool:
    """A LabelSelector (matchLabels and matchExpressions) or a plain Service selector map."""
    if not selector:
        return False
    if "matchLabels" not in selector and "matchExpressions" not in selector:
        selector = {"matchLabels": selector}
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr["key"], expr["operator"], expr.get("values", [])
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and labels.get(key) in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True


def workloads_selected(docs, selector, namespace=None) -> list[dict]:
    return [w for w, _ in workloads(docs) if selector_matches(selector, pod_labels(w))
            and (namespace is None or w["metadata"].get("namespace") == namespace)]


def container_port(container: dict, port) -> dict | None:
    """The container's port that a Service/probe/policy port (number or name) refers to."""
    for p in container.get("ports", []) or []:
        if (isinstance(port, int) and p.get("containerPort") == port) or \
           (isinstance(port, str) and p.get("name") == port):
            return p
    return None


def env_value(container: dict, name: str):
    """(value, valueFrom) of a variable the container sets, or (None, None)."""
    for var in container.get("env", []) or []:
        if var["name"] == name:
            return var.get("value"), var.get("valueFrom")
    return None, None


def container_named(obj: dict, name: str) -> dict | None:
    for c in all_containers(pod_spec(obj) or {}):
        if c["name"] == name:
            return c
    return None


# ---- what the server reads ----

@functools.cache
def server_env_vars(source_dir: Path = SERVER_SOURCES) -> frozenset:
    """Every variable name the server reads: the string literal a getenv-style call
    (getenv, secure_getenv, config_get*, ...) is given, in server/*.c."""
    names = set()
    call = re.compile(r'\b\w*get\w*\s*\(\s*(?:[^,()"]+,\s*)?"([A-Z][A-Z0-9_]*)"')
    for path in sorted(source_dir.glob("*.c")):
        names.update(call.findall(path.read_text(errors="replace")))
    if not {"PORT", "MONGO_SERVICE_HOST"} <= names:
        raise RuntimeError(f"found no getenv-style reads of PORT and MONGO_SERVICE_HOST in "
                           f"{source_dir}/*.c: has the configuration code moved? (found {sorted(names)})")
    return frozenset(names)


@functools.cache
def server_default(name: str, source_dir: Path = SERVER_SOURCES) -> int:
    """The default of a numeric variable, as the server's source gives it to config_get_uint."""
    call = re.compile(rf'config_get_uint\(\s*&?\w+\s*,\s*"{name}"\s*,\s*(\d+)\s*,')
    for path in sorted(source_dir.glob("*.c")):
        match = call.search(path.read_text(errors="replace"))
        if match:
            return int(match.group(1))
    raise RuntimeError(f"no config_get_uint(..., \"{name}\", <default>, ...) in {source_dir}/*.c")


def built_image_name() -> str:
    """The image tests/image/run.sh builds (its IMAGE= line): the name the manifests must use."""
    match = re.search(r'^IMAGE=\$\{PACMAN_IMAGE:-([^}]+)\}', IMAGE_TEST.read_text(), re.M)
    if not match:
        raise RuntimeError(f"no IMAGE=${{PACMAN_IMAGE:-...}} line in {IMAGE_TEST}")
    return match.group(1)


# ---- cross-object checks ----

def cross_problems(docs, env_vars=None, image=None) -> list[str]:
    env_vars = server_env_vars() if env_vars is None else env_vars
    image = built_image_name() if image is None else image
    problems: list[str] = []
    for check in (check_namespace, check_labels, check_workload_selectors, check_services,
                  check_statefulsets, check_references, check_resources,
                  check_disruption_budgets, check_network_policies,
                  check_autoscalers_and_ingresses,
                  lambda d: check_web(d, env_vars, image), check_web_to_mongo):
        try:
            problems += check(docs)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as e:
            # Objects the schemas reject can trip a check up; say so rather than crash.
            problems.append(f"a check could not read these manifests ({type(e).__name__}: {e})")
    return problems


def check_namespace(docs):
    namespaces = {d["metadata"]["name"] for d in find(docs, "Namespace")}
    problems = []
    if len(namespaces) != 1:
        problems.append(f"expected exactly one Namespace, found {sorted(namespaces)}")
    cluster_scoped = {"Namespace", "ClusterRole", "ClusterRoleBinding", "PersistentVolume",
                      "StorageClass", "IngressClass"}
    for d in docs:
        if d["kind"] in cluster_scoped:
            continue
        ns = d["metadata"].get("namespace")
        if ns not in namespaces:
            problems.append(f"{name_of(d)}: namespace {ns!r} is not the Namespace the manifests create")
    return problems


def check_labels(docs):
    problems = []
    for d in docs:
        labels = d["metadata"].get("labels") or {}
        for key in ("app.kubernetes.io/part-of",):
            if key not in labels:
                problems.append(f"{name_of(d)}: no {key} label")
        if pod_spec(d) is not None:
            for key in ("app.kubernetes.io/name", "app.kubernetes.io/component", "app.kubernetes.io/part-of"):
                if key not in pod_labels(d):
                    problems.append(f"{name_of(d)}: pod template has no {key} label")
    return problems


def check_workload_selectors(docs):
    """Spread constraints select the workload's own pods. (A workload's selector against its
    template's labels is the API server's own validation: tests/cluster checks it there.)"""
    problems = []
    for d, spec in workloads(docs):
        for tsc in spec.get("topologySpreadConstraints", []) or []:
            if not selector_matches(tsc.get("labelSelector"), pod_labels(d)):
                problems.append(f"{name_of(d)}: topologySpreadConstraint on {tsc.get('topologyKey')} selects other pods than its own")
    return problems


def check_services(docs):
    problems = []
    for svc in find(docs, "Service"):
        selector = svc["spec"].get("selector")
        targets_ = workloads_selected(docs, selector, svc["metadata"].get("namespace"))
        if not targets_:
            problems.append(f"{name_of(svc)}: selector {selector} matches no pod template")
            continue
        for port in svc["spec"].get("ports", []):
            target = port.get("targetPort", port.get("port"))
            for w in targets_:
                if not any(container_port(c, target) for c in pod_spec(w).get("containers", [])):
                    problems.append(f"{name_of(svc)}: targetPort {target!r} (port {port.get('port')}) "
                                    f"is no container port of {name_of(w)}")
    return problems


def check_statefulsets(docs):
    problems = []
    for sts in find(docs, "StatefulSet"):
        service_name = sts["spec"].get("serviceName")
        services = [s for s in find(docs, "Service", service_name)
                    if s["metadata"].get("namespace") == sts["metadata"].get("namespace")]
        if not services:
            problems.append(f"{name_of(sts)}: serviceName {service_name!r} names no Service")
        elif services[0]["spec"].get("clusterIP") != "None":
            problems.append(f"{name_of(sts)}: serviceName {service_name!r} is not a headless Service (clusterIP: None)")
        elif not selector_matches(services[0]["spec"].get("selector"), pod_labels(sts)):
            problems.append(f"{name_of(sts)}: headless Service {service_name!r} does not select its pods")
        spec = pod_spec(sts)
        mounted = {m["name"] for c in all_containers(spec) for m in c.get("volumeMounts", []) or []}
        pod_volumes = {v["name"] for v in spec.get("volumes", []) or []}
        for claim in sts["spec"].get("volumeClaimTemplates", []) or []:
            claim_name = claim["metadata"]["name"]
            if claim_name not in mounted:
                problems.append(f"{name_of(sts)}: volumeClaimTemplate {claim_name!r} is mounted by no container")
            if claim_name in pod_volumes:
                problems.append(f"{name_of(sts)}: pod volume {claim_name!r} hides the volumeClaimTemplate of that name")
    return problems


def check_references(docs):
    """Mounted volumes exist; Secrets, ConfigMaps, ServiceAccounts referenced exist (with the keys)."""
    problems = []

    def keys_of(kind, name, ns):
        objs = [o for o in find(docs, kind, name) if o["metadata"].get("namespace") == ns]
        if not objs:
            return None
        return set((objs[0].get("data") or {}).keys()) | set((objs[0].get("stringData") or {}).keys())

    for w, spec in workloads(docs):
        ns = w["metadata"].get("namespace")
        volumes = {v["name"]: v for v in spec.get("volumes", []) or []}
        claims = {c["metadata"]["name"] for c in w["spec"].get("volumeClaimTemplates", []) or []}
        for v in volumes.values():
            for kind, ref in (("Secret", (v.get("secret") or {}).get("secretName")),
                              ("ConfigMap", (v.get("configMap") or {}).get("name"))):
                if ref and keys_of(kind, ref, ns) is None:
                    problems.append(f"{name_of(w)}: volume {v['name']!r} uses {kind} {ref!r}, which the manifests do not create")
        account = spec.get("serviceAccountName")
        if account and not [a for a in find(docs, "ServiceAccount", account) if a["metadata"].get("namespace") == ns]:
            problems.append(f"{name_of(w)}: serviceAccountName {account!r} names no ServiceAccount")
        for c in all_containers(spec):
            for m in c.get("volumeMounts", []) or []:
                if m["name"] not in volumes and m["name"] not in claims:
                    problems.append(f"{name_of(w)}: container {c['name']!r} mounts {m['name']!r}, which is no volume")
            for var in c.get("env", []) or []:
                source = var.get("valueFrom") or {}
                for kind, ref in (("Secret", source.get("secretKeyRef")), ("ConfigMap", source.get("configMapKeyRef"))):
                    if not ref:
                        continue
                    keys = keys_of(kind, ref["name"], ns)
                    if keys is None:
                        problems.append(f"{name_of(w)}: {c['name']} {var['name']} uses {kind} {ref['name']!r}, which the manifests do not create")
                    elif ref["key"] not in keys:
                        problems.append(f"{name_of(w)}: {c['name']} {var['name']} uses key {ref['key']!r} that {kind} {ref['name']!r} lacks")
    return problems


def check_resources(docs):
    problems = []
    for w, spec in workloads(docs):
        for c in all_containers(spec):
            res = c.get("resources") or {}
            for kind in ("requests", "limits"):
                for resource in ("cpu", "memory"):
                    if resource not in (res.get(kind) or {}):
                        problems.append(f"{name_of(w)}: container {c['name']!r} has no {resource} {kind[:-1]}")
            image = c.get("image", "")
            if ":" not in image.rsplit("/", 1)[-1] or image.endswith(":latest"):
                problems.append(f"{name_of(w)}: container {c['name']!r} image {image!r} has no pinned tag")
            if c.get("ports") and not (c.get("readinessProbe") and c.get("livenessProbe")):
                problems.append(f"{name_of(w)}: container {c['name']!r} serves a port without readiness and liveness probes")
            for probe_kind in ("startupProbe", "livenessProbe", "readinessProbe"):
                http = (c.get(probe_kind) or {}).get("httpGet")
                if http and not container_port(c, http.get("port")):
                    problems.append(f"{name_of(w)}: container {c['name']!r} {probe_kind} port {http.get('port')!r} is no container port")
    return problems


def check_disruption_budgets(docs):
    problems = []
    for pdb in find(docs, "PodDisruptionBudget"):
        selected = workloads_selected(docs, pdb["spec"].get("selector"), pdb["metadata"].get("namespace"))
        if not selected:
            problems.append(f"{name_of(pdb)}: selector matches no pod template")
            continue
        replicas = sum(w["spec"].get("replicas", 1) for w in selected)
        min_available = pdb["spec"].get("minAvailable")
        if isinstance(min_available, int) and min_available >= replicas:
            problems.append(f"{name_of(pdb)}: minAvailable {min_available} of {replicas} pods blocks every voluntary disruption")
    return problems


def check_network_policies(docs):
    problems = []
    for np in find(docs, "NetworkPolicy"):
        ns = np["metadata"].get("namespace")
        protected = workloads_selected(docs, np["spec"].get("podSelector"), ns)
        if not protected:
            problems.append(f"{name_of(np)}: podSelector matches no pod template")
        for rule in np["spec"].get("ingress", []) or []:
            for peer in rule.get("from", []) or []:
                if "podSelector" in peer and "namespaceSelector" not in peer and \
                        not workloads_selected(docs, peer["podSelector"], ns):
                    problems.append(f"{name_of(np)}: ingress from {peer['podSelector']} matches no pod template")
            for port in rule.get("ports", []) or []:
                for w in protected:
                    if not any(container_port(c, port.get("port")) for c in pod_spec(w)["containers"]):
                        problems.append(f"{name_of(np)}: port {port.get('port')!r} is no container port of {name_of(w)}")
    return problems


def check_autoscalers_and_ingresses(docs):
    problems = []
    for hpa in find(docs, "HorizontalPodAutoscaler"):
        ref = hpa["spec"]["scaleTargetRef"]
        if not [t for t in find(docs, ref["kind"], ref["name"]) if t["metadata"].get("namespace") == hpa["metadata"].get("namespace")]:
            problems.append(f"{name_of(hpa)}: scaleTargetRef {ref['kind']}/{ref['name']} is not in the manifests")
        elif "replicas" in find(docs, ref["kind"], ref["name"])[0]["spec"]:
            problems.append(f"{name_of(hpa)}: {ref['kind']}/{ref['name']} still sets replicas; every apply would reset the autoscaler's choice")
    for ing in find(docs, "Ingress"):
        for rule in ing["spec"].get("rules", []) or []:
            for path in (rule.get("http") or {}).get("paths", []) or []:
                backend = path["backend"]["service"]
                services = [s for s in find(docs, "Service", backend["name"]) if s["metadata"].get("namespace") == ing["metadata"].get("namespace")]
                if not services:
                    problems.append(f"{name_of(ing)}: backend Service {backend['name']!r} is not in the manifests")
                    continue
                port = backend["port"]
                if not any(p.get("name") == port.get("name") if "name" in port else p["port"] == port.get("number")
                           for p in services[0]["spec"]["ports"]):
                    problems.append(f"{name_of(ing)}: backend port {port} is no port of Service {backend['name']!r}")
    return problems


def check_web(docs, env_vars, image):
    """The web container: image, environment, port, shutdown timing."""
    deployments = find(docs, *WEB)
    if not deployments:
        return [f"no {WEB[0]}/{WEB[1]} in the manifests"]
    web = deployments[0]
    container = container_named(web, WEB_CONTAINER)
    if container is None:
        return [f"{name_of(web)}: no container {WEB_CONTAINER!r}"]
    problems = []
    where = f"{name_of(web)}: container {WEB_CONTAINER!r}"
    if container.get("image") != image:
        problems.append(f"{where}: image {container.get('image')!r} is not what the build produces ({image!r})")
    names = [v["name"] for v in container.get("env", []) or []]
    for name in names:
        if name not in env_vars:
            problems.append(f"{where}: sets {name}, which the server does not read")
    for name in sorted({n for n in names if names.count(n) > 1}):
        problems.append(f"{where}: sets {name} more than once")
    for name in REQUIRED_WEB_ENV:
        if name not in names:
            problems.append(f"{where}: does not set {name}")
    if "MONGO_URI" not in names and "MONGO_SERVICE_HOST" not in names:
        problems.append(f"{where}: sets neither MONGO_SERVICE_HOST nor MONGO_URI")
    _, node = env_value(container, "MY_NODE_NAME")
    if node is not None and (node.get("fieldRef") or {}).get("fieldPath") != "spec.nodeName":
        problems.append(f"{where}: MY_NODE_NAME does not come from the downward API's spec.nodeName")
    if container.get("envFrom"):
        problems.append(f"{where}: envFrom hides which variables are set; list them under env")

    def number(name):
        value, _ = env_value(container, name)
        return server_default(name) if value is None else int(value)

    port = number("PORT")
    if not container_port(container, port):
        problems.append(f"{where}: the server listens on {port} (PORT), which is no containerPort")
    grace = pod_spec(web).get("terminationGracePeriodSeconds", 30)
    needed = number("SHUTDOWN_DRAIN_SECONDS") + number("SHUTDOWN_GRACE_SECONDS") + SHUTDOWN_MARGIN_SECONDS
    if grace < needed:
        problems.append(f"{name_of(web)}: terminationGracePeriodSeconds {grace} is shorter than drain + grace + "
                        f"{SHUTDOWN_MARGIN_SECONDS}s margin ({needed}): requests in flight would be cut off")
    if pod_spec(web).get("enableServiceLinks", True):
        problems.append(f"{name_of(web)}: enableServiceLinks is not false: Services named mongo would inject MONGO_* variables")
    if not (container.get("securityContext") or {}).get("readOnlyRootFilesystem"):
        problems.append(f"{where}: root filesystem is not read-only")
    return problems


def check_web_to_mongo(docs):
    """The web tier's database settings agree with the replica set the manifests run."""
    web, sts = find(docs, *WEB), find(docs, *MONGO)
    if not web or not sts:
        return [f"need both {WEB[0]}/{WEB[1]} and {MONGO[0]}/{MONGO[1]}"]
    web, sts = web[0], sts[0]
    app = container_named(web, WEB_CONTAINER) or {}
    boot = container_named(sts, BOOTSTRAP_CONTAINER)
    mongod = (pod_spec(sts).get("containers") or [{}])[0]
    if boot is None:
        return [f"{name_of(sts)}: no container {BOOTSTRAP_CONTAINER!r}"]
    problems = []
    replicas = sts["spec"].get("replicas", 1)
    service = sts["spec"].get("serviceName")
    args = " ".join(mongod.get("args", []) or [])
    repl_set = (re.search(r"--replSet[= ](\S+)", args) or [None, None])[1]

    def say(text):
        problems.append(f"{name_of(web)} and {name_of(sts)}: {text}")

    def boot_env(name):
        return env_value(boot, name)[0]

    if boot_env("MONGO_MEMBERS") is not None:
        say("bootstrap MONGO_MEMBERS fixes the member count: members added by `kubectl scale` would wait for ever")
    if boot_env("MONGO_SERVICE") != service:
        say(f"bootstrap MONGO_SERVICE {boot_env('MONGO_SERVICE')!r} differs from serviceName {service!r}")
    for name, value in (("bootstrap MONGO_REPLICA_SET", boot_env("MONGO_REPLICA_SET")),
                        ("web MONGO_REPLICA_SET", env_value(app, "MONGO_REPLICA_SET")[0])):
        if value != repl_set:
            say(f"{name} {value!r} differs from mongod --replSet {repl_set!r}")
    if boot_env("APP_ROLE") != "readWrite":
        say(f"the game's user gets role {boot_env('APP_ROLE')!r}; readWrite on its database is all it needs")
    if env_value(app, "MONGO_DATABASE")[0] != boot_env("APP_DATABASE"):
        say("web MONGO_DATABASE differs from the database the bootstrap gives the user access to (APP_DATABASE)")
    check_bootstrap_credentials(docs, sts, app, boot, say)
    check_member_probes(docs, sts, mongod, boot, repl_set, say)
    hosts_value = env_value(app, "MONGO_SERVICE_HOST")[0]
    if hosts_value is not None:
        name = sts["metadata"]["name"]
        ns = sts["metadata"].get("namespace")
        wanted = [f"{name}-{i}.{service}" for i in range(replicas)]
        hosts = [h.split(":")[0] for h in hosts_value.split(",")]
        short = [re.sub(rf"\.{re.escape(ns or '')}(\.svc(\.cluster\.local)?)?$", "", h) for h in hosts]
        if short != wanted:
            say(f"MONGO_SERVICE_HOST {hosts_value!r} does not list the members {','.join(wanted)}")
    port_value = env_value(app, "MY_MONGO_PORT")[0]
    if port_value is not None and not container_port(mongod, int(port_value)):
        say(f"MY_MONGO_PORT {port_value} is no port of mongod")
    return problems


def mounted_volume(sts: dict, container: dict, path: str) -> dict | None:
    """The pod volume mounted in container at the directory holding path (or at path)."""
    volumes = {v["name"]: v for v in pod_spec(sts).get("volumes", []) or []}
    for mount in container.get("volumeMounts", []) or []:
        if path == mount["mountPath"] or path.startswith(mount["mountPath"].rstrip("/") + "/"):
            return volumes.get(mount["name"])
    return None


def secret_data(docs, name: str, namespace) -> dict | None:
    found = [s for s in find(docs, "Secret", name) if s["metadata"].get("namespace") == namespace]
    return (found[0].get("data") or {}) if found else None


def check_bootstrap_credentials(docs, sts, app, boot, say):
    """The bootstrap reads the game's credentials from files of a Secret mounted at
    APP_SECRET_DIR; they must be the ones the web tier logs in with."""
    ns = sts["metadata"].get("namespace")
    directory = env_value(boot, "APP_SECRET_DIR")[0]
    volume = mounted_volume(sts, boot, directory) if directory else None
    secret = (volume or {}).get("secret", {}).get("secretName")
    if not secret:
        say(f"bootstrap APP_SECRET_DIR {directory!r} is no mounted Secret")
        return
    mounted = secret_data(docs, secret, ns) or {}
    for web_name, key in (("MONGO_AUTH_USER", "username"), ("MONGO_AUTH_PWD", "password")):
        ref = (env_value(app, web_name)[1] or {}).get("secretKeyRef") or {}
        web_secret = secret_data(docs, ref.get("name"), ns) or {}
        if key not in mounted or web_secret.get(ref.get("key")) != mounted.get(key):
            say(f"web {web_name} ({ref.get('name')}/{ref.get('key')}) differs from the bootstrap's {secret}/{key}")


def check_member_probes(docs, sts, mongod, boot, repl_set, say):
    """The members' probes: scripts that exist, the set they ask about, the file the
    bootstrap writes, and nothing that starts mongosh."""
    ns = sts["metadata"].get("namespace")
    for container in (mongod, boot):
        for kind in ("startupProbe", "livenessProbe", "readinessProbe"):
            command = ((container.get(kind) or {}).get("exec") or {}).get("command") or []
            if any("mongosh" in part for part in command):
                say(f"container {container['name']!r} {kind} runs mongosh: about a CPU-second per probe")
            for part in command:
                volume = mounted_volume(sts, container, part) if part.startswith("/") else None
                name = ((volume or {}).get("configMap") or {}).get("name")
                if name:
                    maps = [c for c in find(docs, "ConfigMap", name) if c["metadata"].get("namespace") == ns]
                    if not maps or part.rsplit("/", 1)[-1] not in (maps[0].get("data") or {}):
                        say(f"container {container['name']!r} {kind} runs {part}, which ConfigMap {name!r} lacks")
    ready = ((mongod.get("readinessProbe") or {}).get("exec") or {}).get("command") or []
    if ready[-1:] != [repl_set]:
        say(f"mongod readinessProbe {ready} does not ask about set {repl_set!r}")
    ready_file = env_value(boot, "READY_FILE")[0]
    boot_ready = ((boot.get("readinessProbe") or {}).get("exec") or {}).get("command") or []
    if not ready_file or ready_file not in boot_ready:
        say(f"bootstrap readinessProbe {boot_ready} does not look at READY_FILE {ready_file!r}")


# ---- probes against the real server ----

def web_http_probes(docs) -> list[tuple[str, str]]:
    """(probe kind, path) of every HTTP probe of the web container."""
    web = find(docs, *WEB)
    container = container_named(web[0], WEB_CONTAINER) if web else None
    probes = []
    for kind in ("startupProbe", "livenessProbe", "readinessProbe"):
        http = ((container or {}).get(kind) or {}).get("httpGet")
        if http:
            probes.append((kind, http.get("path", "/")))
    return probes


def probe_problems(docs, server_url: str) -> list[str]:
    """Asks the running server each probe's path. Liveness and startup must answer 200;
    readiness 200 or 503 (the server's "not ready", e.g. while draining)."""
    problems = []
    probes = web_http_probes(docs)
    if not probes:
        problems.append("the web container has no HTTP probes")
    for kind, path in probes:
        try:
            with urllib.request.urlopen(server_url + path, timeout=5) as response:
                status = response.status
        except urllib.error.HTTPError as e:
            status = e.code
        except OSError as e:
            problems.append(f"{kind} {path}: the server did not answer ({e})")
            continue
        allowed = (200, 503) if kind == "readinessProbe" else (200,)
        if status not in allowed:
            problems.append(f"{kind} {path}: the server answers {status}, not {' or '.join(map(str, allowed))}")
    return problems
