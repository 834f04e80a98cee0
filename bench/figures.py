"""The headline figures of a bench script, in a form `make bench` (bench/suite.py) reads.

A script prints whatever it likes; the lines `figure()` prints are the ones that go into the table
at the top of docs/benchmarks.md. One call per figure a reader should see at a glance:

    from figures import figure
    figure("roll generation, first", seconds, "s", target="≤ 30 s for 200,000 cases")

No Django here: a script imports it before or after django.setup().
"""

from __future__ import annotations

import json

PREFIX = "FIGURE "


def figure(name: str, value: float | int | str, unit: str = "", *, target: str = "") -> None:
    """One figure: its name, value and unit, and the target it answers to (with the size the
    target is stated for, e.g. "≤ 30 s at 1,000,000 households"), if any."""
    if isinstance(value, float):
        value = round(value, 3 if abs(value) < 10 else 1)
    row = {"name": name, "value": value, "unit": unit, "target": target}
    print(PREFIX + json.dumps(row, ensure_ascii=False), flush=True)


def read(line: str) -> dict | None:
    """The figure a printed line carries, or None."""
    if not line.startswith(PREFIX):
        return None
    return json.loads(line[len(PREFIX) :])
