"""The demo, rehearsed (rehearse.py) as a test: 10 replicas behind nginx, the database killed
and restarted under load, replicas removed and added; it fails if any promise of the demo
breaks. About a minute."""

import json

from demo.rehearse import print_report, rehearse


def test_the_minikube_demo_rehearsed(tmp_path, capsys):
    lines = []
    report = rehearse(tmp_path / "demo", players=8, outage=5.0, say=lines.append)
    print_report(report, say=lines.append)
    (tmp_path / "report.json").write_text(json.dumps(report, indent=2))
    with capsys.disabled():
        print("\n" + "\n".join(line for line in lines if " req/s " not in line))
    assert not report["failures"], "\n".join(lines[-40:])
    assert report["page_failures"] == 0
    assert report["api_errors_outside_outage"] == 0
    assert report["restart_to_first_write_s"] is not None
    assert sum(report["scores_acknowledged"].values()) > 50
    # every replica's web-tier panel listed the replicas running (tests/demo/web_pods.py)
    assert set(report["web_pods_listed_s"]) == {"10 replicas", "scaled down to 6", "back to 10"}
