"""One truth, two installers: the chart renders what kustomize renders from k8s/ with the same
settings, object for object (tests/helm/chart.py, `normalize`, lists what may differ and why),
and carries the very scripts k8s/ has."""

import base64

import pytest

import chart
from chart import K8S

# kustomize entry points and the chart values that give the same settings.
SAME_SETTINGS = {
    "the minikube overlay": ((K8S / "overlays" / "minikube",), {}),
    "the default (k8s/)": ((K8S,), {}),
    "ingress, autoscaler and load test": (
        (K8S / "overlays" / "ingress-hpa", K8S / "loadtest"),
        {"ingress.enabled": True, "autoscaling.enabled": True, "loadtest.enabled": True}),
}


@pytest.mark.parametrize("name", SAME_SETTINGS)
def test_the_chart_renders_what_kustomize_renders(name):
    paths, values = SAME_SETTINGS[name]
    problems = chart.differences(chart.kustomize(*paths), chart.template(values))
    assert problems == [], f"kustomize {', '.join(str(p.relative_to(chart.ROOT)) for p in paths)} " \
                           f"and the chart with {values or 'its defaults'} differ:\n" + "\n".join(problems)


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
