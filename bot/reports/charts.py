"""A cohort's charts as PNG bytes, from plain numbers (the caller runs the SQL).

Two charts: the funnel (applications at each step, with the conversion from the step
before) and the applications started and submitted per day over the cohort's life.
Labels are in the admin's language, the cohort's name and the date in the title.

matplotlib's object-oriented API only (a ``Figure`` on its own ``FigureCanvasAgg``):
pyplot keeps global state and is not thread-safe, and these run in worker threads. The
font is chosen from the labels' characters, and a missing CJK font is an error
(``FontMissing``), never a chart of boxes. Blocking: call off the event loop.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from bot.platform.i18n import Translator
from bot.reports.fonts import font_for
from bot.reports.state_names import state_label

if TYPE_CHECKING:  # matplotlib itself is imported where a chart is drawn, in a worker
    from matplotlib.figure import Figure  # thread: it costs ~0.7 s, not every start-up's
    from matplotlib.font_manager import FontProperties

DPI = 100


@dataclass(frozen=True, slots=True)
class StepCount:
    """Applications that reached ``state`` (a step id, ``review``, ``submitted``…)."""

    state: str
    count: int


@dataclass(frozen=True, slots=True)
class DayCount:
    day: dt.date
    started: int
    submitted: int


def _png(figure: Figure) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    buffer = io.BytesIO()
    FigureCanvasAgg(figure)  # attaches itself: the figure renders with Agg, not pyplot's
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _font(texts: Iterable[str]) -> FontProperties:
    from matplotlib.font_manager import FontProperties

    return FontProperties(fname=str(font_for(texts)))


def conversions(steps: Sequence[StepCount]) -> list[float | None]:
    """Each step's share of the step before (``None`` for the first, or after zero)."""
    shares: list[float | None] = [None]
    for before, after in itertools.pairwise(steps):
        shares.append(after.count / before.count if before.count else None)
    return shares


def funnel_png(
    *,
    track: str | None,
    cohort: str,
    day: dt.date,
    steps: Sequence[StepCount],
    language: str,
) -> bytes:
    """Horizontal bars, first step on top, each labelled with its count and conversion."""
    t = Translator(language)
    names = [state_label(track, step.state, t) for step in steps]
    title = t("chart_funnel_title", {"cohort": cohort, "date": day})
    axis = t("chart_applications")
    shares = conversions(steps)
    notes = [
        t.number(step.count)
        if share is None
        else t("chart_count_conversion", {"count": Decimal(step.count), "percent": f"{share:.0%}"})
        for step, share in zip(steps, shares, strict=True)
    ]
    font = _font([title, axis, *names, *notes])
    from matplotlib.figure import Figure

    figure = Figure(figsize=(9, 1.5 + 0.4 * max(len(steps), 1)), dpi=DPI, layout="constrained")
    axes = figure.add_subplot()
    positions = list(range(len(steps)))
    counts = [step.count for step in steps]
    bars = axes.barh(positions, counts, color="#4c72b0")
    axes.set_yticks(positions, names, fontproperties=font)
    axes.invert_yaxis()
    axes.bar_label(bars, notes, padding=3, fontproperties=font, fontsize=9)
    axes.set_xlim(0, max([*counts, 1]) * 1.35)
    axes.set_xlabel(axis, fontproperties=font)
    axes.set_title(title, fontproperties=font)
    axes.spines[["top", "right"]].set_visible(False)
    return _png(figure)


STARTED_COLOUR, SUBMITTED_COLOUR = "#4c72b0", "#dd8452"


def daily_png(
    *,
    cohort: str,
    day: dt.date,
    days: Sequence[DayCount],
    language: str,
) -> bytes:
    """Two lines over the cohort's days: applications started, applications submitted."""
    t = Translator(language)
    title = t("chart_daily_title", {"cohort": cohort, "date": day})
    started, submitted, axis = t("chart_started"), t("chart_submitted"), t("chart_per_day")
    dates = [entry.day for entry in days]
    positions = [day.toordinal() for day in dates]  # ticks are labelled here, in the locale
    every = max(len(dates) // 8, 1)
    tick_labels = [t.date(tick) for tick in dates[::every]]
    font = _font([title, started, submitted, axis, *tick_labels])
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(10, 4.5), dpi=DPI, layout="constrained")
    axes = figure.add_subplot()
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))  # counts: no "0.5 applications"
    # markers: a cohort's first day is one point per line, which a bare line never shows;
    # the started one is larger, so a day where the two counts meet shows both
    for values, label, colour, size in (
        ([entry.started for entry in days], started, STARTED_COLOUR, 9),
        ([entry.submitted for entry in days], submitted, SUBMITTED_COLOUR, 5),
    ):
        axes.plot(positions, values, label=label, color=colour, marker="o", markersize=size)
    axes.set_xticks(positions[::every], tick_labels, fontproperties=font, rotation=30, ha="right")
    axes.set_ylim(bottom=0)
    axes.set_ylabel(axis, fontproperties=font)
    axes.set_title(title, fontproperties=font)
    axes.legend(prop=font)
    axes.grid(axis="y", alpha=0.3)
    axes.spines[["top", "right"]].set_visible(False)
    return _png(figure)
