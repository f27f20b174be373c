"""How the docs quote a measured figure, in one place.

A figure about this project's speed, memory, size or timing is never typed by hand: it is a
link to the results file that what measured it wrote (docs/results/*.json), and the link's
fragment is the key path, dots for nesting:

    [16.3 MiB](results/bench.json#memory.pacman.busy_peak_mib)

The link text is the value as the docs show it: a number, then whatever follows it (a unit,
a word). The rules, which `expected_text` applies and which `tests/docs/check.py refresh`
writes:

- The number is the file's value rounded (half up) to as many decimals as the text shows:
  `16.3` shows one, `69,604` none. Choose the decimals when you first quote a figure; a
  refresh keeps them.
- Thousands are grouped with commas from 1,000 on (`1,359`, `69,604`); never below.
- The unit is the one the key's name ends with (`_mib` MiB, `_mb` MB, `_ms` ms, `_s` s,
  `_percent` %, `ratio` ×), written right after the number: `16.3 MiB`, `0.91×`, `0.05 %`.
  The file stores the figure in that unit, so nothing is converted on the way.
- A string value (a date, a commit, a version) is quoted whole.
"""

from __future__ import annotations

import json
import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

NUMBER = re.compile(r"^(-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?)(.*)$", re.S)

# The unit a key's last part ends with, and how the text writes it after the number.
UNITS = [("_mib", " MiB"), ("_mb", " MB"), ("_kib", " KiB"), ("_ms", " ms"), ("_s", " s"),
         ("_percent", " %"), ("ratio", "×"), ("_x", "×")]


class FigureError(Exception):
    pass


def lookup(data: dict, path: str):
    """The value at a dotted key path, or FigureError naming the first missing part."""
    value = data
    walked = []
    for part in path.split("."):
        walked.append(part)
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            raise FigureError(f"no key {'.'.join(walked)!r}")
    return value


def unit_of(path: str) -> str | None:
    last = path.rsplit(".", 1)[-1]
    for suffix, unit in UNITS:
        if last.endswith(suffix):
            return unit
    return None


def format_number(value: float, decimals: int) -> str:
    rounded = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if abs(rounded) >= 1000:
        return f"{rounded:,.{decimals}f}"
    return f"{rounded:.{decimals}f}"


def expected_text(value, shown: str, path: str) -> str:
    """What the link text must be for this value, keeping the decimals and the words after the
    number that `shown` has. Raises FigureError when the text cannot quote this value at all."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise FigureError(f"the value at {path!r} is {type(value).__name__}, not a figure")
    match = NUMBER.match(shown)
    if not match:
        raise FigureError(f"the link text {shown!r} does not start with a number")
    decimals = len(match.group(2) or "")
    rest = match.group(3)
    unit = unit_of(path)
    if unit and not rest.startswith(unit):
        raise FigureError(f"{path!r} is in{unit}: the text should read {format_number(value, decimals)}{unit}"
                          f"{'…' if rest else ''}, not {shown!r}")
    return format_number(value, decimals) + rest


def load(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as e:
        raise FigureError(f"{path}: {e}") from None


def measured_problems(data: dict) -> list[str]:
    """What a results file's `measured` block lacks."""
    measured = data.get("measured")
    if not isinstance(measured, dict):
        return ["no `measured` block"]
    return [f"`measured` has no {key!r}" for key in ("date", "commit", "machine", "by")
            if not measured.get(key)]
