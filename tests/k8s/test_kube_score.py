"""kube-score, a linter the Kubernetes community uses, on every kustomize render: what it finds
is fixed, or explained in tests/k8s/kube-score-ignore.yaml (one reason an entry)."""

import copy

import pytest

import kube_score
import manifests

TARGETS = manifests.targets()


@pytest.fixture(scope="module")
def ignores():
    return kube_score.ignore_list()


@pytest.fixture(scope="module")
def found():
    return {target: kube_score.findings(kube_score.dump(manifests.render(paths)))
            for target, paths in TARGETS.items()}


@pytest.mark.parametrize("target", TARGETS)
def test_every_finding_is_fixed_or_explained(target, found, ignores):
    left = kube_score.unexplained(found[target], ignores)
    assert not left, "kube-score findings neither fixed nor in kube-score-ignore.yaml:\n" + \
        "\n".join(map(str, left))


def test_the_ignore_list_holds_nothing_that_was_fixed(found, ignores):
    everything = [f for target in found.values() for f in target]
    assert kube_score.unused(everything, ignores) == []


def test_every_entry_says_why(ignores):
    for entry in ignores:
        assert len(entry["reason"].split()) >= 12, f"a reason of a few words: {entry}"


def test_a_finding_that_is_not_explained_fails(ignores):
    """The check bites: an ephemeral-storage limit taken away (what kube-score found before it
    was set) and the members' egress policy removed are both reported."""
    docs = copy.deepcopy(list(manifests.render(TARGETS["default"])))
    sts = manifests.find(docs, *manifests.MONGO)[0]
    del sts["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["ephemeral-storage"]
    policy = manifests.find(docs, "NetworkPolicy", "mongo")[0]
    policy["spec"]["policyTypes"] = ["Ingress"]
    del policy["spec"]["egress"]
    left = {(f.check, f.object, f.container, f.says)
            for f in kube_score.unexplained(kube_score.findings(kube_score.dump(docs)), ignores)}
    assert left == {
        ("container-ephemeral-storage-request-and-limit", "StatefulSet/mongo", "mongod",
         "Ephemeral Storage limit is not set"),
        ("pod-networkpolicy", "StatefulSet/mongo", "", "The pod does not have a matching egress NetworkPolicy"),
    }, left
