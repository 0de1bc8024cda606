"""The FAQ benchmark's short form: 500 entries in the cohort's index, every figure printed.

Timings depend on the shared machine (one short round under ``pytest -n 4`` at load 13
measured 5.1 ms a match, 0.4-1.1 ms alone): ``make bench`` prints them and
docs/questions.md keeps them; here only that they exist, as in ``test_bench_questions``.
"""

from __future__ import annotations

import asyncio
import json

import pytest

from bench.bench_faq import main


def test_the_short_faq_benchmark_prints_its_figures(capsys: pytest.CaptureFixture[str]) -> None:
    asyncio.run(main(short=True))
    printed = [json.loads(row) for row in capsys.readouterr().out.splitlines() if "{" in row]
    figures = {figure["name"]: figure["value"] for figure in printed}
    assert "faq (sqlite): match, cohort with 500 entries (≤ 5 ms)" in figures
    assert all(value > 0 for value in figures.values()) and len(figures) == 3
