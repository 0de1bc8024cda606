"""The outbox benchmark's smallest form runs in CI: correct, whatever this machine's speed.

Rates depend on the (shared) machine, so only what must hold anywhere is asserted: no
recipient lost, none duplicated, every injected 429 retried. Targets are for ``make bench``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.bench_outbox import Run, measure

STAMPING_SLACK = 1.05


def test_the_short_outbox_benchmark_loses_and_duplicates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # PTB 22 warns on RetryAfter otherwise
    figures = measure(Run("ci", recipients=150, per_second=100, paid=True), tmp_path)
    assert figures["lost"] == 0
    assert figures["duplicated"] == 0
    # arrivals are stamped by a process starved next to three others on two cores: 5 % of
    # slack (102 of 100 was seen once in a full-suite run); twice the rate is far outside
    assert figures["busiest"] <= 100 * STAMPING_SLACK
    assert '"name": "outbox ci: 150 recipients at 100/s, rate"' in capsys.readouterr().out
