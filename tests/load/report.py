"""Turns a Locust run's CSV files into a picture and a table people would rather look at.

    python tests/load/report.py DIR [TITLE]

DIR holds locust_stats.csv and locust_stats_history.csv (Locust's --csv DIR/locust
--csv-full-history). Writes DIR/report.png (players and throughput, latency percentiles, and
p95 per request type, over time) and DIR/summary.md (one row per request type). Works the same
on the CSV files copied out of the Kubernetes Job (docs/kubernetes.md, step 11).
"""

import csv
import sys
from datetime import datetime, timezone
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

PERCENTILES = [("50%", "p50"), ("95%", "p95"), ("99%", "p99")]


def number(text: str) -> float | None:
    try:
        return float(text)
    except (TypeError, ValueError):
        return None  # "N/A": no request in the window


def latency(text: str) -> float | None:
    """A percentile for a log axis: Locust writes 0 before the first answer in a window."""
    value = number(text)
    return value if value else None


def read_history(path: Path) -> dict[str, list[dict]]:
    """Rows of the history file by request name ("Aggregated" is the total)."""
    series: dict[str, list[dict]] = {}
    with path.open() as f:
        for row in csv.DictReader(f):
            series.setdefault(row["Name"], []).append(row)
    return series


def read_stats(path: Path) -> list[dict]:
    with path.open() as f:
        return list(csv.DictReader(f))


def summary_table(stats: list[dict]) -> str:
    lines = ["| request | requests | failures | req/s | p50 ms | p95 ms | p99 ms | max ms |",
             "|---|--:|--:|--:|--:|--:|--:|--:|"]
    rows = sorted((r for r in stats if r["Name"] != "Aggregated"), key=lambda r: r["Name"])
    rows += [r for r in stats if r["Name"] == "Aggregated"]
    for r in rows:
        name = "**all requests**" if r["Name"] == "Aggregated" else r["Name"]
        lines.append(
            f"| {name} | {int(r['Request Count']):,} | {int(r['Failure Count']):,} | "
            f"{float(r['Requests/s']):,.1f} | {r['50%']} | {r['95%']} | {r['99%']} | "
            f"{float(r['Max Response Time']):,.0f} |")
    return "\n".join(lines)


def plot(history: dict[str, list[dict]], title: str, out: Path):
    total = history.get("Aggregated", [])
    if not total:
        raise SystemExit("report: the history file has no Aggregated rows (was --csv-full-history"
                         " given, and did the run last a few seconds?)")
    t0 = int(total[0]["Timestamp"])
    length = int(total[-1]["Timestamp"]) - t0
    unit, divisor = ("minutes", 60) if length > 180 else ("seconds", 1)

    def times(rows):
        return [(int(r["Timestamp"]) - t0) / divisor for r in rows]

    fig, (ax_rps, ax_lat, ax_by) = plt.subplots(3, 1, figsize=(10, 10), sharex=True,
                                                gridspec_kw={"height_ratios": [1.1, 1, 1]})
    fig.suptitle(title, fontsize=13, fontweight="bold")

    x = times(total)
    ax_rps.plot(x, [number(r["Requests/s"]) for r in total], color="#1f77b4", lw=2,
                label="requests/s")
    ax_rps.plot(x, [number(r["Failures/s"]) for r in total], color="#d62728", lw=1.5,
                label="failures/s")
    ax_rps.set_ylabel("requests per second")
    ax_rps.set_ylim(bottom=0)
    ax_rps.grid(alpha=0.3)
    players = ax_rps.twinx()
    players.plot(x, [int(r["User Count"]) for r in total], color="#7f7f7f", lw=1.5, ls="--",
                 label="players")
    players.set_ylabel("players")
    players.set_ylim(bottom=0)
    handles = ax_rps.get_legend_handles_labels()
    more = players.get_legend_handles_labels()
    ax_rps.legend(handles[0] + more[0], handles[1] + more[1], loc="upper left")
    ax_rps.set_title("Throughput and players", fontsize=11, loc="left")

    for column, label in PERCENTILES:
        ax_lat.plot(x, [latency(r[column]) for r in total], lw=1.8, label=label)
    ax_lat.set_ylabel("milliseconds")
    ax_lat.set_yscale("log")
    ax_lat.grid(alpha=0.3, which="both")
    ax_lat.legend(loc="upper left")
    ax_lat.set_title("Response time, all requests (percentiles over the last 10 s)",
                     fontsize=11, loc="left")

    for name in sorted(n for n in history if n != "Aggregated"):
        rows = [r for r in history[name] if latency(r["95%"]) is not None]
        if rows:
            ax_by.plot(times(rows), [latency(r["95%"]) for r in rows], lw=1.3, label=name)
    ax_by.set_ylabel("milliseconds")
    ax_by.set_yscale("log")
    ax_by.grid(alpha=0.3, which="both")
    ax_by.legend(loc="upper left", fontsize=8, ncol=2)
    ax_by.set_title("p95 by request", fontsize=11, loc="left")
    ax_by.set_xlabel(f"{unit} since the start")

    fig.tight_layout()
    fig.savefig(out, dpi=100)
    plt.close(fig)


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    directory = Path(argv[1])
    history = read_history(directory / "locust_stats_history.csv")
    stats = read_stats(directory / "locust_stats.csv")
    started = min(int(r["Timestamp"]) for rows in history.values() for r in rows)
    when = datetime.fromtimestamp(started, timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    title = argv[2] if len(argv) > 2 else "pacman load test"
    plot(history, f"{title} ({when})", directory / "report.png")
    table = summary_table(stats)
    (directory / "summary.md").write_text(f"# {title}, {when}\n\n{table}\n")
    print(table)
    print(f"\nreport: {directory / 'report.png'}, {directory / 'summary.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
