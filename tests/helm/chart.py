"""The chart (charts/pacman) rendered by the pinned Helm, and compared with the kustomize
manifests (k8s/) rendered with the same settings: one truth, two installers.

What may differ between the two renders, and why, is spelled out in `normalize`; everything
else must be equal, object for object, field for field (containers, probes, security contexts,
volumes, the scripts in the ConfigMap, Secret keys), so a change made to one installer and not
the other fails `test_same_as_kustomize.py`.
"""

from __future__ import annotations

import copy
import functools
import json
import os
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "charts" / "pacman"
K8S = ROOT / "k8s"
RELEASE = "pacman"
NAMESPACE = "pacman"



def copied_files() -> dict[str, Path]:
    """What charts/pacman/files/ copies from k8s/, by name: the Makefile's CHART_FILES, which
    `make chart-files` copies. Helm reads no file outside the chart, so the chart carries them,
    and a test checks that the copies are current."""
    makefile = (ROOT / "Makefile").read_text()
    m = re.search(r"^CHART_FILES\s*:=\s*((?:.*\\\n)*.*)$", makefile, re.M)
    assert m, "the Makefile has no CHART_FILES"
    return {Path(p).name: ROOT / p for p in m.group(1).replace("\\\n", " ").split()}


COPIED_FILES = copied_files()
# The chart's own files (not copies): helm test's script.
OWN_FILES = {"score-check.sh"}

# Labels one installer sets and the other cannot: Helm's release and chart version, and who
# manages the object (kustomize / Helm).
INSTALLER_LABELS = {"app.kubernetes.io/instance", "app.kubernetes.io/managed-by", "helm.sh/chart"}
# The chart's annotations that stand for the kustomize generators' name hashes (a change rolls
# the pods), Helm's own, and the chart's record of the last change of the game's password
# (scripts/credentials.sh keeps it in a file of the overlay).
INSTALLER_ANNOTATIONS = re.compile(r"^(checksum/.*|helm\.sh/.*|meta\.helm\.sh/.*|pacman-k8s\.github\.io/app-rotat.*)$")
# kustomize's generated names end in a hash of their content (its alphabet has no vowels).
GENERATED_NAME = re.compile(r"^(?P<base>.+)-[bcdfghjklmnpqrstvwxz2456789]{10}$")
# Values generated at install (random): compared by key, not by value.
GENERATED_KEYS = {"password", "next-password", "keyfile"}


@functools.cache
def helm_binary(major: int = 4) -> str:
    """The pinned Helm 4 ($HELM), or Helm 3 with major=3 ($HELM3), as tests/helm/helm-tool.sh
    builds (once) and names them."""
    variable = "HELM" if major == 4 else "HELM3"
    if os.environ.get(variable):
        return os.environ[variable]
    built = subprocess.run([str(ROOT / "tests" / "helm" / "helm-tool.sh"), str(major)], capture_output=True,
                           text=True, check=False)
    if built.returncode != 0:
        raise AssertionError(f"tests/helm/helm-tool.sh exited {built.returncode}:\n{built.stderr}")
    return built.stdout.strip()


def kustomize_binary() -> str:
    return os.environ.get("KUSTOMIZE", str(ROOT / "build" / "tools" / "kustomize"))


def helm(*args: str, check: bool = True, env: dict | None = None, major: int = 4) -> subprocess.CompletedProcess:
    result = subprocess.run([helm_binary(major), *args], capture_output=True, text=True, check=False,
                            env=env or helm_env())
    if check and result.returncode != 0:
        raise AssertionError(f"helm {' '.join(args)} exited {result.returncode}:\n{result.stderr}")
    return result


def helm_env() -> dict:
    """Helm's own directories under build/, not the user's (~/.cache/helm, ~/.config/helm)."""
    home = ROOT / "build" / "helm" / "home"
    return dict(os.environ, HELM_CACHE_HOME=str(home / "cache"), HELM_CONFIG_HOME=str(home / "config"),
                HELM_DATA_HOME=str(home / "data"))


def set_args(values: dict | None) -> list[str]:
    """--set-json KEY=JSON for every (dotted) key: the values' types survive as they are."""
    args = []
    for key, value in (values or {}).items():
        args += ["--set-json", f"{key}={json.dumps(value)}"]
    return args


def parse(text: str) -> list[dict]:
    import yaml  # here: tests/cluster imports this module for Helm alone, in a venv without PyYAML
    return [doc for doc in yaml.safe_load_all(text) if doc]


@functools.cache
def _template(values: str, extra: tuple[str, ...]) -> tuple:
    result = helm("template", RELEASE, str(CHART), "--namespace", NAMESPACE,
                  *set_args(json.loads(values)), *extra)
    return tuple(parse(result.stdout))


def template(values: dict | None = None, *extra: str) -> list[dict]:
    """`helm template pacman charts/pacman -n pacman` with these values (dotted keys), parsed
    (a fresh copy: callers may change it)."""
    return copy.deepcopy(list(_template(json.dumps(values or {}, sort_keys=True), extra)))


@functools.cache
def _kustomize(paths: tuple[Path, ...]) -> tuple:
    docs = []
    for path in paths:
        result = subprocess.run([kustomize_binary(), "build", str(path)], capture_output=True,
                                text=True, check=False)
        if result.returncode != 0:
            raise AssertionError(f"kustomize build {path} failed:\n{result.stderr}")
        docs += parse(result.stdout)
    return tuple(docs)


def kustomize(*paths: Path) -> list[dict]:
    return copy.deepcopy(list(_kustomize(paths)))


def with_components(base: Path, *components: str) -> Path:
    """An overlay of base with these k8s/components, as docs/backup-restore.md has the user
    write one (k8s/overlays/minikube-velero: resources the overlay deployed, components the
    recipe), under build/helm-test/overlays/; its path, for `kustomize`."""
    overlay = ROOT / "build" / "helm-test" / "overlays" / "-".join((base.name, *components))
    overlay.mkdir(parents=True, exist_ok=True)
    up = os.path.relpath(ROOT, overlay)
    (overlay / "kustomization.yaml").write_text(
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
        f"resources: [{up}/{base.relative_to(ROOT)}]\n"
        f"components: [{', '.join(f'{up}/k8s/components/{c}' for c in components)}]\n")
    return overlay


def applied_alone(path: Path, namespace: str) -> list[dict]:
    """A recipe the docs have the user apply on its own in a tool's namespace (`kubectl apply -n
    NAMESPACE -f PATH`: the Kanister Blueprint, Velero's Schedule): its objects, in that
    namespace, as the API server stores them."""
    docs = parse(path.read_text())
    for d in docs:
        d["metadata"]["namespace"] = namespace
    return docs


# What `helm template` is told the cluster serves when a value needs a backup tool's CRD (on a
# cluster, Helm asks the API server): the chart refuses those values without it.
VELERO_API = ("--api-versions", "velero.io/v1/Schedule")
KANISTER_API = ("--api-versions", "cr.kanister.io/v1alpha1/Blueprint")


def key(obj: dict) -> str:
    return f"{obj['kind']}/{obj['metadata']['name']}"


def find(docs: list[dict], kind: str, name: str | None = None) -> list[dict]:
    return [d for d in docs if d["kind"] == kind and (name is None or d["metadata"]["name"] == name)]


def one(docs: list[dict], kind: str, name: str) -> dict:
    found = find(docs, kind, name)
    assert len(found) == 1, f"{kind}/{name}: {len(found)} in the render ({sorted(map(key, docs))})"
    return found[0]


def is_test_hook(obj: dict) -> bool:
    return obj["metadata"].get("annotations", {}).get("helm.sh/hook") == "test"


# ---- one truth, two installers ----

def _walk(value, fn):
    """value with fn applied to every dict in it (fn changes the dict in place)."""
    if isinstance(value, dict):
        fn(value)
        for v in value.values():
            _walk(v, fn)
    elif isinstance(value, list):
        for v in value:
            _walk(v, fn)
    return value


def _rename(value, names: dict[str, str]):
    """value with every string equal to a key of names replaced by its value."""
    if isinstance(value, dict):
        return {k: _rename(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [_rename(v, names) for v in value]
    if isinstance(value, str):
        return names.get(value, value)
    return value


def normalize(docs: list[dict], installer: str) -> dict[str, dict]:
    """The objects by kind/name, without what legitimately differs between the installers:

    - the Namespace object: kustomize makes namespace `pacman` (with Pod Security "restricted"
      enforced); Helm installs into a namespace it is given (docs/helm.md makes it the same
      way), and a chart that made its own release namespace could not be installed with
      --create-namespace;
    - `helm test`'s Job: the chart's alone;
    - the installers' own labels and annotations (INSTALLER_LABELS, INSTALLER_ANNOTATIONS), also
      in selectors: the chart's selectors add the release (app.kubernetes.io/instance), so that
      two releases never select each other's pods; the objects the chart makes in a backup
      tool's namespace carry those labels alone, where the recipes applied there have none;
    - kustomize's generated names (mongo-root-<hash>) stand for the chart's plain names; the
      chart rolls pods through checksum annotations instead of new names;
    - the game's user: kustomize keeps it twice, in mongo-app-<hash> (the web pods' environment:
      a new password is a new name, which rolls them) and in mongo-app-current (the members'
      files, updated in place: a content-hashed name cannot be). The chart's one mongo-app does
      both. So kustomize's mongo-app-current stands for the chart's mongo-app, and its
      mongo-app-<hash> goes, once checked to hold the same user and password;
    - the ClusterRole and its binding: cluster-wide, so the chart's name carries the
      namespace (<namespace>-<release>-node-reader), where kustomize has one name;
    - generated credentials: compared by key (and username by value), not by their random value;
    - a container's imagePullPolicy left to the API server's default is written out as it.
    """
    objects = [d for d in docs if d["kind"] != "Namespace" and not is_test_hook(d)]
    names = {}
    if installer == "kustomize":
        generated = {d["metadata"]["name"] for d in objects if d["kind"] in ("Secret", "ConfigMap")}
        for name in generated:
            m = GENERATED_NAME.match(name)
            if m:
                names[name] = m.group("base")
        objects = _one_app_secret(objects, names)
    else:
        for d in objects:
            if d["kind"] in ("ClusterRole", "ClusterRoleBinding"):
                names[d["metadata"]["name"]] = re.sub(rf"^{NAMESPACE}-", "", d["metadata"]["name"])
    objects = [_rename(d, names) for d in objects]

    def strip(d: dict):
        for field in ("labels", "matchLabels", "selector"):
            if isinstance(d.get(field), dict) and all(isinstance(v, str) for v in d[field].values()):
                had = bool(d[field])
                for label in INSTALLER_LABELS:
                    d[field].pop(label, None)
                if field == "labels" and had and not d[field]:
                    del d[field]   # labelled by the installer alone (the backup recipes' objects)
        annotations = d.get("annotations")
        if isinstance(annotations, dict):
            for a in [a for a in annotations if INSTALLER_ANNOTATIONS.match(a)]:
                del annotations[a]
            if not annotations:
                del d["annotations"]

    def pull_policy(d: dict):
        # The API server's default, written out: IfNotPresent unless the tag is latest or none.
        if "image" in d and isinstance(d["image"], str) and "imagePullPolicy" not in d:
            tag = d["image"].rsplit("/", 1)[-1]
            d["imagePullPolicy"] = "Always" if ":" not in tag or tag.endswith(":latest") else "IfNotPresent"

    out = {}
    for d in objects:
        _walk(d, strip)
        _walk(d, pull_policy)
        if d["kind"] == "Secret":
            d["data"] = {k: ("<generated>" if k in GENERATED_KEYS else v) for k, v in d.get("data", {}).items()}
        out[key(d)] = d
    return out


def _one_app_secret(objects: list[dict], names: dict[str, str]) -> list[dict]:
    """kustomize's objects with mongo-app-<hash> checked against mongo-app-current and dropped,
    and mongo-app-current renamed mongo-app (normalize says why)."""
    hashed = [d for d in objects if d["kind"] == "Secret" and names.get(d["metadata"]["name"]) == "mongo-app"]
    current = [d for d in objects if d["kind"] == "Secret" and d["metadata"]["name"] == "mongo-app-current"]
    if len(hashed) != 1 or len(current) != 1:
        return objects  # not the layout normalize knows: the comparison shows what differs
    for key_ in ("username", "password"):
        assert hashed[0]["data"].get(key_) == current[0]["data"].get(key_), \
            f"kustomize's mongo-app and mongo-app-current hold different {key_}s"
    names["mongo-app-current"] = "mongo-app"
    return [d for d in objects if d is not hashed[0]]


def differences(kustomized: list[dict], charted: list[dict]) -> list[str]:
    """Every difference that matters between the two renders, one line each (empty: none)."""
    a, b = normalize(kustomized, "kustomize"), normalize(charted, "helm")
    problems = [f"{k}: only kustomize has it" for k in sorted(a.keys() - b.keys())]
    problems += [f"{k}: only the chart has it" for k in sorted(b.keys() - a.keys())]
    for k in sorted(a.keys() & b.keys()):
        problems += [f"{k}: {p}" for p in _diff(a[k], b[k], "")]
    return problems


def _diff(x, y, path: str) -> list[str]:
    if isinstance(x, dict) and isinstance(y, dict):
        found = []
        for k in sorted(set(x) | set(y), key=str):
            where = f"{path}.{k}" if path else str(k)
            if k not in y:
                found.append(f"{where}: only kustomize sets it ({_short(x[k])})")
            elif k not in x:
                found.append(f"{where}: only the chart sets it ({_short(y[k])})")
            else:
                found += _diff(x[k], y[k], where)
        return found
    if isinstance(x, list) and isinstance(y, list):
        if len(x) != len(y):
            return [f"{path}: kustomize has {len(x)} items, the chart {len(y)}: {_short(x)} / {_short(y)}"]
        found = []
        for i, (u, v) in enumerate(zip(x, y)):
            label = u.get("name") if isinstance(u, dict) and isinstance(u.get("name"), str) else i
            found += _diff(u, v, f"{path}[{label}]")
        return found
    if x != y or type(x) is not type(y):
        return [f"{path}: kustomize {_short(x)}, the chart {_short(y)}"]
    return []


def _short(value) -> str:
    text = json.dumps(value, sort_keys=True)
    return text if len(text) <= 160 else text[:157] + "..."
