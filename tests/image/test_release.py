"""What the release publishes is what the image suite tests, and the workflows lint clean.

Run by tests/image/release.sh (`make test-release`), which builds the pinned actionlint and
kustomize first and passes their paths in ACTIONLINT and KUSTOMIZE. Nothing here needs podman.
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
IMAGE = "ghcr.io/pacman-k8s/pacman"
ACTIONLINT = os.environ.get("ACTIONLINT", str(ROOT / "build" / "tools" / "actionlint"))
KUSTOMIZE = os.environ.get("KUSTOMIZE", str(ROOT / "build" / "tools" / "kustomize"))


def workflow(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS / name).read_text())


def steps(document: dict):
    for job in document["jobs"].values():
        yield from job.get("steps", [])


def build_args() -> dict:
    output = subprocess.run([ROOT / "tests/image/build-args.sh"], capture_output=True, text=True,
                            check=True, timeout=30).stdout
    return dict(line.split("=", 1) for line in output.splitlines())


def test_the_release_builds_the_dockerfile_with_the_tested_build_arguments():
    release = workflow("release.yml")
    build = [s for s in steps(release) if s.get("uses", "").startswith("docker/build-push-action@")]
    assert len(build) == 1
    inputs = build[0]["with"]
    assert inputs["context"] == "." and inputs["file"] == "Dockerfile"
    assert inputs["platforms"] == "linux/amd64,linux/arm64"
    assert inputs["push"] is True and inputs["sbom"] is True and inputs["provenance"] == "mode=max"
    assert inputs["tags"] == "${{ env.IMAGE }}:${{ github.ref_name }}"
    assert release["env"]["IMAGE"] == IMAGE
    assert "target" not in inputs, "the release must build the Dockerfile's last stage, as tests do"
    # the build arguments are the output of the step that runs tests/image/build-args.sh
    match = re.fullmatch(r"\$\{\{ steps\.(\w+)\.outputs\.(\w+) \}\}", inputs["build-args"])
    assert match, inputs["build-args"]
    step = next(s for s in steps(release) if s.get("id") == match[1])
    assert "args=$(tests/image/build-args.sh)" in step["run"]
    assert f'echo "{match[2]}<<ARGS"; echo "$args"' in step["run"]
    # ... and nothing else goes in: no other build-arg anywhere in the workflow
    assert release_text().count("--build-arg") == 0


def release_text() -> str:
    return (WORKFLOWS / "release.yml").read_text()


def test_the_image_suite_builds_with_the_same_arguments():
    build_sh = (ROOT / "tests/image/build.sh").read_text()
    assert "done < <(tests/image/build-args.sh)" in build_sh
    builds = [line for line in build_sh.splitlines() if re.search(r"\bpm build\b", line)
              and "reference.Dockerfile" not in line]
    assert builds and all('"${build_args[@]}"' in line for line in builds), builds
    assert "--build-arg" not in build_sh.replace('--build-arg "$arg"', "")


def test_the_dockerfile_declares_exactly_the_build_arguments():
    declared = set(re.findall(r"^ARG (\w+)", (ROOT / "Dockerfile").read_text(), re.M))
    assert declared == set(build_args())


def test_build_args_name_the_commit():
    args = build_args()
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout.strip()
    assert args["REVISION"] == head
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", args["CREATED"])
    assert args["VERSION"]


def test_every_action_is_pinned_by_commit():
    """A tag can be moved to other code; a commit cannot. The comment says which release it is
    (docs/releasing.md, "Moving a pinned action")."""
    uses = []
    for path in sorted(WORKFLOWS.glob("*.yml")):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            found = re.search(r"\buses: (\S+)(.*)", line)
            if found:
                uses.append((f"{path.name}:{number}", found[1], found[2]))
    assert len(uses) >= 10
    for where, action, comment in uses:
        if action.startswith("./"):
            continue  # this repository's own reusable workflow
        assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", action), f"{where}: {action}"
        assert re.fullmatch(r" # v\d+\.\d+\.\d+", comment), f"{where}: {action}{comment}"


def test_ci_runs_make_test_in_debian_12_and_the_release_waits_for_it():
    ci = workflow("ci.yml")
    job = ci["jobs"]["test"]
    assert job["container"]["image"] == "debian:12"
    assert job["steps"][-1]["run"] == "bash .ci/run"
    assert (ROOT / ".ci/run").read_text().rstrip().endswith("make test")
    triggers = ci[True]  # YAML 1.1 reads the key `on` as true
    assert {"push", "pull_request", "workflow_call"} <= set(triggers)
    release = workflow("release.yml")
    assert release["jobs"]["test"]["uses"] == "./.github/workflows/ci.yml"
    assert release["jobs"]["publish"]["needs"] == "test"
    assert release[True]["push"]["tags"] == ["v[0-9]+.[0-9]+.[0-9]+"]


def test_the_release_signs_what_it_pushed_by_digest():
    text = release_text()
    assert 'cosign sign --yes "$IMAGE@$DIGEST"' in text
    assert "DIGEST: ${{ steps.build.outputs.digest }}" in text
    assert release_text().count("id-token: write") == 1


def actionlint(*args, cwd=ROOT, stdin=None) -> subprocess.CompletedProcess:
    return subprocess.run([ACTIONLINT, "-no-color", "-oneline", *args], cwd=cwd, input=stdin,
                          capture_output=True, text=True, timeout=120)


def test_actionlint_passes_the_workflows():
    result = actionlint()
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_catches_a_broken_workflow():
    """The check can fail: the build arguments taken from a step that does not exist, and a
    shell mistake that shellcheck finds in a run: script."""
    broken = release_text().replace("${{ steps.args.outputs.list }}", "${{ steps.argz.outputs.list }}", 1)
    result = actionlint("-", stdin=broken)
    assert result.returncode == 1 and '"argz"' in result.stdout, result.stdout
    if shutil.which("shellcheck"):
        broken = release_text().replace('grep -qx "VERSION=$GITHUB_REF_NAME"',
                                        "grep -qx VERSION=$GITHUB_REF_NAME", 1)
        result = actionlint("-", stdin=broken)
        assert result.returncode == 1 and "shellcheck" in result.stdout, result.stdout


def kustomize_build(tmp_path: Path, kustomization: str) -> list[dict]:
    overlay = tmp_path / "overlay"
    overlay.mkdir()
    (overlay / "kustomization.yaml").write_text(kustomization)
    # kustomize refuses paths outside the overlay's tree: the overlay sits in a copy of k8s/
    shutil.copytree(ROOT / "k8s", tmp_path / "k8s")
    output = subprocess.run([KUSTOMIZE, "build", str(overlay)], capture_output=True, text=True,
                            check=True, timeout=120).stdout
    return list(yaml.safe_load_all(output))


def web_image(objects: list[dict]) -> str:
    deployment = next(o for o in objects if o["kind"] == "Deployment" and o["metadata"]["name"] == "pacman")
    return deployment["spec"]["template"]["spec"]["containers"][0]["image"]


@pytest.mark.parametrize("extra, expected", [
    ("", f"{IMAGE}:v1.0.0"),
    ("images:\n  - name: ghcr.io/pacman-k8s/pacman\n    digest: sha256:" + "0" * 64 + "\n",
     f"{IMAGE}@sha256:" + "0" * 64),
])
def test_the_published_image_component(tmp_path, extra, expected):
    objects = kustomize_build(tmp_path, "apiVersion: kustomize.config.k8s.io/v1beta1\n"
                                        "kind: Kustomization\nresources: [../k8s]\n"
                                        "components: [../k8s/components/published-image]\n" + extra)
    assert web_image(objects) == expected


def test_the_manifests_stay_on_the_local_image_until_a_release_exists(tmp_path):
    objects = kustomize_build(tmp_path, "apiVersion: kustomize.config.k8s.io/v1beta1\n"
                                        "kind: Kustomization\nresources: [../k8s]\n")
    assert web_image(objects) == "pacman:local"
