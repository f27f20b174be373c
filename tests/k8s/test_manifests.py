"""The manifests in k8s/ and every overlay, rendered by kustomize, pass every offline check."""

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
def test_kubectl_1_25_renders_the_same_objects(target):
    """`kubectl apply -k` renders with the kustomize built into kubectl: 4.5.7 in 1.25 and 1.26."""
    assert manifests.render(TARGETS[target], v4=True) == manifests.render(TARGETS[target])


@pytest.mark.parametrize("target", TARGETS)
def test_schemas_strict_on_every_release_from_1_25(target):
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


def test_base_leaves_the_storage_class_to_the_cluster_and_minikube_names_its_own():
    def storage_classes(target):
        sts = manifests.find(manifests.render(TARGETS[target]), *manifests.MONGO)[0]
        return [t["spec"].get("storageClassName") for t in sts["spec"]["volumeClaimTemplates"]]

    assert storage_classes("default") == [None]
    assert storage_classes("minikube") == ["csi-hostpath-sc"]


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
