"""kube-score (tests/k8s/kube_score.py, the pinned tool) on the chart's renders: every finding
is fixed or explained, in the list the kustomize renders are held to
(tests/k8s/kube-score-ignore.yaml) or, for the chart's own objects, in
tests/helm/kube-score-ignore.yaml."""

import pytest

import chart
import kube_score

OWN_IGNORES = chart.ROOT / "tests" / "helm" / "kube-score-ignore.yaml"
SETTINGS = {
    "defaults": {},
    "everything optional": {"ingress.enabled": True, "autoscaling.enabled": True, "loadtest.enabled": True},
    "7 members, published image": {"mongo.members": 7, "image.repository": "ghcr.io/pacman-k8s/pacman",
                                   "image.tag": "v1.0.0"},
    "every backup recipe": {"backup.velero.enabled": True, "backup.velero.schedule.enabled": True,
                            "backup.kanister.enabled": True},
}
# What `helm template` is told the cluster serves, for the settings that need it. (kube-score
# scores the release's objects; the tools' Schedule and Blueprint are kinds it does not know.)
API_VERSIONS = {"every backup recipe": chart.VELERO_API + chart.KANISTER_API}


@pytest.fixture(scope="module")
def found():
    return {name: kube_score.findings(kube_score.dump(chart.template(values, *API_VERSIONS.get(name, ()))))
            for name, values in SETTINGS.items()}


@pytest.mark.parametrize("name", SETTINGS)
def test_every_finding_is_fixed_or_explained(name, found):
    ignores = kube_score.ignore_list() + kube_score.ignore_list(OWN_IGNORES)
    left = kube_score.unexplained(found[name], ignores)
    assert not left, "kube-score findings on the chart neither fixed nor explained:\n" + "\n".join(map(str, left))


def test_the_chart_list_is_about_the_chart_alone_and_all_used(found):
    shared = {e["object"] for e in kube_score.ignore_list()}
    own = kube_score.ignore_list(OWN_IGNORES)
    assert not [e for e in own if e["object"] in shared], "an object the shared list already covers"
    everything = [f for findings in found.values() for f in findings]
    assert kube_score.unused(everything, own) == []


def test_a_finding_that_is_not_explained_fails():
    """The check bites on the chart too: the test Job back on the members' user is reported."""
    docs = chart.template()
    job = chart.one(docs, "Job", "pacman-score-check")
    job["spec"]["template"]["spec"]["securityContext"]["runAsUser"] = 999
    ignores = kube_score.ignore_list() + kube_score.ignore_list(OWN_IGNORES)
    left = {(f.check, f.object) for f in kube_score.unexplained(kube_score.findings(kube_score.dump(docs)), ignores)}
    assert left == {("container-security-context-user-group-id", "Job/pacman-score-check")}, left
