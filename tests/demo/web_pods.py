"""The web tier as the game page's "Web tier" panel shows it: every replica's GET /cluster must
list every live replica, and no other, within a few heartbeats (each replica records itself in
the database every 2 s and deletes its row on SIGTERM). Used by the rehearsal (rehearse.py)
after each scaling step; `make demo` then shows, and asserts, ten web pods."""

import json
import time

from demo.stack import WebTier, http_get

WITHIN = 8  # seconds: two heartbeats and the live window's edge, with room for a busy machine


def cluster_view(url: str) -> dict | None:
    status, body = http_get(url + "/cluster")
    return json.loads(body) if status == 200 else None


def check_web_pods(tier: WebTier, label: str, report: dict, within: float = WITHIN) -> list[str]:
    """Waits until every replica of tier lists exactly tier's replicas; records how long that
    took in report["web_pods_listed_s"][label]; returns the failures (none when it held)."""
    started = time.monotonic()
    wanted: set[str] = set()
    for name, server in tier.replicas.items():
        view = cluster_view(server.url)
        if view is None:
            return [f"{label}: {name} did not answer GET /cluster"]
        wanted.add(view["web"]["selfId"])
    pending = dict(tier.replicas)
    seen: dict[str, set] = {}
    while pending and time.monotonic() - started < within:
        for name, server in list(pending.items()):
            view = cluster_view(server.url)
            seen[name] = {p["id"] for p in view["web"]["pods"]} if view else set()
            if seen[name] == wanted:
                del pending[name]
        time.sleep(0.1)
    took = round(time.monotonic() - started, 2)
    report.setdefault("web_pods_listed_s", {})[label] = took
    return [f"{label}: {name} lists {len(seen.get(name, ()))} web pods "
            f"({sorted(seen.get(name, ()))}), wanted the {len(wanted)} running"
            for name in pending]
