"""The review desk's benchmark runs in CI in its short form: every page answers 200 on
the data it made (timings are for ``make bench``; the machine here is shared)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.bench_desk import measure


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_the_short_desk_benchmark_loads_every_page(
    backend: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await measure(backend, 500, tmp_path)
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if "{" in line]
    assert len(lines) == 6 and all(line["unit"] == "ms" for line in lines)
    assert all(line["value"] > 0 and line["baseline"] > 0 for line in lines)
