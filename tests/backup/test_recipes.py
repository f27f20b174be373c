"""The backup tools' recipes (k8s/components/velero, k8s/components/kanister), rendered as a
user applies them (the minikube overlay plus the component, with the pinned kustomize) and
checked against the tools' formats:

- Velero reads its hooks from pod annotations and is lenient where a mistake is silent: a
  command that is not a JSON array runs as one word, an on-error other than Fail or Continue
  is ignored, a timeout that is not a Go duration falls back to 30 s (Velero 1.18's
  internal/hook/item_hook_handler.go). Each is checked here, and each hook's command is run as
  Velero execs it, argv for argv, in the pinned mongosh against FerretDB, with /scripts holding
  the ConfigMap as the component renders it.
- Kanister: its Go module is not served where this project is built (the proxy answers 403), so
  no Kanister controller or CRD runs here. The blueprint is checked against Kanister 0.119's
  Blueprint fields (pkg/apis/cr/v1alpha1 types.go), each function's required and accepted
  arguments (pkg/function: RequiredArgs, Arguments) and its template parameters (pkg/param).
Velero's Schedule is checked against Velero's own CRD on the control plane (tests/cluster/test_backup.py).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import HOOK_DIR, ROOT

KUSTOMIZE = os.environ.get("KUSTOMIZE", str(ROOT / "build" / "tools" / "kustomize"))
COMPONENTS = ROOT / "k8s" / "components"
GO_DURATION = re.compile(r"^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$")

# Kanister 0.119.0, pkg/function/*.go: RequiredArgs() and Arguments() of the functions used.
KANISTER_FUNCTIONS = {
    "KubeExecAll": ({"namespace", "pods", "containers", "command"}, {"namespace", "pods", "containers", "command"}),
    "CreateCSISnapshot": ({"pvc", "namespace", "snapshotClass"}, {"pvc", "namespace", "snapshotClass", "name", "labels"}),
    "RestoreCSISnapshot": ({"name", "pvc", "namespace", "storageClass", "restoreSize"},
                           {"name", "pvc", "namespace", "storageClass", "restoreSize", "accessModes", "volumeMode", "labels"}),
    "DeleteCSISnapshot": ({"name", "namespace"}, {"name", "namespace"}),
}
# pkg/apis/cr/v1alpha1/types.go: BlueprintAction and BlueprintPhase's JSON fields.
ACTION_FIELDS = {"name", "kind", "configMapNames", "secretNames", "inputArtifactNames", "outputArtifacts",
                 "phases", "deferPhase"}
PHASE_FIELDS = {"func", "name", "objects", "args"}
# Kasten K10 calls these actions around its own snapshots; other names are Kanister ActionSets'.
K10_ACTIONS = {"backupPrehook", "backupPosthook"}
# CreateCSISnapshot's outputs (pkg/function/create_csi_snapshot.go, snapshotInfo).
CREATE_CSI_OUTPUTS = {"name", "pvc", "namespace", "restoreSize", "snapshotContent"}


def render(component: str, tmp_path: Path) -> list[dict]:
    """The minikube overlay with the component, as docs/backup-restore.md has the user write it."""
    overlay = ROOT / "build" / "backup-test" / component
    overlay.mkdir(parents=True, exist_ok=True)
    (overlay / "kustomization.yaml").write_text(
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
        f"resources: [../../../k8s/overlays/minikube]\ncomponents: [../../../k8s/components/{component}]\n")
    result = subprocess.run([KUSTOMIZE, "build", str(overlay)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return [d for d in yaml.safe_load_all(result.stdout) if d]


def one(objects: list[dict], kind: str, name_prefix: str) -> dict:
    found = [o for o in objects if o["kind"] == kind and o["metadata"]["name"].startswith(name_prefix)]
    assert len(found) == 1, f"{kind} {name_prefix}*: {[o['metadata']['name'] for o in found]}"
    return found[0]


def scripts_dir_of(objects: list[dict], tmp_path: Path) -> Path:
    """The files the mongod container sees at /scripts: the ConfigMap its `scripts` volume names."""
    sts = one(objects, "StatefulSet", "mongo")
    pod = sts["spec"]["template"]["spec"]
    mongod = next(c for c in pod["containers"] if c["name"] == "mongod")
    mount = next(m for m in mongod["volumeMounts"] if m["mountPath"] == "/scripts")
    volume = next(v for v in pod["volumes"] if v["name"] == mount["name"])
    config = one(objects, "ConfigMap", volume["configMap"]["name"])
    assert config["metadata"]["name"] == volume["configMap"]["name"]
    target = tmp_path / "scripts"
    target.mkdir(parents=True)
    for key, text in config["data"].items():
        (target / key).write_text(text)
    return target


def test_the_hook_files_reach_the_members_unchanged(tmp_path):
    for component in ("velero", "kanister"):
        objects = render(component, tmp_path / component)
        scripts = scripts_dir_of(objects, tmp_path / component)
        for name in ("backup-hook.sh", "backup-decide.js"):
            assert (scripts / name).read_text() == (HOOK_DIR / name).read_text(), f"{component}: {name}"
        # The bootstrap's own files are still there (the component merges, not replaces).
        assert {"bootstrap.sh", "rs-bootstrap.js", "rs-decide.js", "member-ready.sh"} <= {p.name for p in scripts.iterdir()}


def velero_hooks(objects: list[dict]) -> dict[str, dict]:
    annotations = one(objects, "StatefulSet", "mongo")["spec"]["template"]["metadata"]["annotations"]
    hooks = {}
    for key, value in annotations.items():
        match = re.fullmatch(r"(pre|post)\.hook\.backup\.velero\.io/(container|command|on-error|timeout)", key)
        if match:
            hooks.setdefault(match.group(1), {})[match.group(2)] = value
    return hooks


def test_velero_annotations_are_in_velero_s_format(tmp_path):
    objects = render("velero", tmp_path)
    hooks = velero_hooks(objects)
    assert set(hooks) == {"pre", "post"}
    containers = {c["name"] for c in one(objects, "StatefulSet", "mongo")["spec"]["template"]["spec"]["containers"]}
    for phase, hook in hooks.items():
        command = json.loads(hook["command"])   # anything but a JSON array would run as one word
        assert isinstance(command, list) and all(isinstance(w, str) for w in command), hook
        assert hook["container"] in containers, hook
        assert hook["on-error"] in ("Fail", "Continue"), hook   # else Velero ignores it, silently
        assert GO_DURATION.match(hook["timeout"]), hook          # else Velero falls back to 30 s
    assert json.loads(hooks["pre"]["command"])[-1] == "freeze" and hooks["pre"]["on-error"] == "Fail"
    assert json.loads(hooks["post"]["command"])[-1] == "thaw"


@pytest.mark.parametrize("phase, status, said", [
    ("pre", 5, "nothing locked: replSetGetStatus failed"),
    ("post", 0, "nothing to unlock here"),
])
def test_velero_hook_commands_run_as_velero_execs_them(tmp_path, member_env, phase, status, said):
    """Velero execs the JSON array in the container, no shell. Here the container's /scripts is
    the rendered ConfigMap and the database FerretDB (no replSetGetStatus): the pre hook must
    fail the backup rather than lock nothing silently, the post hook must do nothing."""
    objects = render("velero", tmp_path)
    scripts = scripts_dir_of(objects, tmp_path)
    command = json.loads(velero_hooks(objects)[phase]["command"])
    argv = [w.replace("/scripts", str(scripts)) for w in command]
    result = subprocess.run(argv, env=member_env, capture_output=True, text=True, timeout=60)
    assert result.returncode == status, (result.stdout, result.stderr)
    assert said in result.stderr


def blueprint() -> dict:
    return yaml.safe_load((COMPONENTS / "kanister" / "blueprint.yaml").read_text())


def templates(value) -> list[str]:
    """Every {{ ... }} in a value (strings inside lists and maps too)."""
    if isinstance(value, str):
        return re.findall(r"\{\{(.*?)\}\}", value)
    if isinstance(value, dict):
        return [t for v in value.values() for t in templates(v)]
    if isinstance(value, list):
        return [t for v in value for t in templates(v)]
    return []


def test_kanister_blueprint_fits_kanister_s_types_and_functions():
    bp = blueprint()
    assert (bp["apiVersion"], bp["kind"]) == ("cr.kanister.io/v1alpha1", "Blueprint")
    assert K10_ACTIONS <= set(bp["actions"]) and {"backup", "restore", "delete"} <= set(bp["actions"])
    for name, action in bp["actions"].items():
        assert set(action) <= ACTION_FIELDS, f"{name}: {set(action) - ACTION_FIELDS}"
        assert action["kind"] in ("StatefulSet", "Namespace"), name
        phases = action["phases"] + ([action["deferPhase"]] if "deferPhase" in action else [])
        seen = []
        for phase in phases:
            assert set(phase) <= PHASE_FIELDS, f"{name}/{phase.get('name')}: {set(phase) - PHASE_FIELDS}"
            required, accepted = KANISTER_FUNCTIONS[phase["func"]]
            args = set(phase["args"])
            assert required <= args, f"{name}/{phase['name']}: missing {required - args}"
            assert args <= accepted, f"{name}/{phase['name']}: unknown {args - accepted}"
            for t in templates(phase["args"]):
                check_template(t, action, seen, f"{name}/{phase['name']}")
            seen.append(phase["name"])
        for t in templates(action.get("outputArtifacts", {})):
            check_template(t, action, seen, f"{name}/outputArtifacts")


def check_template(text: str, action: dict, earlier: list[str], where: str):
    """The parameters Kanister fills in (pkg/param TemplateParams) for the action's kind."""
    text = text.strip()
    if text.startswith("range .StatefulSet.Pods") or text in (".", "end"):
        assert action["kind"] == "StatefulSet", where
        return
    match = re.fullmatch(r"\.(StatefulSet|Namespace|Phases|ArtifactsIn)\.(\w+)(\.\w+)*", text)
    assert match, f"{where}: {{{{{text}}}}}"
    root, first = match.group(1), match.group(2)
    if root == "StatefulSet":
        assert action["kind"] == "StatefulSet" and first in ("Name", "Namespace", "Pods"), where
    elif root == "Namespace":
        assert action["kind"] == "Namespace" and first == "Name", where
    elif root == "Phases":
        assert first in earlier, f"{where}: phase {first} is not an earlier phase of the action"
        assert text.split(".")[3] == "Output", where
    else:
        assert first in action.get("inputArtifactNames", []), f"{where}: artifact {first} not an input"
        assert text.split(".")[3] == "KeyValue", where


def test_kanister_blueprint_does_what_its_header_says():
    bp = blueprint()
    acts = bp["actions"]
    for action, subcommand in (("backupPrehook", "freeze"), ("backupPosthook", "thaw")):
        (phase,) = acts[action]["phases"]
        assert phase["args"]["command"] == ["bash", "/scripts/backup-hook.sh", subcommand]
        assert phase["args"]["containers"] == "mongod"
    backup = acts["backup"]
    assert [p["func"] for p in backup["phases"]] == ["KubeExecAll", "CreateCSISnapshot"]
    assert backup["phases"][0]["args"]["command"][-1] == "freeze"
    # The snapshot of the member freeze locked: the output freeze prints (backup-hook.sh).
    assert backup["phases"][1]["args"]["pvc"] == "data-{{ .Phases.freeze.Output.member }}"
    assert '###Phase-output###: {"key":"member","value":"%s"}' in (HOOK_DIR / "backup-hook.sh").read_text()
    assert backup["deferPhase"]["args"]["command"][-1] == "thaw", "the unlock must run even if the snapshot fails"
    for key, value in backup["outputArtifacts"]["snapshot"]["keyValue"].items():
        phase, output = re.fullmatch(r"\{\{ \.Phases\.(\w+)\.Output\.(\w+) \}\}", value).groups()
        assert phase != "snapshot" or output in CREATE_CSI_OUTPUTS, value
    claims = [p["args"]["pvc"] for p in acts["restore"]["phases"] if p["func"] == "RestoreCSISnapshot"]
    assert claims == ["data-mongo-0", "data-mongo-1", "data-mongo-2"]


def test_kanister_component_names_the_blueprint(tmp_path):
    sts = one(render("kanister", tmp_path), "StatefulSet", "mongo")
    assert sts["metadata"]["annotations"]["kanister.kasten.io/blueprint"] == blueprint()["metadata"]["name"]
