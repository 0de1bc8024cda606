"""Providers' pictures: a cohort's charts and a track's flow, each against a baseline of the run.

Baselines: an empty matplotlib figure saved to PNG (the fixed cost of Agg and the PNG
encoder), and ``dot`` drawing an empty graph (the cost of starting Graphviz). Measured: the
funnel of 20 steps and the daily chart of 180 days in Chinese, the flow picture as PNG.
Printed as JSON lines: ``{"name", "value", "unit", "baseline", "ratio"}``.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from bench.results import emit
from bench.timing import per_call
from bot.reports.charts import DayCount, StepCount, daily_png, funnel_png
from bot.reports.flow_picture import render
from flows.tracks import track_steps

DAY = dt.date(2026, 12, 1)
TRACK = "uk_crossborder"
STATES = [step.id for step in track_steps(TRACK)] + ["review", "submitted"]
STEPS = [StepCount(state, 5000 - 200 * i) for i, state in enumerate(STATES)]
STEPS += [StepCount(f"步骤{i}", 2000 - 50 * i) for i in range(20 - len(STEPS))]
DAYS = [DayCount(DAY - dt.timedelta(days=180 - i), 30 + i % 11, 12 + i % 7) for i in range(180)]


def _line(name: str, seconds: float, baseline: float) -> None:
    emit(name, seconds * 1000, "ms", baseline * 1000)


def _empty_figure() -> None:
    figure = Figure(figsize=(9, 9.5), dpi=100)
    FigureCanvasAgg(figure)
    figure.savefig(io.BytesIO(), format="png")


def _funnel() -> None:
    funnel_png(track=TRACK, cohort="伦敦 2026 春季批次", day=DAY, steps=STEPS, language="zh_Hans")


def _daily() -> None:
    daily_png(cohort="伦敦 2026 春季批次", day=DAY, days=DAYS, language="zh_Hans")


def _empty_dot() -> None:
    dot = shutil.which("dot") or "dot"
    subprocess.run([dot, "-Tpng"], input=b"digraph { }", capture_output=True, check=True)


def _flow() -> None:
    render(TRACK, "png", "zh_Hans")


def main() -> None:
    _funnel()  # font loading and catalogs once, outside the figures
    figure = per_call(_empty_figure, calls=5)
    _line(
        "chart: funnel, 20 steps, zh_Hans (vs empty figure to PNG)",
        per_call(_funnel, calls=5),
        figure,
    )
    _line(
        "chart: per day, 180 days, zh_Hans (vs empty figure to PNG)",
        per_call(_daily, calls=5),
        figure,
    )
    empty_dot = per_call(_empty_dot, calls=3)
    _line(
        "flow picture: uk_crossborder PNG, zh_Hans (vs dot, empty graph)",
        per_call(_flow, calls=3),
        empty_dot,
    )
