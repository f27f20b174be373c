"""Each class of mistake, made on purpose in the rendered manifests, is caught by a check.
(Mistakes the API server itself refuses or warns about, Pod Security, RBAC and a selector
against its template, are made on the real one: tests/cluster/test_api_server.py.)"""

import copy

import pytest

import harness
import manifests


def rendered(target="default"):
    return copy.deepcopy(list(manifests.render(manifests.targets()[target])))


def obj(docs, kind, name):
    return manifests.find(docs, kind, name)[0]


def web_container(docs):
    return obj(docs, *manifests.WEB)["spec"]["template"]["spec"]["containers"][0]


def set_env(container, name, value):
    container["env"] = [v for v in container["env"] if v["name"] != name]
    if value is not None:
        container["env"].append({"name": name, "value": value})


def misspell_container_port(docs):
    port = web_container(docs)["ports"][0]
    port["containerPrt"] = port.pop("containerPort")


def misspell_service_name(docs):
    spec = obj(docs, *manifests.MONGO)["spec"]
    spec["servicename"] = spec.pop("serviceName")


def replicas_as_string(docs):
    obj(docs, *manifests.WEB)["spec"]["replicas"] = "2"


def port_as_string(docs):
    obj(docs, "Service", "pacman")["spec"]["ports"][0]["port"] = "80"


def service_selector_typo(docs):
    obj(docs, "Service", "pacman")["spec"]["selector"]["app.kubernetes.io/name"] = "pacmna"


def pdb_v1beta1(docs):
    obj(docs, "PodDisruptionBudget", "mongo")["apiVersion"] = "policy/v1beta1"


def add_pod_security_policy(docs):
    docs.append({"apiVersion": "policy/v1beta1", "kind": "PodSecurityPolicy",
                 "metadata": {"name": "pacman", "labels": {"app.kubernetes.io/part-of": "pacman"}},
                 "spec": {}})


def hpa_v2beta2(docs):
    obj(docs, "HorizontalPodAutoscaler", "pacman")["apiVersion"] = "autoscaling/v2beta2"


def target_port_number_wrong(docs):
    obj(docs, "Service", "pacman")["spec"]["ports"][0]["targetPort"] = 8081


def target_port_name_wrong(docs):
    obj(docs, "Service", "mongo")["spec"]["ports"][0]["targetPort"] = "mongodb"


def service_name_not_headless(docs):
    del obj(docs, "Service", "mongo")["spec"]["clusterIP"]


def claim_not_mounted(docs):
    mongod = obj(docs, *manifests.MONGO)["spec"]["template"]["spec"]["containers"][0]
    mongod["volumeMounts"] = [m for m in mongod["volumeMounts"] if m["name"] != "data"]


def env_not_read(docs):
    set_env(web_container(docs), "MONGO_HOST", "mongo")


def env_required_missing(docs):
    set_env(web_container(docs), "MONGO_REPLICA_SET", None)


def image_not_built(docs):
    web_container(docs)["image"] = "pacman:latest"


def probe_port_wrong(docs):
    web_container(docs)["readinessProbe"]["httpGet"]["port"] = 9090


def drain_defaulted_and_grace_too_short(docs):
    """Without SHUTDOWN_* set, the server's own defaults count."""
    container = web_container(docs)
    set_env(container, "SHUTDOWN_DRAIN_SECONDS", None)
    set_env(container, "SHUTDOWN_GRACE_SECONDS", None)
    obj(docs, *manifests.WEB)["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] = 20


def grace_too_short(docs):
    obj(docs, *manifests.WEB)["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] = 10


def secret_key_typo(docs):
    for var in web_container(docs)["env"]:
        if var["name"] == "MONGO_AUTH_PWD":
            var["valueFrom"]["secretKeyRef"]["key"] = "pasword"


def bootstrap(docs):
    return manifests.container_named(obj(docs, *manifests.MONGO), manifests.BOOTSTRAP_CONTAINER)


def fixed_member_count(docs):
    set_env(bootstrap(docs), "MONGO_MEMBERS", "3")


def mongosh_probe(docs):
    mongod = obj(docs, *manifests.MONGO)["spec"]["template"]["spec"]["containers"][0]
    mongod["livenessProbe"] = {"exec": {"command": ["mongosh", "--quiet", "--eval", "db.adminCommand('ping')"]},
                               "periodSeconds": 20}


def bootstrap_credentials_elsewhere(docs):
    docs.append({"apiVersion": "v1", "kind": "Secret", "metadata": {
        "name": "old-app", "namespace": "pacman", "labels": {"app.kubernetes.io/part-of": "pacman"}},
        "type": "Opaque", "data": {"username": "cGFjbWFu", "password": "b2xk"}})
    for volume in obj(docs, *manifests.MONGO)["spec"]["template"]["spec"]["volumes"]:
        if volume["name"] == "app-credentials":
            volume["secret"]["secretName"] = "old-app"


def readiness_script_missing(docs):
    for cm in manifests.find(docs, "ConfigMap"):
        (cm.get("data") or {}).pop("member-ready.sh", None)


def app_user_too_powerful(docs):
    boot = obj(docs, *manifests.MONGO)["spec"]["template"]["spec"]["containers"][1]
    set_env(boot, "APP_ROLE", "dbOwner")


def network_policy_from_typo(docs):
    rule = obj(docs, "NetworkPolicy", "mongo")["spec"]["ingress"][0]
    rule["from"][0]["podSelector"]["matchLabels"]["app.kubernetes.io/component"] = "frontend"


def unpinned_mongo(docs):
    obj(docs, *manifests.MONGO)["spec"]["template"]["spec"]["containers"][0]["image"] = "mongo"


MISTAKES = [
    # (mistake, target, change, text the report must contain)
    ("misspelled field", "default", misspell_container_port, "'containerPrt' was unexpected"),
    ("misspelled field", "default", misspell_service_name, "'servicename' was unexpected"),
    ("wrong type", "default", replicas_as_string, "'2' is not of type 'integer'"),
    ("wrong type", "default", port_as_string, "'80' is not of type 'integer'"),
    ("selector mismatch", "default", service_selector_typo, "Service/pacman: selector"),
    ("selector mismatch", "default", network_policy_from_typo, "NetworkPolicy/mongo: ingress from"),
    ("removed API", "default", pdb_v1beta1, "does not serve policy/v1beta1 PodDisruptionBudget"),
    ("removed API", "default", add_pod_security_policy, "does not serve policy/v1beta1 PodSecurityPolicy"),
    ("removed API", "hpa", hpa_v2beta2, "Kubernetes 1.27 does not serve autoscaling/v2beta2"),
    ("wrong target port", "default", target_port_number_wrong, "targetPort 8081 (port 80) is no container port"),
    ("wrong target port", "default", target_port_name_wrong, "targetPort 'mongodb' (port 27017) is no container port"),
    ("wrong probe port", "default", probe_port_wrong, "readinessProbe port 9090 is no container port"),
    ("serviceName not headless", "default", service_name_not_headless, "is not a headless Service"),
    ("claim template not mounted", "default", claim_not_mounted, "volumeClaimTemplate 'data' is mounted by no container"),
    ("env var the server does not read", "default", env_not_read, "sets MONGO_HOST, which the server does not read"),
    ("required env var missing", "default", env_required_missing, "does not set MONGO_REPLICA_SET"),
    ("image the build does not produce", "default", image_not_built, "is not what the build produces"),
    ("grace period too short", "default", grace_too_short, "terminationGracePeriodSeconds 10 is shorter"),
    ("grace period too short", "default", drain_defaulted_and_grace_too_short, "terminationGracePeriodSeconds 20 is shorter"),
    ("Secret key that does not exist", "default", secret_key_typo, "uses key 'pasword'"),
    ("member count fixed", "default", fixed_member_count, "bootstrap MONGO_MEMBERS fixes the member count"),
    ("probe that starts mongosh", "default", mongosh_probe, "livenessProbe runs mongosh"),
    ("bootstrap and web with different passwords", "default", bootstrap_credentials_elsewhere,
     "differs from the bootstrap's old-app/password"),
    ("probe script not shipped", "default", readiness_script_missing, "runs /scripts/member-ready.sh, which ConfigMap"),
    ("database user beyond least privilege", "default", app_user_too_powerful, "gets role 'dbOwner'"),
    ("unpinned image", "default", unpinned_mongo, "image 'mongo' has no pinned tag"),
]


def problems_of(docs):
    return manifests.schema_problems(docs) + manifests.cross_problems(docs)


@pytest.mark.parametrize("target", ["default", "hpa"])
def test_unchanged_manifests_have_no_problems(target):
    assert problems_of(rendered(target)) == []


@pytest.mark.parametrize("mistake,target,change,expected", MISTAKES,
                         ids=[f"{m[0]}: {m[2].__name__}" for m in MISTAKES])
def test_mistake_is_caught(mistake, target, change, expected):
    docs = rendered(target)
    change(docs)
    problems = problems_of(docs)
    assert any(expected in p for p in problems), f"{mistake} not caught; problems: {problems}"


def test_every_mistake_class_of_the_issue_is_covered():
    classes = {m[0] for m in MISTAKES}
    assert {"misspelled field", "wrong type", "selector mismatch", "removed API", "wrong target port"} <= classes


def test_probe_path_the_server_does_not_answer_is_caught():
    docs = rendered()
    web_container(docs)["livenessProbe"]["httpGet"]["path"] = "/health"
    srv = harness.Server(log_path=harness.BUILD / "k8s" / "server.log").start()
    try:
        assert manifests.probe_problems(rendered(), srv.url) == []
        problems = manifests.probe_problems(docs, srv.url)
    finally:
        srv.stop()
    assert any(p.startswith("livenessProbe /health: the server answers 404") for p in problems), problems
