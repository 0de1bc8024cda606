"""The ``/stats`` benchmark's short form runs in CI: its data and figures are right.

Timings depend on the (shared) machine, so only what must hold anywhere is asserted: the
set-based fill made what the benchmark says, and ``/stats`` counts it correctly. Targets
are for ``make bench``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.bench_stats import measure


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_the_short_stats_benchmark_counts_its_own_data(
    backend: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    figures = measure(backend, 500, tmp_path)
    assert figures.started == 500
    # a fifth stop at the products; a tenth are rejected after submitting; the rest approved
    assert figures.reached("products") == 500
    assert figures.reached("review") == figures.reached("submitted") == 400
    assert figures.reached("approved") == 350 and figures.rejected == 50
    assert figures.reasons == [("blurry", 50), ("phone", 50)]
    assert figures.times["language"].count == 500
    assert 37 <= figures.times["language"].median_s <= 37 + 96
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if "{" in line]
    assert [line["unit"] for line in lines] == ["ms"] * 3
    assert all(line["value"] > 0 and line["baseline"] > 0 for line in lines)
