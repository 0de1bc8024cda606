"""``/stats`` as words in the admin's language, and the chart's rows.

Pure arrangement of ``funnel.Figures`` (a few dozen numbers): no database, no Telegram.
A funnel without one track lists the milestones every track shares (``funnel_order``);
its times per step still name each track's steps, wherever they come from.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from babel import Locale
from babel.dates import format_timedelta

from bot.platform.i18n import FORMAT_LOCALES, Translator
from bot.reports.charts import StepCount, conversions
from bot.reports.funnel import Figures
from bot.reports.state_names import state_label
from flows.rejections import REASONS_BY_CODE
from flows.tracks import APPROVED, SUBMITTED, TRACKS


def funnel_steps(figures: Figures) -> list[StepCount]:
    """The funnel's rows for the chart."""
    return [StepCount(state, count) for state, count in figures.funnel]


def any_state_label(track: str | None, state: str, t: Translator) -> str:
    """A state's name from ``track``, else from whichever track has such a step."""
    name = state_label(track, state, t)
    for other in TRACKS:
        if name != state:
            break
        name = state_label(other, state, t)
    return name


def duration(seconds: float, locale: str) -> str:
    """``3 hours``, ``2天``: one unit, rounded, in the admin's language."""
    delta = dt.timedelta(seconds=max(seconds, 0))
    return format_timedelta(delta, locale=Locale.parse(FORMAT_LOCALES[locale]), format="short")


def stats_text(
    figures: Figures,
    *,
    title: str,
    stalled_days: int,
    t: Translator,
) -> str:
    """The whole ``/stats`` message."""
    if figures.started == 0:
        return "\n".join([title, t("stats_empty")])
    track = figures.track
    steps = funnel_steps(figures)
    lines = [title, t("stats_started", {"count": Decimal(figures.started)}), "", t("stats_funnel")]
    for step, share in zip(steps, conversions(steps), strict=True):
        name = state_label(track, step.state, t)
        if share is None:
            lines.append(f"• {name}: {t.number(step.count)}")
        else:
            percent = f"{share:.0%}"
            lines.append(f"• {name}: {t.number(step.count)} ({percent})")
    lines += ["", t("stats_times")]
    lines += _times(figures, t) or [t("stats_no_times")]
    outcome = {
        "submitted": Decimal(figures.reached(SUBMITTED)),
        "approved": Decimal(figures.reached(APPROVED)),
        "rejected": Decimal(figures.rejected),
    }
    lines += ["", t("stats_outcome", outcome)]
    lines.append(t("stats_stalled", {"count": Decimal(figures.stalled), "days": stalled_days}))
    lines += ["", t("stats_reasons")]
    lines += _reasons(figures.reasons, t) or [t("stats_no_reasons")]
    return "\n".join(lines)


def _times(figures: Figures, t: Translator) -> list[str]:
    track = figures.track
    order = {state: i for i, (state, _) in enumerate(figures.funnel)}
    states = sorted(figures.times, key=lambda state: (order.get(state, len(order)), state))
    lines = []
    for state in states:
        spent = figures.times[state]
        params = {
            "step": any_state_label(track, state, t),
            "median": duration(spent.median_s, t.locale),
            "p90": duration(spent.p90_s, t.locale),
            "count": Decimal(spent.count),
        }
        lines.append(t("stats_time_line", params))
    return lines


def _reasons(reasons: Sequence[tuple[str, int]], t: Translator) -> list[str]:
    lines = []
    for code, count in reasons:
        reason = REASONS_BY_CODE.get(code)
        name = t(reason.button) if reason is not None else code
        lines.append(f"• {name}: {t.number(count)}")
    return lines
