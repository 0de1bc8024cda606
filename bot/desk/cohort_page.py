"""A cohort on the desk: its funnel and daily chart (``/stats``' own), stalled sellers,
invite codes left, the join link and its QR code."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session, col, select

from bot.db.models import Cohort, InviteCode
from bot.desk.templating import render as render_template
from bot.desk.templating import template
from bot.platform.i18n import Translator
from bot.providers.access import AdminIdentity
from bot.providers.cohorts.qr import qr_png
from bot.providers.cohorts.store import cohort_of
from bot.providers.insight.commands import STALLED_DAYS
from bot.reports import application_list, funnel
from bot.reports.charts import daily_png, funnel_png
from bot.reports.funnel import Figures, Scope
from bot.reports.funnel_text import funnel_steps, stats_text
from bot.reports.state_names import state_label
from flows.tracks import MARKETS

PICTURES = ("funnel", "daily", "qr")
PAGE = template("cohort.html")


@dataclass(frozen=True)
class CohortView:
    cohort: Cohort
    figures: Figures
    stalled: application_list.Page
    codes_left: int
    codes_total: int


def _usable(code: InviteCode, now: dt.datetime) -> bool:
    if code.revoked or (code.expires_at is not None and code.expires_at <= now):
        return False
    return code.max_uses is None or code.uses < code.max_uses


def read(
    session: Session, admin: AdminIdentity, cohort_id: int, *, now: dt.datetime
) -> CohortView | None:
    """The cohort's figures, if it is the admin's (the commands' own check), else None."""
    cohort = cohort_of(session, actor=admin, cohort_id=cohort_id)
    if cohort is None:
        return None
    scope = Scope(cohort_id=cohort_id)
    figures = funnel.figures(
        session, scope=scope, cohort_track=cohort.track, now=now, stalled_days=STALLED_DAYS
    )
    stalled = application_list.page(
        session, scope=scope, state=application_list.STALLED, market=application_list.ALL,
        number=1, stalled_before=now - dt.timedelta(days=STALLED_DAYS),
    )  # fmt: skip
    codes = session.exec(select(InviteCode).where(col(InviteCode.cohort_id) == cohort_id)).all()
    session.expunge(cohort)
    return CohortView(
        cohort, figures, stalled, sum(1 for c in codes if _usable(c, now)), len(codes)
    )


def join_link(username: str, token: str) -> str:
    """``https://t.me/<bot>?start=<token>``, the cohort's deep link."""
    return f"https://t.me/{username}?start={token}"


def picture(name: str, found: CohortView, link: str, locale: str, day: dt.date) -> bytes:
    """One of the cohort's pictures as PNG (blocking: matplotlib and qrcode)."""
    cohort = found.cohort
    if name == "qr":
        return qr_png(link)
    if name == "funnel":
        return funnel_png(
            track=found.figures.track, cohort=cohort.name, day=day,
            steps=funnel_steps(found.figures), language=locale,
        )  # fmt: skip
    return daily_png(cohort=cohort.name, day=day, days=found.figures.days, language=locale)


def render(found: CohortView, link: str, t: Translator, *, day: dt.date) -> str:
    """The cohort's page, the desk's top bar included."""
    cohort = found.cohort
    market = t(MARKETS[cohort.market]) if cohort.market in MARKETS else "—"
    text = stats_text(
        found.figures,
        title=t("stats_title", {"name": cohort.name, "date": day}),
        stalled_days=STALLED_DAYS,
        t=t,
    )
    stalled_rows = [
        (row.id, state_label(row.track, row.state, t), row.updated_at.strftime("%Y-%m-%d"))
        for row in found.stalled.rows
    ]
    return render_template(
        PAGE,
        t=t,
        title=f"{cohort.name} · {market}",
        stats=text,
        started=found.figures.started,
        base=f"cohorts/{cohort.id}",
        stalled_days=STALLED_DAYS,
        stalled_total=found.stalled.total,
        stalled_rows=stalled_rows,
        codes_left=found.codes_left,
        codes_total=found.codes_total,
        link=link,
    )
