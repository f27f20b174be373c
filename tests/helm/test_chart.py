"""charts/pacman offline: `helm lint --strict`, its renders against the Kubernetes API schemas
and the same cross-object checks as the kustomize manifests (tests/k8s/manifests.py), the
values schema refusing what cannot work, and the credentials it generates."""

import base64
import json
import re

import pytest

import chart
import manifests

# What docs/helm.md has the user make before installing: the namespace, Pod Security
# "restricted" enforced (as k8s/base/namespace.yaml; labelled part of pacman here only for the
# checks' sake: they ask it of every object).
NAMESPACE_OBJECT = {"apiVersion": "v1", "kind": "Namespace", "metadata": {
    "name": chart.NAMESPACE, "labels": {"pod-security.kubernetes.io/enforce": "restricted",
                                        "app.kubernetes.io/part-of": "pacman"}}}

# Settings a user may pick, each rendered and checked like the kustomize overlays.
SETTINGS = {
    "defaults": {},
    "1 member": {"mongo.members": 1},
    "5 members": {"mongo.members": 5},
    "7 members": {"mongo.members": 7},
    "everything optional": {"ingress.enabled": True, "ingress.host": "pacman.example.com",
                            "ingress.className": "nginx", "autoscaling.enabled": True,
                            "loadtest.enabled": True},
    "nothing optional": {"networkPolicy.enabled": False, "podDisruptionBudgets.enabled": False},
    "published image by digest": {"image.repository": "ghcr.io/pacman-k8s/pacman", "image.tag": "v1.0.0",
                                  "image.digest": "sha256:" + "ab" * 32},
    "existing Secret": {"auth.existingSecret": "my-credentials"},
    "another release name": {"fullnameOverride": "game"},
    "Velero's hooks": {"backup.velero.enabled": True},
}

# Every backup recipe on, and what `helm template` is told the cluster serves for them (their
# tools' CRDs); the kinds those tools define.
BACKUP = {"backup.velero.enabled": True, "backup.velero.schedule.enabled": True, "backup.kanister.enabled": True}
BACKUP_API = chart.VELERO_API + chart.KANISTER_API
TOOL_KINDS = {"Schedule", "Blueprint"}


@pytest.mark.parametrize("major", [4, 3])
@pytest.mark.parametrize("name", ["defaults", "everything optional", "1 member", "existing Secret"])
def test_helm_lint_strict(name, major):
    result = chart.helm("lint", "--strict", str(chart.CHART), "--namespace", chart.NAMESPACE,
                        *chart.set_args(SETTINGS[name]), check=False, major=major)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 chart(s) failed" in result.stdout, result.stdout


@pytest.mark.parametrize("name", SETTINGS)
def test_renders_pass_the_schemas_of_every_release_from_1_27(name):
    assert manifests.schema_problems(chart.template(SETTINGS[name])) == []


@pytest.mark.parametrize("name", SETTINGS)
def test_renders_pass_the_cross_object_checks(name, monkeypatch):
    """The checks the kustomize renders pass (selectors against labels, ports, references to
    Secrets and ConfigMaps and their keys, the web tier's wiring to the replica set, ...).
    The namespace and the user's own Secret are not in the render: they are added as
    docs/helm.md has the user make them."""
    values = SETTINGS[name]
    docs = [NAMESPACE_OBJECT] + [d for d in chart.template(values) if not chart.is_test_hook(d)]
    image = None
    if "image.digest" in values:
        image = f"{values['image.repository']}:{values['image.tag']}@{values['image.digest']}"
    if "fullnameOverride" in values:   # the checks look for the objects by name
        monkeypatch.setattr(manifests, "WEB", ("Deployment", "game"))
        monkeypatch.setattr(manifests, "MONGO", ("StatefulSet", "game-mongo"))
    expected = []
    if "auth.existingSecret" in values:
        docs.append({"apiVersion": "v1", "kind": "Secret",
                     "metadata": {"name": "my-credentials", "namespace": chart.NAMESPACE,
                                  "labels": {"app.kubernetes.io/part-of": "pacman"}},
                     "data": {k: base64.b64encode(b"x").decode() for k in
                              ("root-username", "root-password", "app-username", "app-password",
                               "app-next-username", "app-next-password", "keyfile")}})
        # The check reads the bootstrap's files by Secret key and knows no `items` mapping
        # (app-username -> username): test_an_existing_secret_replaces_every_generated_one
        # checks that mapping instead.
        expected = [f"Deployment/pacman and StatefulSet/mongo: web {var} (my-credentials/app-{key}) "
                    f"differs from the bootstrap's my-credentials/{key}"
                    for var, key in (("MONGO_AUTH_USER", "username"), ("MONGO_AUTH_PWD", "password"))]
    assert manifests.cross_problems(docs, image=image) == expected


@pytest.mark.parametrize("members", [1, 3, 5, 7])
def test_members_and_the_hosts_the_game_is_given(members):
    docs = chart.template({"mongo.members": members})
    sts = chart.one(docs, "StatefulSet", "mongo")
    assert sts["spec"]["replicas"] == members
    web = chart.one(docs, "Deployment", "pacman")["spec"]["template"]["spec"]["containers"][0]
    hosts = manifests.env_value(web, "MONGO_SERVICE_HOST")[0]
    assert hosts == ",".join(f"mongo-{i}.mongo" for i in range(members))


@pytest.mark.parametrize("values, complaint", [
    ({"mongo.members": 2}, "members"),
    ({"mongo.members": 4}, "members"),
    ({"mongo.members": "3"}, "members"),
    ({"web.replicas": -1}, "replicas"),
    ({"image.digest": "sha256:1234"}, "digest"),
    ({"image.tag": "", "image.digest": ""}, "tag"),
    ({"image.pullPolicy": "Sometimes"}, "pullPolicy"),
    ({"mongo.storage.size": "lots"}, "size"),
    ({"mongo.storage.className": "Not A Class"}, "className"),
    ({"auth.existingSecret": "Bad_Name"}, "existingSecret"),
    ({"web.resources.limits.cpu": "two"}, "cpu"),
    ({"ingress.enabeld": True}, "enabeld"),
    ({"replicas": 3}, "replicas"),
    # The Schedule backs up with the members' hooks: not without them.
    ({"backup.velero.schedule.enabled": True}, "/backup/velero/enabled': value must be true"),
    ({"backup.velero.schedule.cron": "at three"}, "cron"),
    ({"backup.velero.schedule.ttl": "1 week"}, "ttl"),
    ({"backup.velero.schedule.namespace": "Velero"}, "namespace"),
    ({"backup.velero.enabeld": True}, "enabeld"),
    ({"backup.kanister.enabled": "yes"}, "enabled"),
    ({"backup.kanister.namespace": ""}, "namespace"),
    ({"backup.kanister.snapshotClass": "Bad_Class"}, "snapshotClass"),
])
def test_values_schema_refuses_what_cannot_work(values, complaint):
    """A mistyped or impossible value stops the install with a message naming it, before
    anything reaches the cluster."""
    result = chart.helm("template", chart.RELEASE, str(chart.CHART), *chart.set_args(values), check=False)
    assert result.returncode != 0, f"{values} was accepted"
    assert "schema" in result.stderr and complaint in result.stderr, result.stderr


def test_image_by_tag_or_digest():
    docs = chart.template()
    web = chart.one(docs, "Deployment", "pacman")["spec"]["template"]["spec"]["containers"][0]
    assert (web["image"], web["imagePullPolicy"]) == ("pacman:local", "IfNotPresent")
    digest = "sha256:" + "0123456789abcdef" * 4
    docs = chart.template({"image.repository": "ghcr.io/pacman-k8s/pacman", "image.tag": "v1.0.0",
                           "image.digest": digest})
    web = chart.one(docs, "Deployment", "pacman")["spec"]["template"]["spec"]["containers"][0]
    assert web["image"] == f"ghcr.io/pacman-k8s/pacman:v1.0.0@{digest}"   # the digest wins
    docs = chart.template({"image.repository": "ghcr.io/pacman-k8s/pacman", "image.tag": "", "image.digest": digest})
    web = chart.one(docs, "Deployment", "pacman")["spec"]["template"]["spec"]["containers"][0]
    assert web["image"] == f"ghcr.io/pacman-k8s/pacman@{digest}"


def secrets(docs) -> dict[str, dict[str, str]]:
    return {s["metadata"]["name"]: {k: base64.b64decode(v).decode() for k, v in s["data"].items()}
            for s in chart.find(docs, "Secret")}


def test_credentials_are_generated_random_and_distinct():
    """Without a cluster to look them up in (`helm template`), every render generates them:
    two renders share none, and within one the administrator's password, the game's and the
    key file are all different; each is kept by `helm uninstall`."""
    first, second = secrets(chart.template()), secrets(chart.template({"web.replicas": 3}))
    assert set(first) == {"mongo-root", "mongo-app", "mongo-keyfile"}
    root, app, key = first["mongo-root"]["password"], first["mongo-app"]["password"], first["mongo-keyfile"]["keyfile"]
    assert len({root, app, key}) == 3
    assert re.fullmatch(r"[A-Za-z0-9]{32}", root) and re.fullmatch(r"[A-Za-z0-9]{32}", app)
    # mongod: 6 to 1024 characters of the base64 alphabet
    assert re.fullmatch(r"[A-Za-z0-9+/=]{6,1024}", key)
    for name in first:
        assert first[name] != second[name] or "password" not in first[name] and "keyfile" not in first[name]
    for s in chart.find(chart.template(), "Secret"):
        assert s["metadata"]["annotations"]["helm.sh/resource-policy"] == "keep"


def test_one_render_uses_one_set_of_credentials():
    """The pods' checksum annotations are computed from the same values the Secrets hold (a
    second generation inside one render would roll pods for nothing, or not when needed)."""
    import hashlib
    docs = chart.template()
    s = secrets(docs)
    web = chart.one(docs, "Deployment", "pacman")["spec"]["template"]["metadata"]["annotations"]
    expected = hashlib.sha256(f"pacman\n{s['mongo-app']['password']}".encode()).hexdigest()
    assert web["checksum/credentials"] == expected


def test_an_existing_secret_replaces_every_generated_one():
    docs = chart.template({"auth.existingSecret": "my-credentials"})
    assert chart.find(docs, "Secret") == []
    text = json.dumps(docs)
    assert "mongo-root" not in text and "mongo-keyfile" not in text and "mongo-app" not in text
    refs = set(re.findall(r'"name": "my-credentials", "key": "([a-z-]+)"', text))
    sts = chart.one(docs, "StatefulSet", "mongo")["spec"]["template"]["spec"]
    items = {v["name"]: v["secret"] for v in sts["volumes"] if "secret" in v}
    assert refs == {"root-username", "root-password", "app-username", "app-password"}
    assert items["keyfile-secret"] == {"secretName": "my-credentials", "items": [{"key": "keyfile", "path": "keyfile"}]}
    assert items["app-credentials"] == {"secretName": "my-credentials", "items": [
        {"key": "app-username", "path": "username"}, {"key": "app-password", "path": "password"},
        {"key": "app-next-username", "path": "next-username"}, {"key": "app-next-password", "path": "next-password"}]}


def test_names_follow_the_release():
    """Release `pacman`: the kustomize names (the walkthrough's commands work as written);
    another release prefixes every name, so two releases in a namespace do not collide."""
    docs = chart.template()
    assert {chart.key(d) for d in docs} >= {"Deployment/pacman", "StatefulSet/mongo", "Service/mongo",
                                            "Service/pacman", "ClusterRole/pacman-pacman-node-reader"}
    other = chart.helm("template", "game", str(chart.CHART), "--namespace", "demo").stdout
    names = {chart.key(d) for d in chart.parse(other)}
    assert {"Deployment/game-pacman", "StatefulSet/game-pacman-mongo", "Secret/game-pacman-mongo-root",
            "ClusterRole/demo-game-pacman-node-reader"} <= names
    assert not any(n.split("/")[1] in ("pacman", "mongo") for n in names)


def test_pod_templates_carry_no_chart_version():
    """Upgrading the chart restarts no pod whose spec is unchanged: the pod templates carry no
    label or annotation that moves with the chart's version."""
    docs = chart.template()
    for obj in docs:
        template = obj.get("spec", {}).get("template")
        if template:
            meta = json.dumps(template["metadata"])
            assert "helm.sh/chart" not in meta and "1.0.0" not in meta, chart.key(obj)


def test_notes_say_how_to_play_and_watch():
    notes = chart.helm("install", chart.RELEASE, str(chart.CHART), "-n", chart.NAMESPACE,
                       "--dry-run=client").stdout
    assert "kubectl port-forward -n pacman service/pacman 8080:80" in notes
    assert "kubectl get pods -n pacman -l app.kubernetes.io/name=mongo,app.kubernetes.io/instance=pacman -w" in notes
    assert "helm test pacman -n pacman" in notes


def test_the_packaged_chart_renders_the_same(tmp_path):
    """What the release workflow pushes to oci://ghcr.io/pacman-k8s/charts/pacman (`helm
    package`) holds every file the chart needs: rendered from the .tgz, the same objects (but
    for the random credentials)."""
    chart.helm("package", str(chart.CHART), "--destination", str(tmp_path))
    packaged = tmp_path / "pacman-1.0.0.tgz"
    assert packaged.exists(), list(tmp_path.iterdir())
    from_package = chart.parse(chart.helm("template", chart.RELEASE, str(packaged), "-n", chart.NAMESPACE).stdout)
    from_directory = chart.template()
    assert chart.normalize(from_directory, "helm") == chart.normalize(from_package, "helm")


@pytest.mark.parametrize("name", ["defaults", "everything optional", "existing Secret", "every backup recipe"])
def test_helm_3_renders_what_helm_4_renders(name):
    """The chart is for Helm 3 (3.8 or later) and 4: the pinned Helm 3 renders the same objects.
    (Helm 3's `helm template` assumes Kubernetes 1.20 unless told; the chart needs 1.27.)"""
    values, extra = (BACKUP, BACKUP_API) if name == "every backup recipe" else (SETTINGS[name], ())
    helm_3 = chart.parse(chart.helm("template", chart.RELEASE, str(chart.CHART), "-n", chart.NAMESPACE,
                                    "--kube-version", "1.34.0", *chart.set_args(values), *extra, major=3).stdout)
    assert chart.normalize(helm_3, "helm") == chart.normalize(chart.template(values, *extra), "helm")


def test_helm_3_refuses_what_helm_4_refuses():
    for values, complaint in (({"mongo.members": 4}, "members"), ({"image.pullPolicy": "Sometimes"}, "pullPolicy")):
        result = chart.helm("template", chart.RELEASE, str(chart.CHART), "--kube-version", "1.34.0",
                            *chart.set_args(values), check=False, major=3)
        assert result.returncode != 0 and complaint in result.stderr, result.stderr
    old = chart.helm("template", chart.RELEASE, str(chart.CHART), "--kube-version", "1.26.0", check=False, major=3)
    assert old.returncode != 0 and "kubeVersion" in old.stderr, old.stderr


def test_the_chart_says_which_images_it_runs():
    """Chart.yaml's artifacthub.io/images (what registries show) names the members' image the
    values pin, and the game's release matching the chart's appVersion."""
    import yaml
    meta = yaml.safe_load((chart.CHART / "Chart.yaml").read_text())
    listed = {i["name"]: i["image"] for i in yaml.safe_load(meta["annotations"]["artifacthub.io/images"])}
    sts = chart.one(chart.template(), "StatefulSet", "mongo")
    assert listed["mongo"] == sts["spec"]["template"]["spec"]["containers"][0]["image"]
    assert listed["pacman"] == f"ghcr.io/pacman-k8s/pacman:v{meta['appVersion']}"


# ---- the backup tools' recipes (backup.*; their render against kustomize's: test_same_as_kustomize.py) ----

def test_backup_renders_pass_the_schemas_and_the_cross_object_checks():
    """Every recipe on: the release's own objects pass what the defaults pass; the tools'
    objects are made in the tools' namespaces, one each (Velero's Schedule is checked against
    Velero's CRD on the control plane, the Blueprint against Kanister's types by
    tests/backup/test_recipes.py, as the recipe it equals)."""
    docs = [d for d in chart.template(BACKUP, *BACKUP_API) if not chart.is_test_hook(d)]
    ours = [d for d in docs if d["kind"] not in TOOL_KINDS]
    assert manifests.schema_problems(ours) == []
    assert manifests.cross_problems([NAMESPACE_OBJECT] + ours) == []
    tools = {f"{d['kind']}/{d['metadata']['namespace']}/{d['metadata']['name']}" for d in docs if d["kind"] in TOOL_KINDS}
    assert tools == {"Schedule/velero/pacman-nightly", "Blueprint/kasten-io/pacman-mongo"}


@pytest.mark.parametrize("values, api, complaint", [
    ({"backup.velero.enabled": True, "backup.velero.schedule.enabled": True}, chart.KANISTER_API,
     "backup.velero.schedule.enabled: this cluster has no velero.io/v1 Schedule (Velero's CRDs are not installed)"),
    ({"backup.kanister.enabled": True}, chart.VELERO_API,
     "backup.kanister.enabled: this cluster has no cr.kanister.io/v1alpha1 Blueprint"),
])
def test_a_recipe_whose_tool_is_absent_stops_the_install(values, api, complaint):
    """Without the tool's CRD the chart stops, saying which value needs what, rather than leave
    out a backup the user asked for (or fail later on Helm's "no matches for kind")."""
    result = chart.helm("template", chart.RELEASE, str(chart.CHART), *chart.set_args(values), *api, check=False)
    assert result.returncode != 0, f"{values} rendered without its tool"
    assert complaint in result.stderr and "helm template: add --api-versions" in result.stderr, result.stderr


def test_velero_s_hooks_need_no_velero():
    """The hooks are annotations: they render (and install) with no Velero CRD anywhere."""
    docs = chart.template({"backup.velero.enabled": True})
    annotations = chart.one(docs, "StatefulSet", "mongo")["spec"]["template"]["metadata"]["annotations"]
    assert annotations["pre.hook.backup.velero.io/command"] == '["bash", "/scripts/backup-hook.sh", "freeze"]'
    assert not chart.find(docs, "Schedule")


def recipe(name: str) -> dict:
    import yaml
    return yaml.safe_load((chart.ROOT / "k8s" / "components" / name).read_text())


def test_the_blueprint_fits_the_release():
    """What the recipe cannot know, the chart fills in from the release: one restore claim per
    member, named as this StatefulSet expects, in its storage class; the snapshot class; the
    name, the namespace and the StatefulSet's annotation naming it. Nothing else moves."""
    values = {**BACKUP, "fullnameOverride": "game", "mongo.members": 5, "mongo.storage.className": "fast",
              "backup.kanister.snapshotClass": "fast-snapshots", "backup.kanister.namespace": "kanister"}
    docs = chart.template(values, *BACKUP_API)
    blueprint = chart.one(docs, "Blueprint", "pacman-game-mongo")
    assert blueprint["metadata"]["namespace"] == "kanister"
    sts = chart.one(docs, "StatefulSet", "game-mongo")
    assert sts["metadata"]["annotations"]["kanister.kasten.io/blueprint"] == "pacman-game-mongo"
    restore = blueprint["actions"]["restore"]["phases"]
    assert [(p["name"], p["args"]["pvc"], p["args"]["storageClass"]) for p in restore] == \
        [(f"claim{i}", f"data-game-mongo-{i}", "fast") for i in range(5)]
    snapshot = blueprint["actions"]["backup"]["phases"][1]
    assert snapshot["args"]["snapshotClass"] == "fast-snapshots"

    expected = recipe("kanister/blueprint.yaml")
    model = expected["actions"]["restore"]["phases"][0]
    expected["actions"]["restore"]["phases"] = [
        {**model, "name": f"claim{i}", "args": {**model["args"], "pvc": f"data-game-mongo-{i}", "storageClass": "fast"}}
        for i in range(5)]
    expected["actions"]["backup"]["phases"][1]["args"]["snapshotClass"] = "fast-snapshots"
    assert blueprint["actions"] == expected["actions"]


def test_the_schedule_fits_the_release():
    """Another namespace: the Schedule backs that one up and is named after it; cron and ttl
    replace the recipe's when given, and nothing else moves."""
    values = {**BACKUP, "backup.velero.schedule.cron": "@every 12h", "backup.velero.schedule.ttl": "72h"}
    result = chart.helm("template", chart.RELEASE, str(chart.CHART), "--namespace", "arcade",
                        *chart.set_args(values), *BACKUP_API)
    schedule = chart.one(chart.parse(result.stdout), "Schedule", "arcade-nightly")
    expected = recipe("velero/schedule.yaml")["spec"]
    expected["schedule"] = "@every 12h"
    expected["template"].update(includedNamespaces=["arcade"], ttl="72h")
    assert schedule["spec"] == expected
    assert schedule["metadata"]["namespace"] == "velero"


def test_turning_a_recipe_on_restarts_the_members_and_nothing_else():
    """What an upgrade that turns a recipe on rolls: the members (their scripts gain the hook,
    and Velero's hooks are pod annotations), never the web pods; the credentials stay as they
    are. (On the control plane: tests/cluster/test_helm.py, the upgrade itself.)"""
    def pod_templates(values, *extra):
        docs = chart.template({"auth.existingSecret": "mine", **values}, *extra)   # no random credentials
        return {chart.key(d): d["spec"]["template"] for d in docs if "template" in d.get("spec", {})
                and not chart.is_test_hook(d)}
    before = pod_templates({})
    for values, extra in (({"backup.velero.enabled": True}, ()), ({"backup.kanister.enabled": True}, chart.KANISTER_API)):
        after = pod_templates(values, *extra)
        assert set(before) == set(after)
        changed = sorted(k for k in before if before[k] != after[k])
        assert changed == ["StatefulSet/mongo"], (values, changed)
