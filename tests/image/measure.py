"""The image's figures, for docs/image.md and docs/performance.md: size, libraries, how long
its build took, and the reference image (Node.js on Debian 12 slim) built beside it.

    measure.py [--image IMAGE] [--log BUILD_LOG] [--as before]

Run by tests/image/run.sh after the image suite passed. Reads the image from podman storage
(CONTAINERS_STORAGE_CONF and PODMAN_FLAGS as tests/podman.sh sets them) and the build's log, each
line of which tests/image/build.sh starts with the seconds since the build began. Writes
image.json through tests/docs/results.py: build/results/ under `make test`, docs/results/ under
`make figures`. Figures a run cannot take are carried over from the file it replaces: a build
whose steps came from the layer cache says nothing of a build from nothing (cold_build), and
`before` is the image as it was before tests/image/libraries.sh (measured once, at 1eff355,
with --as before).
"""

import argparse
import io
import json
import os
import re
import shlex
import subprocess
import sys
import tarfile
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "docs"))
import results  # noqa: E402

PODMAN = ["podman", *shlex.split(os.environ.get("PODMAN_FLAGS", ""))]
# The build stage's steps worth timing, by what their RUN line says.
STEPS = {"packages_s": "RUN apt-get update", "libraries_s": "RUN tests/image/libraries.sh",
         "server_s": "RUN make build"}


def podman(*args) -> bytes:
    return subprocess.run([*PODMAN, *args], capture_output=True, check=True, timeout=300).stdout


def image_figures(image: str) -> dict:
    size = int(podman("image", "inspect", "--format", "{{.Size}}", image))
    created = podman("create", image).decode().strip()
    try:
        archive = tarfile.open(fileobj=io.BytesIO(podman("export", created)))
    finally:
        podman("rm", created)
    libraries = {}
    for member in archive.getmembers():
        name = PurePosixPath(member.name).name
        if member.isfile() and ".so" in name:
            libraries[name] = member.size
    icu_data = next((s for n, s in libraries.items() if n.startswith("libicudata")), 0)
    largest = sorted(libraries.items(), key=lambda item: -item[1])[:5]
    return {"size_mb": round(size / 1e6, 2), "libraries": len(libraries),
            "libraries_mb": round(sum(libraries.values()) / 1e6, 2),
            "icu_data_kib": round(icu_data / 1024, 1),
            "largest": [{"library": name, "size_mb": round(s / 1e6, 2)} for name, s in largest]}


def build_figures(log: Path) -> dict | None:
    """Seconds per timed step and in all, from a build that ran every step (None if any came
    from the layer cache)."""
    lines = log.read_text().splitlines()
    if any("Using cache" in line for line in lines):
        return None
    stamped = [(int(m[1]), m[2]) for m in (re.match(r"(\d+) (.*)", line) for line in lines) if m]
    steps = [(t, text) for t, text in stamped if re.search(r"STEP \d+/\d+: ", text)]
    figures = {"total_s": stamped[-1][0]}
    for key, marker in STEPS.items():
        for index, (started, text) in enumerate(steps):
            if marker in text and index + 1 < len(steps):
                figures[key] = steps[index + 1][0] - started
    return figures


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--image", default=os.environ.get("PACMAN_IMAGE", "pacman:local"))
    parser.add_argument("--log", type=Path, default=ROOT / "build/image/build.log")
    parser.add_argument("--sizes", type=Path, default=ROOT / "build/image/sizes.json",
                        help="what tests/image/build.sh measured of the reference image")
    parser.add_argument("--as", dest="part", choices=["after", "before"], default="after")
    parser.add_argument("--by", default="make test-image (tests/image/measure.py)",
                        help="what ran the measurement, for the results file")
    args = parser.parse_args()

    previous = {}
    for candidate in (results.results_dir() / "image.json", results.DOCS_RESULTS / "image.json"):
        if candidate.exists():
            previous = json.loads(candidate.read_text())
            break
    figures = image_figures(args.image)
    build = build_figures(args.log) if args.log.exists() else None
    if build:
        figures["cold_build"] = build
    if args.part == "before":
        version = podman("image", "inspect", "--format",
                         '{{index .Labels "org.opencontainers.image.version"}}', args.image).decode().strip()
        figures["measured"] = {**results.measured(f"tests/image/measure.py --as before ({args.image})"),
                               "commit": version}   # what the image was built from
        data = {k: v for k, v in previous.items() if k != "measured"}
        data["before"] = figures
        path = results.write("image", data, previous.get("measured", {}).get("by", "?"),
                             **{k: v for k, v in previous.get("measured", {}).items() if k != "by"})
    else:
        if not build and "cold_build" in previous:
            figures["cold_build"] = previous["cold_build"]
        if "before" in previous:
            figures["before"] = previous["before"]
        # The reference: the old demo's runtime, built by tests/image/build.sh in the same run.
        if args.sizes.exists():
            sizes = json.loads(args.sizes.read_text())
            reference_mb = round(sizes["reference_bytes"] / 1e6, 2)
            figures["reference"] = {"name": sizes["reference"], "size_mb": reference_mb,
                                    "ratio": round(figures["size_mb"] / reference_mb, 3)}
            figures["base_mb"] = round(sizes["base_bytes"] / 1e6, 2)   # Debian 12 slim alone
        elif "reference" in previous:
            figures["reference"], figures["base_mb"] = previous["reference"], previous.get("base_mb")
        path = results.write("image", figures, args.by)
    print(f"image: {json.dumps({k: v for k, v in figures.items() if k != 'before'})} -> "
          f"{path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
