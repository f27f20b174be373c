"""The manifests in k8s/ and every overlay, rendered by kustomize, pass every offline check."""

import re

import pytest

import harness
import manifests

TARGETS = manifests.targets()


@pytest.fixture(scope="module")
def server():
    """The real server binary, without a database: enough to answer the probe paths."""
    srv = harness.Server(log_path=harness.BUILD / "k8s" / "server.log").start()
    yield srv
    srv.stop()


def test_every_overlay_is_found():
    assert {"default", "minikube", "ingress", "hpa", "default+loadtest"} <= set(TARGETS)


@pytest.mark.parametrize("target", TARGETS)
def test_kubectl_1_27_renders_the_same_objects(target):
    """`kubectl apply -k` renders with the kustomize built into kubectl: 5.0.1 in 1.27."""
    assert manifests.render(TARGETS[target], kubectl=True) == manifests.render(TARGETS[target])


@pytest.mark.parametrize("target", TARGETS)
def test_schemas_strict_on_every_release_from_1_27(target):
    docs = manifests.render(TARGETS[target])
    assert manifests.schema_problems(docs) == []


@pytest.mark.parametrize("target", TARGETS)
def test_cross_object_checks(target):
    docs = manifests.render(TARGETS[target])
    assert manifests.cross_problems(docs) == []


@pytest.mark.parametrize("target", TARGETS)
def test_probe_paths_are_answered_by_the_server(target, server):
    docs = manifests.render(TARGETS[target])
    assert manifests.probe_problems(docs, server.url) == []


def test_the_server_reads_what_the_manifests_rely_on():
    names = manifests.server_env_vars()
    assert set(manifests.REQUIRED_WEB_ENV) <= names
    assert manifests.server_default("PORT") == 8080  # the old demo's port, and EXPOSE in the image
    assert manifests.server_default("SHUTDOWN_GRACE_SECONDS") > 0


def test_minikube_guide_builds_the_image_the_manifests_use():
    image = manifests.built_image_name()
    assert f"minikube image build -t {image} ." in manifests.MINIKUBE_DOC.read_text()


def test_every_entry_point_renders_the_same_claim_template():
    """A StatefulSet's volumeClaimTemplates cannot change once it exists, so the entry points
    must agree on them for each to apply over any other (the API server's refusal when they
    do not is shown in tests/cluster/test_api_server.py): no storage class (the cluster's
    default, csi-hostpath-sc on minikube after step 2) and no label that says who installed it."""
    templates = {}
    for target, paths in TARGETS.items():
        sts = manifests.find(manifests.render(paths), *manifests.MONGO)[0]
        templates[target] = sts["spec"]["volumeClaimTemplates"]
    first = templates["default"]
    assert all(t == first for t in templates.values()), templates
    assert "storageClassName" not in first[0]["spec"]
    assert "app.kubernetes.io/managed-by" not in first[0]["metadata"]["labels"]


def test_mongo_is_pinned_by_digest_in_one_place():
    """Every mongo container runs the same image, a patch release of a series pinned by the
    digest of its multi-arch index; the StatefulSet's version label says the same release."""
    sts = manifests.find(manifests.render(TARGETS["default"]), *manifests.MONGO)[0]
    images = {c["image"] for c in manifests.all_containers(sts["spec"]["template"]["spec"])}
    assert len(images) == 1, images
    image = images.pop()
    match = re.fullmatch(r"mongo:(\d+\.\d+\.\d+)@sha256:[0-9a-f]{64}", image)
    assert match, f"{image} is not mongo:<major.minor.patch>@sha256:<digest>"
    assert sts["metadata"]["labels"]["app.kubernetes.io/version"] == match.group(1)
    base = (manifests.K8S / "base" / "mongo" / "statefulset.yaml").read_text()
    assert re.findall(r"^\s+image: (\S+)", base, re.M) == ["mongo"] * 3, \
        "the StatefulSet names the image; k8s/base/kustomization.yaml pins it (one place)"


def test_optional_pieces_live_only_in_their_overlays():
    kinds = {t: {d["kind"] for d in manifests.render(p)} for t, p in TARGETS.items()}
    assert "Ingress" in kinds["ingress"] and "HorizontalPodAutoscaler" in kinds["hpa"]
    assert not {"Ingress", "HorizontalPodAutoscaler"} & kinds["default"]
    hpa = manifests.find(manifests.render(TARGETS["hpa"]), "HorizontalPodAutoscaler")[0]
    assert hpa["apiVersion"] == "autoscaling/v2"


def test_replica_set_shape():
    docs = manifests.render(TARGETS["default"])
    sts = manifests.find(docs, *manifests.MONGO)[0]
    assert sts["spec"]["replicas"] == 3
    assert sts["spec"]["podManagementPolicy"] == "Parallel"
    claim = sts["spec"]["volumeClaimTemplates"][0]["spec"]
    assert claim["accessModes"] == ["ReadWriteOnce"] and claim["resources"]["requests"]["storage"] == "1Gi"
    service = manifests.find(docs, "Service", sts["spec"]["serviceName"])[0]
    assert service["spec"]["publishNotReadyAddresses"] is True
    mongod = sts["spec"]["template"]["spec"]["containers"][0]
    assert mongod["image"].startswith("mongo:") and mongod["image"] != "mongo:latest"
    assert "--keyFile=/keyfile/keyfile" in mongod["args"]


def test_the_mongo_containers_write_only_to_their_volumes():
    """Read-only root filesystems (kube-score): what each mongo container writes is on a volume.
    mongod: /data/db (its claim) and /tmp (socket; the entrypoint's first-start files); the
    bootstrap: its READY_FILE and STATE_DIR; both read mongosh.conf from the ConfigMap as
    /etc/mongosh.conf, so mongosh leaves no log file a run."""
    sts = manifests.find(manifests.render(TARGETS["default"]), *manifests.MONGO)[0]
    spec = sts["spec"]["template"]["spec"]
    volumes = {v["name"]: v for v in spec["volumes"]}
    docs = manifests.render(TARGETS["default"])

    def mount(container, path):
        return next(m for m in container["volumeMounts"] if m["mountPath"] == path)

    for container in manifests.all_containers(spec):
        assert container["securityContext"]["readOnlyRootFilesystem"] is True, container["name"]
    for container in spec["containers"]:
        conf = mount(container, "/etc/mongosh.conf")
        configmap = manifests.find(docs, "ConfigMap", volumes[conf["name"]]["configMap"]["name"])
        assert conf["subPath"] == "mongosh.conf" and "mongosh.conf" in configmap[0]["data"]
        assert "emptyDir" in volumes[mount(container, "/tmp")["name"]], container["name"]
    boot = manifests.container_named(sts, manifests.BOOTSTRAP_CONTAINER)
    for name in ("READY_FILE", "STATE_DIR", "HOME"):
        assert manifests.env_value(boot, name)[0].startswith("/tmp"), name


def test_the_docs_state_the_floor_the_manifests_need():
    """Issue 21, defect 5: the StatefulSet's persistentVolumeClaimRetentionPolicy is dropped
    without a word before Kubernetes 1.27, so every "1.NN or later" the docs and manifests give
    for Kubernetes or kubectl says 1.27 (manifests.KUBERNETES_FLOOR), which the schema checks
    start from. (The README said 1.25.)"""
    floor = "%d.%d" % manifests.KUBERNETES_FLOOR
    stated = re.compile(r"(Kubernetes|kubectl)`?[^.\n]{0,30}?\b(1\.\d+)( or later|\+| and later| or newer)")
    paths = [manifests.ROOT / "README.md", *sorted((manifests.ROOT / "docs").glob("*.md")),
             *sorted(manifests.K8S.rglob("*.yaml")), *sorted(manifests.K8S.rglob("*.md"))]
    found = {f"{p.relative_to(manifests.ROOT)}: {m.group(0)}": m.group(2)
             for p in paths for m in stated.finditer(p.read_text())}
    assert found, "no page states the Kubernetes version the manifests need"
    assert {k: v for k, v in found.items() if v != floor} == {}
