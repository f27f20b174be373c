#!/usr/bin/env python3
"""Draws docs/img/architecture.svg, the picture of what `kubectl apply -k k8s/overlays/minikube`
creates: the Service and the web pods, the headless Service and the replica set's members, one
volume claim each, and which member is the primary.

    python3 docs/img/architecture.py          (make docs-images) writes the picture
    python3 docs/img/architecture.py --stdout  what `make test-docs` compares with it

Plain SVG with every position written here, no layout engine and no font metrics, so the same
source draws the same bytes on any machine. Edit the drawing below, run `make docs-images`, look
at the result, and commit both files.
"""

import sys
from pathlib import Path
from xml.sax.saxutils import escape

WIDTH, HEIGHT = 800, 610
FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"
INSIDE = "#fafafa"  # the namespace's background
MONO = "DejaVu Sans Mono, Menlo, Consolas, monospace"

STYLES = {  # fill, stroke, text
    "client": ("#ffffff", "#6b7280", "#111827"),
    "service": ("#f3f4f6", "#4b5563", "#111827"),
    "web": ("#dbeafe", "#1d4ed8", "#1e3a8a"),
    "primary": ("#fef3c7", "#b45309", "#78350f"),
    "secondary": ("#dcfce7", "#15803d", "#14532d"),
    "claim": ("#ede9fe", "#6d28d9", "#4c1d95"),
}

parts: list[str] = []


def text(x, y, words, size=13, weight="normal", anchor="middle", color="#111827", font=FONT, italic=False):
    style = ' font-style="italic"' if italic else ""
    parts.append(f'<text x="{x}" y="{y}" font-family="{font}" font-size="{size}" font-weight="{weight}" '
                 f'text-anchor="{anchor}" fill="{color}"{style}>{escape(words)}</text>')


def box(x, y, w, h, kind, title, subtitle="", mono_title=True):
    fill, stroke, color = STYLES[kind]
    parts.append(f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="8" fill="{fill}" stroke="{stroke}" '
                 f'stroke-width="1.6"/>')
    if subtitle:
        text(x + w / 2, y + h / 2 - 4, title, 13, "bold", color=color, font=MONO if mono_title else FONT)
        text(x + w / 2, y + h / 2 + 14, subtitle, 11.5, color=color)
    else:
        text(x + w / 2, y + h / 2 + 5, title, 13, "bold", color=color, font=MONO if mono_title else FONT)


def frame(x, y, w, h, name, note, dashed=False):
    """A group's border, its name and a note written on the top border, each between two of the
    arrows that cross it (at x = 170, 400 and 630)."""
    dash = ' stroke-dasharray="6 4"' if dashed else ""
    parts.append(f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="12" fill="none" stroke="#9ca3af" '
                 f'stroke-width="1.4"{dash}/>')
    for centre, words, size, weight, per_char in ((285, name, 12.5, "bold", 7.6), (515, note, 11.5, "normal", 6.4)):
        width = len(words) * per_char + 12
        parts.append(f'<rect x="{centre - width / 2:.1f}" y="{y - 9}" width="{width:.1f}" height="18" '
                     f'fill="{INSIDE}"/>')
        text(centre, y + 4, words, size, weight, color="#374151", italic=weight == "normal")


def claim(x, y, w, h, title, subtitle):
    """A cylinder: the volume claim."""
    fill, stroke, color = STYLES["claim"]
    ry = 7
    parts.append(f'<path d="M{x} {y + ry} v{h - 2 * ry} a{w / 2} {ry} 0 0 0 {w} 0 v{-(h - 2 * ry)}" '
                 f'fill="{fill}" stroke="{stroke}" stroke-width="1.6"/>')
    parts.append(f'<ellipse cx="{x + w / 2}" cy="{y + ry}" rx="{w / 2}" ry="{ry}" fill="{fill}" stroke="{stroke}" '
                 f'stroke-width="1.6"/>')
    text(x + w / 2, y + h / 2 + 4, title, 12.5, "bold", color=color, font=MONO)
    text(x + w / 2, y + h / 2 + 20, subtitle, 11, color=color)


def arrow(x1, y1, x2, y2, color="#4b5563", dashed=False):
    dash = ' stroke-dasharray="5 4"' if dashed else ""
    marker = "amber" if color == STYLES["primary"][1] else "grey"
    parts.append(f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="{color}" stroke-width="1.6"{dash} '
                 f'marker-end="url(#{marker})"/>')


def draw() -> str:
    parts.clear()
    parts.append(f'<rect x="10" y="66" width="780" height="534" rx="12" fill="{INSIDE}" stroke="#9ca3af" '
                 'stroke-width="1.4"/>')
    text(24, 86, "namespace pacman", 12.5, "bold", "start", "#374151")
    # The player.
    box(300, 10, 200, 40, "client", "Players' browsers", mono_title=False)
    arrow(400, 50, 400, 97)
    text(408, 80, "kubectl port-forward, or an Ingress", 11, anchor="start", color="#4b5563", italic=True)

    # The web tier.
    box(70, 98, 660, 48, "service", "Service pacman", "a cluster IP: spreads the players over the web pods")
    for x, name in ((70, "pacman-6d9c8b7f5d-2xkqp"), (300, "pacman-6d9c8b7f5d-w8mzt"), (530, "pacman-…")):
        arrow(x + 100, 146, x + 100, 187)
        arrow(x + 100, 240, x + 100, 293)
        arrow(x + 100, 342, x + 100, 389)
    frame(40, 168, 720, 92, "Deployment pacman", "stateless: scale it from 2 to 10")
    for x, name in ((70, "pacman-6d9c8b7f5d-2xkqp"), (300, "pacman-6d9c8b7f5d-w8mzt"), (530, "pacman-…")):
        box(x, 188, 200, 52, "web", name, "web pod: any one will do")

    # The database tier.
    box(70, 294, 660, 48, "service", "Service mongo (headless)",
        "no cluster IP: a DNS name per member, mongo-0.mongo.pacman.svc")
    frame(40, 366, 720, 224, "StatefulSet mongo", "replica set rs0, started together")
    members = ((70, "mongo-0", "primary", "PRIMARY: takes every write"),
               (300, "mongo-1", "secondary", "SECONDARY: copies it"),
               (530, "mongo-2", "secondary", "SECONDARY: copies it"))
    for x, name, kind, role in members:
        box(x, 390, 200, 56, kind, name, role)
        parts.append(f'<line x1="{x + 100}" y1="446" x2="{x + 100}" y2="506" stroke="{STYLES["claim"][1]}" '
                     'stroke-width="1.6"/>')
        claim(x + 20, 506, 160, 60, f"data-{name}", "its claim: the data stays")
    # Replication: the primary's writes flow to the secondaries.
    amber = STYLES["primary"][1]
    arrow(270, 418, 298, 418, amber, dashed=True)
    parts.append(f'<path d="M240 446 C 290 488, 510 488, 560 448" fill="none" stroke="{amber}" stroke-width="1.6" '
                 'stroke-dasharray="5 4" marker-end="url(#amber)"/>')
    text(470, 486, "replication", 11.5, color=amber, italic=True)

    defs = "".join(
        f'<marker id="{name}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        f'orient="auto-start-reverse"><path d="M0 0 L10 5 L0 10 z" fill="{color}"/></marker>'
        for name, color in (("grey", "#4b5563"), ("amber", STYLES["primary"][1])))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
            f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img">\n'
            "<title>pacman on Kubernetes: a Service in front of the stateless web pods; a headless Service "
            "in front of the StatefulSet's members mongo-0 (the primary), mongo-1 and mongo-2, each on a "
            "volume claim of its own</title>\n"
            f"<defs>{defs}</defs>\n"
            f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>\n' + "\n".join(parts) + "\n</svg>\n")


def main() -> int:
    svg = draw()
    if sys.argv[1:] == ["--stdout"]:
        sys.stdout.write(svg)
    else:
        Path(__file__).with_suffix(".svg").write_text(svg)
    return 0


if __name__ == "__main__":
    sys.exit(main())
