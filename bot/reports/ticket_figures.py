"""Sellers' questions in ``/stats``: how many wait for a person, and how fast they hear.

Counted by the database per state; the time to a first answer (from the moment the
seller asked a person to the first admin's reply) is a median over the answered ones.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.db.models import Ticket
from bot.platform.i18n import Translator
from bot.reports.funnel import Scope
from bot.reports.funnel_text import duration
from flows.steps import N_


@dataclass(frozen=True, slots=True)
class TicketFigures:
    """Questions per state in a scope, and the median time to a first answer."""

    open: int = 0
    answered: int = 0
    closed: int = 0
    faq_only: int = 0
    """Closed from the FAQ's answer ("That answers it") with no person asked."""
    median_first_answer: dt.timedelta | None = None


def ticket_figures(session: Session, *, scope: Scope) -> TicketFigures:
    """The figures of the scope's tickets (a cohort's, a provider's, or all)."""
    where = []
    if scope.cohort_id is not None:
        where.append(col(Ticket.cohort_id) == scope.cohort_id)
    elif scope.provider_id is not None:
        where.append(col(Ticket.provider_id) == scope.provider_id)
    counts = dict(
        session.exec(
            select(Ticket.state, func.count()).where(*where).group_by(col(Ticket.state))
        ).all()
    )
    faq_only = session.exec(
        select(func.count())
        .select_from(Ticket)
        .where(*where, col(Ticket.state) == "closed", col(Ticket.opened_at).is_(None))
    ).one()
    waits = session.exec(
        select(Ticket.opened_at, Ticket.first_answered_at).where(
            *where, col(Ticket.first_answered_at).is_not(None), col(Ticket.opened_at).is_not(None)
        )
    ).all()
    seconds = [
        (answered - opened).total_seconds() for opened, answered in waits if opened and answered
    ]
    median = dt.timedelta(seconds=statistics.median(seconds)) if seconds else None
    return TicketFigures(
        open=int(counts.get("open", 0)),
        answered=int(counts.get("answered", 0)),
        closed=int(counts.get("closed", 0)),
        faq_only=int(faq_only),
        median_first_answer=median,
    )


def tickets_text(figures: TicketFigures, t: Translator) -> str:
    """The ``/stats`` lines about questions (empty when there has been none)."""
    if not (figures.open or figures.answered or figures.closed):
        return ""
    median = figures.median_first_answer
    return t(
        N_("stats_tickets"),
        {
            "open": figures.open,
            "answered": figures.answered,
            "faq": figures.faq_only,
            "median": duration(median.total_seconds(), t.locale) if median is not None else "—",
        },
    )
