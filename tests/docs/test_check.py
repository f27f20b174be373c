"""tests/docs/check.py can fail: each kind of mistake it exists to catch, made on purpose in a
copy of this tree, is reported; the tree as committed passes; a refresh repairs a figure.
Also the figure rules of tests/docs/figures.py. Run by `make test-docs` (python3 -m unittest)."""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import check  # noqa: E402
import figures  # noqa: E402

REPO = HERE.parents[1]


class FigureRules(unittest.TestCase):
    def test_decimals_and_thousands_follow_the_text(self):
        self.assertEqual(figures.expected_text(16.2999, "16.3 MiB", "memory.idle_mib"), "16.3 MiB")
        self.assertEqual(figures.expected_text(69604.4, "1", "static.pacman_rps"), "69,604")
        self.assertEqual(figures.expected_text(999.6, "1", "x.count"), "1,000")
        self.assertEqual(figures.expected_text(0.905, "0.90×", "x.ratio"), "0.91×")   # half up
        self.assertEqual(figures.expected_text(152, "0 s", "fresh.clone_to_page_s"), "152 s")

    def test_a_unit_the_key_does_not_have_is_refused(self):
        with self.assertRaises(figures.FigureError):
            figures.expected_text(16.3, "16.3 MB", "memory.idle_mib")
        with self.assertRaises(figures.FigureError):
            figures.expected_text(0.91, "0.91", "ceiling.ratio")

    def test_strings_are_quoted_whole_and_other_values_refused(self):
        self.assertEqual(figures.expected_text("abc123", "x", "measured.commit"), "abc123")
        with self.assertRaises(figures.FigureError):
            figures.expected_text({"a": 1}, "1", "memory")
        with self.assertRaises(figures.FigureError):
            figures.expected_text(3, "three", "x.count")

    def test_key_paths(self):
        data = {"a": {"b": [1, {"c": 2}]}}
        self.assertEqual(figures.lookup(data, "a.b.1.c"), 2)
        with self.assertRaises(figures.FigureError):
            figures.lookup(data, "a.x")

    def test_github_anchors(self):
        self.assertEqual(check.slug("2. Make `csi-hostpath-sc` the default storage class"),
                         "2-make-csi-hostpath-sc-the-default-storage-class")
        self.assertEqual(check.slug("The API, against a real database"), "the-api-against-a-real-database")
        self.assertEqual(check.slug("The *Database* panel's reaction time"), "the-database-panels-reaction-time")


class Mistakes(unittest.TestCase):
    """A copy of the docs and what they point at, broken one way at a time."""

    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="docs-check-"))
        root = self.tmp
        # The pages, what they link to outside docs/, and what the checks read.
        self.root = root / "repo"
        shutil.copytree(REPO / "docs", self.root / "docs")
        shutil.copytree(REPO / "tests" / "cluster", self.root / "tests" / "cluster",
                        ignore=shutil.ignore_patterns("__pycache__"))
        for name in ("README.md", "Makefile", "SECURITY.md", "Dockerfile", "compose.yaml"):
            shutil.copy2(REPO / name, self.root / name)
        for tree in (".github", "k8s"):   # docs/releasing.md and compose.md link into them
            shutil.copytree(REPO / tree, self.root / tree)
        check.use_root(self.root)

    def tearDown(self):
        check.use_root(REPO)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def problems(self) -> str:
        return "\n".join(check.check())

    def edit(self, path: str, old: str, new: str):
        file = self.root / path
        text = file.read_text()
        self.assertIn(old, text, f"{path} no longer has {old!r}: update this test")
        file.write_text(text.replace(old, new, 1))

    def test_the_tree_as_committed_passes(self):
        self.assertEqual(self.problems(), "")

    def test_a_link_to_a_missing_file(self):
        self.edit("docs/kubernetes.md", "(other-clusters.md)", "(other-clusterz.md)")
        self.assertIn("docs/other-clusterz.md does not exist", self.problems())

    def test_a_missing_picture(self):
        self.edit("README.md", "docs/img/architecture.svg", "docs/img/architecture.png")
        self.assertIn("image to docs/img/architecture.png", self.problems())

    def test_an_anchor_no_heading_has(self):
        self.edit("README.md", "(#play-it-on-minikube)", "(#play-on-minikube)")
        self.assertIn("README.md has no heading with anchor #play-on-minikube", self.problems())

    def test_a_figure_its_file_contradicts(self):
        path = self.root / "docs" / "results" / "image.json"
        data = json.loads(path.read_text())
        data["size_mb"] += 10
        path.write_text(json.dumps(data))
        found = self.problems()
        self.assertIn("image.json#size_mb", found)
        self.assertIn("the file says", found)
        self.assertIn("table bench.targets is not what the results file gives now", found)
        check.refresh()   # what `make docs-refresh` does
        self.assertEqual(self.problems(), "")

    def test_a_figure_typed_by_hand(self):
        self.edit("docs/performance.md", "## The API, against a real database\n",
                  "## The API, against a real database\n\nIt idles at 7.6 MiB.\n")
        self.assertIn("'7.6 MiB' looks like a measured figure typed by hand", self.problems())

    def test_a_results_file_without_its_measured_block(self):
        path = self.root / "docs" / "results" / "bench.json"
        data = json.loads(path.read_text())
        del data["measured"]["commit"]
        path.write_text(json.dumps(data))
        self.assertIn("bench.json: `measured` has no 'commit'", self.problems())

    def test_a_page_the_readme_does_not_list_and_that_does_not_link_back(self):
        (self.root / "docs" / "orphan.md").write_text("# Orphan\n\nNothing here.\n")
        found = self.problems()
        self.assertIn("README.md: no link to docs/orphan.md", found)
        self.assertIn("docs/orphan.md: no link back to the README", found)

    def test_a_make_target_the_docs_do_not_describe(self):
        self.edit("Makefile", "\nclean:", "\nshiny: ## something new\n\techo\n\nclean:")
        self.assertIn("`make shiny` (in `make help`) is not described", self.problems())

    def test_kubectl_commands_no_test_runs(self):
        self.edit("docs/configuration.md", "## What `make run` sets",
                  "## Try it\n\n```sh\nkubectl get pods -n pacman\n```\n\n## What `make run` sets")
        self.assertIn("docs/configuration.md: kubectl commands that no test runs", self.problems())

    def test_a_picture_that_is_not_what_its_source_draws(self):
        self.edit("docs/img/architecture.svg", "mongo-0", "mongo-9")
        self.assertIn("docs/img/architecture.svg is not what docs/img/architecture.py draws", self.problems())


if __name__ == "__main__":
    unittest.main()
