"""tests/helm imports the kustomize manifests' checks (tests/k8s/manifests.py): the chart's
renders must pass the same ones."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "k8s"))
