"""scripts/credentials.sh's overlay on a real API server (issue 21, "Tested for real"): applied as
a person would after step 2, every pod admitted under the namespace's restricted Pod Security and
Ready; the Secrets hold the overlay's values, no demo value is left; and each change procedure
moves what it should and nothing else: --rotate app rolls the web pods and leaves every member
alone (the members' Secret is updated in place), --rotate keyfile rolls the members, and applying
again changes nothing. (The database side of those changes runs in tests/k8s, against FerretDB.)"""

from __future__ import annotations

import base64
import subprocess

import pytest

import readme
from kube import NAMESPACE, ROOT, generations

SCRIPT = ROOT / "scripts" / "credentials.sh"
STEP_2 = r"^kubectl patch storageclass csi-hostpath-sc"


def script(*args) -> None:
    result = subprocess.run(["bash", str(SCRIPT), *map(str, args)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def secret_values(cluster, name: str) -> dict[str, str]:
    data = cluster.get("secret", name, "-n", NAMESPACE)["data"]
    return {k: base64.b64decode(v).decode() for k, v in data.items()}


def env_file(path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if line and not line.startswith("#"))


def web_secret(cluster) -> str:
    """The Secret the web pods' MONGO_AUTH_PWD comes from (kustomize's hashed name)."""
    web = cluster.get("deployment", "pacman", "-n", NAMESPACE)
    env = web["spec"]["template"]["spec"]["containers"][0]["env"]
    return next(v["valueFrom"]["secretKeyRef"]["name"] for v in env if v["name"] == "MONGO_AUTH_PWD")


@pytest.fixture
def overlay(cluster, tmp_path):
    out = tmp_path / "overlay"
    script(out)
    step_2 = readme.only(readme.walkthrough(), STEP_2, "that makes csi-hostpath-sc the default class")
    assert cluster.shell(step_2.text).returncode == 0
    applied = cluster.kubectl("apply", "-k", str(out))
    assert "Warning" not in applied.stderr, applied.stderr
    cluster.wait_settled()
    yield out
    cluster.remove_the_game()


def test_the_overlay_deploys_with_its_own_credentials(cluster, overlay):
    pods = cluster.items("pods", "-n", NAMESPACE)
    assert len(pods) == 5 and all(p["status"]["phase"] == "Running" for p in pods)
    labels = cluster.get("namespace", NAMESPACE)["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"

    app, nxt, root = env_file(overlay / "app.env"), env_file(overlay / "app-next.env"), env_file(overlay / "root.env")
    assert secret_values(cluster, web_secret(cluster)) == app
    assert secret_values(cluster, "mongo-app-current") == {**app, **nxt}
    sts = cluster.get("statefulset", "mongo", "-n", NAMESPACE)
    spec = sts["spec"]["template"]["spec"]
    root_secret = next(v["valueFrom"]["secretKeyRef"]["name"] for v in spec["containers"][1]["env"] if v["name"] == "ROOT_PASSWORD")
    assert secret_values(cluster, root_secret) == root
    key_secret = next(v["secret"]["secretName"] for v in spec["volumes"] if v["name"] == "keyfile-secret")
    assert secret_values(cluster, key_secret)["keyfile"] == (overlay / "keyfile").read_text()
    for secret in cluster.items("secrets", "-n", NAMESPACE):
        for value in (secret.get("data") or {}).values():
            assert b"demo-only" not in base64.b64decode(value), f"{secret['metadata']['name']} holds a demo value"

    # applied again: nothing changes
    before = generations(cluster.ours())
    cluster.kubectl("apply", "-k", str(overlay))
    assert generations(cluster.ours()) == before


def test_the_games_password_change_rolls_the_web_pods_and_no_member(cluster, overlay):
    sts = cluster.get("statefulset", "mongo", "-n", NAMESPACE)
    web = cluster.get("deployment", "pacman", "-n", NAMESPACE)
    current = cluster.get("secret", "mongo-app-current", "-n", NAMESPACE)
    nxt = env_file(overlay / "app-next.env")
    script("--rotate", "app", overlay)
    cluster.kubectl("apply", "-k", str(overlay))
    cluster.wait_settled()
    assert cluster.get("statefulset", "mongo", "-n", NAMESPACE)["metadata"]["generation"] == sts["metadata"]["generation"]
    assert cluster.get("deployment", "pacman", "-n", NAMESPACE)["metadata"]["generation"] == web["metadata"]["generation"] + 1
    # the web pods now log in as the user the members already had as next
    assert secret_values(cluster, web_secret(cluster)) == {"username": nxt["next-username"], "password": nxt["next-password"]}
    updated = cluster.get("secret", "mongo-app-current", "-n", NAMESPACE)
    assert updated["metadata"]["uid"] == current["metadata"]["uid"]  # the same object, rewritten in place
    values = secret_values(cluster, "mongo-app-current")
    assert values["username"] == nxt["next-username"] and values["next-username"] == "pacman-3"


def test_the_key_file_change_rolls_the_members(cluster, overlay):
    sts = cluster.get("statefulset", "mongo", "-n", NAMESPACE)
    web = cluster.get("deployment", "pacman", "-n", NAMESPACE)
    for phase in (1, 2):
        script("--rotate", "keyfile", overlay)
        cluster.kubectl("apply", "-k", str(overlay))
        cluster.wait_settled()
        assert cluster.get("statefulset", "mongo", "-n", NAMESPACE)["metadata"]["generation"] == sts["metadata"]["generation"] + phase
    assert cluster.get("deployment", "pacman", "-n", NAMESPACE)["metadata"]["generation"] == web["metadata"]["generation"]


# ---- docs/credentials.md, its commands as written, in its order ----

LOCAL = ROOT / "k8s" / "local"
SAVED = ROOT / "build" / "cluster-test" / "k8s-local-of-the-developer"


def page_setup(walk):
    """The page starts after step 2 of the walkthrough, on a cluster without the game. Its
    commands write k8s/local: one a developer made is moved aside and put back afterwards."""
    if LOCAL.exists():
        SAVED.parent.mkdir(parents=True, exist_ok=True)
        LOCAL.rename(SAVED)
    step_2 = readme.only(readme.walkthrough(), STEP_2, "that makes csi-hostpath-sc the default class")
    assert walk.cluster.shell(step_2.text).returncode == 0


def page_teardown(walk):
    walk.cluster.remove_the_game()
    subprocess.run(["rm", "-rf", str(LOCAL)], check=True)
    if SAVED.exists():
        SAVED.rename(LOCAL)


def own_values(walk, command, result):
    """After the first apply of k8s/local: the web pods and the members use its values."""
    app = env_file(LOCAL / "app.env")
    assert secret_values(walk.cluster, web_secret(walk.cluster)) == app
    assert secret_values(walk.cluster, "mongo-app-current")["username"] == app["username"]


def web_rolled_not_members(walk, command, result):
    walk.cluster.wait_settled()
    sts = walk.cluster.get("statefulset", "mongo", "-n", NAMESPACE)
    assert sts["metadata"]["generation"] == walk.state[GAMES_PASSWORD], \
        "the game's password change restarted the members"
    assert secret_values(walk.cluster, web_secret(walk.cluster))["username"] == "pacman-2"


GAMES_PASSWORD = "the game's password: the web pods roll, no member"


def credentials_checks():
    from walkthrough import Check
    return [
        Check(r"^kubectl apply -k k8s/local$", "the overlay's own values in use", after=own_values, occurrence=1),
        Check(r"^kubectl apply -k k8s/local$", GAMES_PASSWORD,
              occurrence=2, after=web_rolled_not_members,
              before=lambda walk, command: walk.cluster.get("statefulset", "mongo", "-n", NAMESPACE)["metadata"]["generation"]),
    ]


def _page_test():
    from walkthrough import page_test
    return page_test("docs/credentials.md", programs=("kubectl", "scripts/credentials.sh"),
                     checks=credentials_checks, setup=page_setup, teardown=page_teardown)


test_credentials_page = _page_test()
