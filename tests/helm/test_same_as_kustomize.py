"""One truth, two installers: the chart renders what kustomize renders from k8s/ with the same
settings, object for object (tests/helm/chart.py, `normalize`, lists what may differ and why),
and carries the very scripts k8s/ has."""

import base64
from dataclasses import dataclass, field

import pytest

import chart
from chart import K8S

MINIKUBE = K8S / "overlays" / "minikube"
VELERO = {"backup.velero.enabled": True}
SCHEDULE = {"backup.velero.enabled": True, "backup.velero.schedule.enabled": True}
KANISTER = {"backup.kanister.enabled": True}
COMPONENTS = K8S / "components"


@dataclass
class Same:
    """kustomize's side: entry points to build (an overlay with components from
    chart.with_components), and recipes applied on their own in a tool's namespace (file ->
    namespace); the chart's: values, and what else `helm template` is told."""
    paths: tuple
    values: dict
    alone: dict = field(default_factory=dict)
    helm_args: tuple = ()

    def kustomized(self) -> list[dict]:
        alone = [d for path, ns in self.alone.items() for d in chart.applied_alone(path, ns)]
        return chart.kustomize(*self.paths) + alone

    def charted(self) -> list[dict]:
        return chart.template(self.values, *self.helm_args)


# kustomize entry points (and recipes) and the chart values that give the same settings.
SAME_SETTINGS = {
    "the minikube overlay": Same((MINIKUBE,), {}),
    "the default (k8s/)": Same((K8S,), {}),
    "ingress, autoscaler and load test": Same(
        (K8S / "overlays" / "ingress-hpa", K8S / "loadtest"),
        {"ingress.enabled": True, "autoscaling.enabled": True, "loadtest.enabled": True}),
    # docs/backup-restore.md: an overlay of minikube with the component, and the recipe's own
    # object applied as the page (and the component's header) says, in the tool's namespace.
    "Velero's hooks": Same((chart.with_components(MINIKUBE, "velero"),), VELERO),
    "Velero's hooks and nightly Schedule": Same(
        (chart.with_components(MINIKUBE, "velero"),), SCHEDULE,
        alone={COMPONENTS / "velero" / "schedule.yaml": "velero"}, helm_args=chart.VELERO_API),
    "Kanister's blueprint": Same(
        (chart.with_components(MINIKUBE, "kanister"),), KANISTER,
        alone={COMPONENTS / "kanister" / "blueprint.yaml": "kasten-io"}, helm_args=chart.KANISTER_API),
    "both backup recipes": Same(
        (chart.with_components(MINIKUBE, "velero", "kanister"),), {**SCHEDULE, **KANISTER},
        alone={COMPONENTS / "velero" / "schedule.yaml": "velero", COMPONENTS / "kanister" / "blueprint.yaml": "kasten-io"},
        helm_args=chart.VELERO_API + chart.KANISTER_API),
}


@pytest.mark.parametrize("name", SAME_SETTINGS)
def test_the_chart_renders_what_kustomize_renders(name):
    same = SAME_SETTINGS[name]
    problems = chart.differences(same.kustomized(), same.charted())
    applied = [str(p.relative_to(chart.ROOT)) for p in (*same.paths, *same.alone)]
    assert problems == [], f"kustomize {', '.join(applied)} " \
                           f"and the chart with {same.values or 'its defaults'} differ:\n" + "\n".join(problems)


@pytest.mark.parametrize("name", sorted(chart.COPIED_FILES))
def test_the_chart_carries_the_scripts_of_k8s(name):
    """charts/pacman/files/ holds copies (Helm reads nothing outside the chart): `make
    chart-files` writes them; this fails when one is stale."""
    copy = chart.CHART / "files" / name
    source = chart.COPIED_FILES[name]
    assert copy.read_bytes() == source.read_bytes(), \
        f"charts/pacman/files/{name} differs from {source.relative_to(chart.ROOT)}: run `make chart-files`"


def test_every_file_of_the_chart_is_a_copy_or_its_own():
    """A file left in charts/pacman/files/ after its source moved would be shipped stale."""
    present = {p.name for p in (chart.CHART / "files").iterdir()}
    assert present == set(chart.COPIED_FILES) | chart.OWN_FILES


def test_the_comparison_sees_a_difference():
    """The comparison is not blind: one changed probe, one extra env var, a dropped object and
    a changed script line are each reported."""
    kustomized = chart.kustomize(K8S / "overlays" / "minikube")
    charted = chart.template()
    assert chart.differences(kustomized, charted) == []

    sts = chart.one(charted, "StatefulSet", "mongo")
    mongod = sts["spec"]["template"]["spec"]["containers"][0]
    mongod["readinessProbe"]["periodSeconds"] += 1
    web = chart.one(charted, "Deployment", "pacman")
    web["spec"]["template"]["spec"]["containers"][0]["env"].append({"name": "EXTRA", "value": "1"})
    charted.remove(chart.one(charted, "PodDisruptionBudget", "mongo"))
    scripts = chart.one(charted, "ConfigMap", "mongo-bootstrap")
    scripts["data"]["rs-decide.js"] = scripts["data"]["rs-decide.js"].replace("\n", "\n// drift\n", 1)
    found = "\n".join(chart.differences(kustomized, charted))
    assert "StatefulSet/mongo: spec.template.spec.containers[mongod].readinessProbe.periodSeconds" in found
    assert "Deployment/pacman: spec.template.spec.containers[pacman].env: kustomize has" in found
    assert "PodDisruptionBudget/mongo: only kustomize has it" in found
    assert "ConfigMap/mongo-bootstrap: data.rs-decide.js" in found


def test_usernames_match_and_passwords_are_generated():
    """The kustomize Secrets' usernames are the chart's defaults; the chart's passwords are
    its own (never the committed demo ones)."""
    kustomized = chart.kustomize(K8S / "overlays" / "minikube")
    charted = chart.template()
    for name in ("mongo-root", "mongo-app"):
        ours = chart.one(charted, "Secret", name)["data"]
        theirs = [s for s in kustomized if s["kind"] == "Secret"
                  and chart.GENERATED_NAME.sub(r"\g<base>", s["metadata"]["name"]) == name]
        assert len(theirs) == 1, name
        assert ours["username"] == theirs[0]["data"]["username"], name
        assert ours["password"] != theirs[0]["data"]["password"], name
        assert base64.b64decode(ours["password"]) not in (b"pacman-app-demo-only", b"pacman-root-demo-only")


@pytest.mark.parametrize("values", [{}, {"fullnameOverride": "game", "mongo.storage.className": ""}])
def test_the_claim_template_is_the_kustomize_one_to_the_letter(values):
    """A StatefulSet's claim template cannot change once it exists: the chart's is exactly the
    kustomize manifests' (no release or installer label), not only equal after normalize."""
    kustomized = chart.one(chart.kustomize(K8S / "overlays" / "minikube"), "StatefulSet", "mongo")
    charted = chart.find(chart.template(values), "StatefulSet")[0]
    assert charted["spec"]["volumeClaimTemplates"] == kustomized["spec"]["volumeClaimTemplates"]


def test_the_comparison_sees_a_backup_recipe_difference():
    """The backup recipes' parts are compared too: a hook's timeout, the hook script, the
    Blueprint's annotation on the StatefulSet, a Blueprint phase, and the Schedule's namespace,
    each changed in the chart's render, are each reported."""
    same = SAME_SETTINGS["both backup recipes"]
    kustomized, charted = same.kustomized(), same.charted()
    assert chart.differences(kustomized, charted) == []

    sts = chart.one(charted, "StatefulSet", "mongo")
    sts["spec"]["template"]["metadata"]["annotations"]["pre.hook.backup.velero.io/timeout"] = "30s"
    del sts["metadata"]["annotations"]["kanister.kasten.io/blueprint"]
    scripts = chart.one(charted, "ConfigMap", "mongo-bootstrap")
    scripts["data"]["backup-hook.sh"] = scripts["data"]["backup-hook.sh"].replace("fsyncLock", "fsyncLocks", 1)
    chart.one(charted, "Blueprint", "pacman-mongo")["actions"]["restore"]["phases"].pop()
    chart.one(charted, "Schedule", "pacman-nightly")["metadata"]["namespace"] = "default"
    found = "\n".join(chart.differences(kustomized, charted))
    assert "StatefulSet/mongo: spec.template.metadata.annotations.pre.hook.backup.velero.io/timeout" in found
    assert "StatefulSet/mongo: metadata.annotations: only kustomize sets it" in found
    assert "ConfigMap/mongo-bootstrap: data.backup-hook.sh" in found
    assert "Blueprint/pacman-mongo: actions.restore.phases: kustomize has 3 items, the chart 2" in found
    assert "Schedule/pacman-nightly: metadata.namespace: kustomize \"velero\", the chart \"default\"" in found


def test_without_a_recipe_the_members_have_no_hook():
    """The hook script and the hooks come with a recipe only: the default render's members have
    neither (as kustomize's without a component)."""
    charted = chart.template()
    assert "backup-hook.sh" not in chart.one(charted, "ConfigMap", "mongo-bootstrap")["data"]
    sts = chart.one(charted, "StatefulSet", "mongo")
    assert not [a for a in sts["spec"]["template"]["metadata"]["annotations"] if "velero.io" in a]
    assert "annotations" not in sts["metadata"]
    assert not chart.find(charted, "Schedule") and not chart.find(charted, "Blueprint")
