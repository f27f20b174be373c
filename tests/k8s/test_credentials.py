"""scripts/credentials.sh: an overlay with credentials of this cluster's own for every Secret the
manifests make (issue 21: defects 1 and 2, and the change procedures of docs/credentials.md),
rendered by the pinned kustomize and checked like k8s/ itself. Its overlay applied on a real API
server: tests/cluster/test_credentials.py. The database half of the changes (the bootstrap on
FerretDB) is test_mongosh.py; a password change under load is test_password_change.py."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
import yaml

import kube_score
import manifests
from test_mongosh import MONGOSH, ROOT_PASSWORD, ROOT_USER, AuthFerretDB

ROOT = manifests.ROOT
SCRIPT = ROOT / "scripts" / "credentials.sh"
DEMO = ROOT / "k8s" / "base" / "mongo"
SECRETS = ("mongo-root", "mongo-app", "mongo-app-current", "mongo-keyfile")
HEX_PASSWORD = re.compile(r"[0-9a-f]{48}")
KEY = re.compile(r"[A-Za-z0-9+/=]{6,1024}")  # MongoDB: 6 to 1024 base64 characters


def run(*args, cwd=ROOT, env=None) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(SCRIPT), *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=60, env=env)


def make(tmp_path, *args) -> Path:
    out = tmp_path / "overlay"
    result = run(*args, out)
    assert result.returncode == 0, result.stderr
    return out


def render(path: Path) -> list[dict]:
    manifests.render.cache_clear()  # the overlay's files change between calls
    return list(manifests.render(path))


def secrets(docs) -> dict[str, dict[str, str]]:
    """Secret name without kustomize's hash suffix -> its data, decoded."""
    out = {}
    for d in docs:
        if d["kind"] == "Secret":
            name = re.sub(r"-[a-z0-9]{10}$", "", d["metadata"]["name"])
            out[name] = {k: base64.b64decode(v).decode() for k, v in (d.get("data") or {}).items()}
    return out


def env_values(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if line and not line.startswith("#"))


def test_every_secret_is_replaced_with_distinct_random_values(tmp_path):
    docs = render(make(tmp_path))
    mine, demo = secrets(docs), secrets(manifests.render(manifests.targets()["default"]))
    assert set(mine) == set(SECRETS)
    for name in SECRETS:
        assert mine[name] != demo[name], f"{name} still holds the demo values"
    passwords = [mine["mongo-root"]["password"], mine["mongo-app"]["password"], mine["mongo-app-current"]["next-password"]]
    assert all(HEX_PASSWORD.fullmatch(p) for p in passwords), passwords
    assert len(set(passwords)) == 3, "the administrator, the game's user and its next user share a password"
    # defect 1: the members' copy carries the same game's user as the web pods' Secret
    assert mine["mongo-app-current"]["username"] == mine["mongo-app"]["username"] == "pacman"
    assert mine["mongo-app-current"]["password"] == mine["mongo-app"]["password"]
    assert mine["mongo-app-current"]["next-username"] == "pacman-2"
    assert KEY.fullmatch(mine["mongo-keyfile"]["keyfile"].strip()) and len(mine["mongo-keyfile"]["keyfile"].strip()) == 1008
    # the members' copy keeps its fixed name (mounted as files, updated in place)
    assert [d["metadata"]["name"] for d in docs if d["kind"] == "Secret" and d["metadata"]["name"].startswith("mongo-app-current")] == ["mongo-app-current"]


def test_no_two_overlays_share_anything(tmp_path):
    a, b = secrets(render(make(tmp_path / "a"))), secrets(render(make(tmp_path / "b")))
    for name in SECRETS:
        for key, value in a[name].items():
            if key not in ("username", "next-username"):
                assert value != b[name][key], f"{name}/{key} is the same in two overlays"


def test_the_overlay_passes_every_check_k8s_itself_passes(tmp_path):
    """The same offline checks as every entry point: schemas, the cross-object checks (the web
    pods and the bootstrap on the same user), kube-score."""
    out = make(tmp_path, "--component", "ingress", "--component", "hpa")
    docs = render(out)
    assert {"Ingress", "HorizontalPodAutoscaler"} <= {d["kind"] for d in docs}
    assert manifests.schema_problems(docs) == []
    assert manifests.cross_problems(docs) == []
    assert kube_score.unexplained(kube_score.findings(kube_score.dump(docs)), kube_score.ignore_list()) == []
    # everything but the Secrets (and the names of the hashed ones) is what the base renders
    strip = lambda ds: [d for d in json.loads(re.sub(r"mongo-(app|root|keyfile)-[a-z0-9]{10}", r"mongo-\1",  # noqa: E731
                                                    json.dumps(ds))) if d["kind"] != "Secret"]
    base = render(ROOT / "k8s" / "overlays" / "ingress-hpa")
    assert strip(docs) == strip(base)


def test_the_files_are_private_and_ignored_by_git(tmp_path):
    out = make(tmp_path)
    for path in out.iterdir():
        assert path.stat().st_mode & 0o077 == 0, f"{path.name} is readable by others"
    assert (out / ".gitignore").read_text() == "*\n"
    repo = tmp_path / "repo"
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    inside = repo / "k8s-local"
    assert run(inside).returncode == 0
    status = subprocess.run(["git", "-C", str(repo), "status", "--porcelain", "--untracked-files=all"],
                            capture_output=True, text=True, check=True).stdout
    assert status == "", f"git would commit: {status}"


def test_running_again_keeps_the_credentials_and_rewrites_the_components(tmp_path):
    out = make(tmp_path)
    before = {p.name: p.read_text() for p in out.iterdir() if p.name != "kustomization.yaml"}
    again = run("--component", "ingress", out)
    assert again.returncode == 0, again.stderr
    assert {p.name: p.read_text() for p in out.iterdir() if p.name != "kustomization.yaml"} == before
    assert "Ingress" in {d["kind"] for d in render(out)}


def test_an_overlay_inside_its_base_is_refused_with_a_message(tmp_path):
    result = run("--base", ROOT / "k8s", ROOT / "k8s" / "not-here")
    assert result.returncode == 1
    assert "cannot be inside what it builds on" in result.stderr
    assert not (ROOT / "k8s" / "not-here").exists()


def test_the_games_password_change_moves_to_the_next_user(tmp_path):
    """--rotate app: the web pods' Secret takes the next user as it was (the members have had it
    since the last change), and a new next user gets a new password; the user the web pods
    leave is in neither, so the bootstrap leaves its password alone until its turn."""
    out = make(tmp_path)
    before = secrets(render(out))
    result = run("--rotate", "app", out)
    assert result.returncode == 0, result.stderr
    after = secrets(render(out))
    assert after["mongo-app"] == {"username": before["mongo-app-current"]["next-username"],
                                  "password": before["mongo-app-current"]["next-password"]}
    assert after["mongo-app-current"]["username"] == "pacman-2"
    assert after["mongo-app-current"]["next-username"] == "pacman-3"
    assert after["mongo-app-current"]["next-password"] not in (before["mongo-app"]["password"],
                                                                before["mongo-app-current"]["next-password"])
    assert after["mongo-root"] == before["mongo-root"] and after["mongo-keyfile"] == before["mongo-keyfile"]

    # one change at a time: the next one must wait for this one's rollout and new next user
    refused = run("--rotate", "app", out)
    assert refused.returncode == 1 and "let it finish first" in refused.stderr
    assert secrets(render(out)) == after
    users = []
    for _ in range(3):
        assert run("--rotate", "app", "--force", out).returncode == 0
        users.append(secrets(render(out))["mongo-app"]["username"])
    assert users == ["pacman-3", "pacman", "pacman-2"]  # the three users in turn


def test_the_key_file_changes_in_two_applies(tmp_path):
    out = make(tmp_path)
    old = (out / "keyfile").read_text().strip()
    assert run("--rotate", "keyfile", out).returncode == 0
    both = yaml.safe_load((out / "keyfile").read_text())
    assert isinstance(both, list) and len(both) == 2 and both[0] == old and both[1] != old
    assert all(KEY.fullmatch(k) for k in both)
    assert secrets(render(out))["mongo-keyfile"]["keyfile"] == (out / "keyfile").read_text()
    assert run("--rotate", "keyfile", out).returncode == 0
    assert (out / "keyfile").read_text().strip() == both[1]


def test_adopting_a_running_cluster_keeps_what_it_runs_on(tmp_path):
    out = make(tmp_path, "--adopt")
    demo = secrets(manifests.render(manifests.targets()["default"]))
    mine = secrets(render(out))
    assert mine["mongo-root"] == demo["mongo-root"] and mine["mongo-app"] == demo["mongo-app"]
    assert mine["mongo-keyfile"] == demo["mongo-keyfile"]
    assert mine["mongo-app-current"]["next-username"] == "pacman-2"
    assert mine["mongo-app-current"]["next-password"] != demo["mongo-app-current"]["next-password"]


def test_rotate_needs_an_overlay_and_says_so(tmp_path):
    result = run("--rotate", "app", tmp_path / "none")
    assert result.returncode == 1 and "run without --rotate first" in result.stderr


def test_it_runs_on_bash_and_openssl_with_posix_tools_only(tmp_path):
    """Portable (Linux and macOS): no in-place sed (BSD sed refuses `-i` without a suffix),
    none of GNU's own options, and nothing but bash, openssl and POSIX utilities on the PATH."""
    text = SCRIPT.read_text()
    code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    for gnu_only in (r"\bsed\s+(-\w*\s+)*-i", r"\bsed -E", r"\bsed -r", r"\brealpath\b", r"readlink -f",
                     r"\bdate -d", r"\bstat -c", r"\bgrep -P", r"\bbase64 -w", r"\bmktemp --", r"\bdeclare -A",
                     r"\bmapfile\b", r"\breadarray\b", r"\bhead -n -"):
        assert not re.search(gnu_only, code), f"not portable: {gnu_only}"
    tools = tmp_path / "bin"
    tools.mkdir()
    for name in ("bash", "openssl", "tr", "head", "sed", "date", "dirname", "mkdir", "mv", "cp", "rmdir"):
        os.symlink(shutil.which(name), tools / name)
    result = run(tmp_path / "overlay", env={"PATH": str(tools), "HOME": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert run("--rotate", "keyfile", tmp_path / "overlay", env={"PATH": str(tools)}).returncode == 0
    assert run("--rotate", "app", tmp_path / "overlay", env={"PATH": str(tools)}).returncode == 0


def test_the_administrators_password_change_prints_commands_that_work(tmp_path):
    """--rotate root writes the new password and prints two commands: set it in the database
    (change-root-password.sh, from the ConfigMap, in a member's mongod container), then apply.
    The first is run here as printed, with `kubectl exec` replaced by running the same script
    on this machine against FerretDB with SCRAM, in the environment the mongod container has."""
    out = make(tmp_path)
    result = run("--rotate", "root", out)
    assert result.returncode == 0, result.stderr
    commands = [line for line in result.stderr.splitlines() if not line.startswith("credentials:")]
    exec_line = "kubectl exec -i mongo-0 -n pacman -c mongod -- bash /scripts/change-root-password.sh"
    assert commands == [f"sed -n 's/^password=//p' {out}/root.env | {exec_line}", f"kubectl apply -k {out}"]
    new = env_values(out / "root.env")["password"]
    assert HEX_PASSWORD.fullmatch(new)

    db = AuthFerretDB()
    try:
        local = commands[0].replace(exec_line, f"bash {DEMO}/change-root-password.sh")
        env = {"PATH": f"{Path(MONGOSH).parent}:{os.environ['PATH']}", "HOME": str(tmp_path),
               "MONGO_PORT": str(db.port), "MONGO_INITDB_ROOT_USERNAME": ROOT_USER,
               "MONGO_INITDB_ROOT_PASSWORD": ROOT_PASSWORD}
        changed = subprocess.run(["bash", "-o", "pipefail", "-c", local], env=env, capture_output=True,
                                 text=True, timeout=90)
        assert changed.returncode == 0, changed.stdout + changed.stderr
        assert "new password set" in changed.stdout
        login = lambda pw: subprocess.run(  # noqa: E731
            [MONGOSH, f"mongodb://127.0.0.1:{db.port}/?directConnection=true", "--quiet", "--norc", "--eval",
             f"try {{ db.getSiblingDB('admin').auth('{ROOT_USER}', '{pw}'); print('yes') }} catch (e) {{ print('no') }}"],
            capture_output=True, text=True, timeout=60, env={**os.environ, "HOME": str(tmp_path)}).stdout.strip()
        assert login(new).endswith("yes") and login(ROOT_PASSWORD).endswith("no")
        # and nothing was passed on a command line: an empty stdin is refused, not taken for a password
        empty = subprocess.run(["bash", f"{DEMO}/change-root-password.sh"], input="", env=env,
                               capture_output=True, text=True, timeout=30)
        assert empty.returncode == 2 and "no new password on stdin" in empty.stderr
    finally:
        db.stop()
