"""Every benchmark's figures: one JSON line each as they come, and a table at the end.

A figure is ``{"name", "value", "unit", "baseline", "ratio"}``: the baseline was measured
in the same run (these machines are shared and noisy, so only ratios travel).
``BENCH_SHORT=1`` asks every benchmark for its short form (CI).
"""

from __future__ import annotations

import json
import os
from typing import Any

FIGURES: list[dict[str, Any]] = []


def short() -> bool:
    """Whether the short form was asked for (``BENCH_SHORT=1``)."""
    return os.environ.get("BENCH_SHORT") == "1"


def emit(name: str, value: float, unit: str, baseline: float | None = None) -> None:
    """Print one figure as a JSON line and keep it for the table."""
    ratio = round(value / baseline, 4) if baseline else None
    line = {
        "name": name,
        "value": round(value, 4),
        "unit": unit,
        "baseline": None if baseline is None else round(baseline, 4),
        "ratio": ratio,
    }
    FIGURES.append(line)
    print(json.dumps(line, ensure_ascii=False), flush=True)


def table() -> str:
    """The figures so far, as a readable table."""
    rows = [f"{'figure':<64} {'value':>12} {'unit':<10} {'baseline':>11} {'ratio':>7}"]
    for f in FIGURES:
        base = "" if f["baseline"] is None else f"{f['baseline']:11.4g}"
        ratio = "" if f["ratio"] is None else f"{f['ratio']:7.3f}"
        rows.append(
            f"{f['name'][:64]:<64} {f['value']:12.4g} {f['unit']:<10} {base:>11} {ratio:>7}"
        )
    return "\n".join(rows)
