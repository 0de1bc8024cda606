"""The admins' list of applications: one filtered page, counted and sliced by the database.

Filters are plain values (so they travel in callback data): a ``state`` filter (``all``,
``open``, ``stalled``, a final state, or any step id) and a ``market`` (``all`` or a market
code). The scope is ``funnel.Scope``, resolved from the admin on every call by the caller.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, func, true
from sqlalchemy import select as columns
from sqlmodel import Session, col, select

from bot.db.models import Application, Cohort
from bot.reports.funnel import FINAL, Scope
from flows.tracks import INTAKE, MARKETS, TRACKS

PAGE_SIZE = 10
ALL, OPEN, STALLED = "all", "open", "stalled"
STATE_FILTERS = (ALL, OPEN, STALLED, *FINAL)
"""The state filters offered as buttons; any step id is accepted too."""
STEP_IDS = frozenset(
    [step.id for step in INTAKE] + [step.id for steps in TRACKS.values() for step in steps]
)


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the list (no personal data: the detail command shows the rest)."""

    id: int
    state: str
    market: str | None
    track: str | None
    cohort_id: int | None
    updated_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Page:
    rows: list[Row]
    number: int
    pages: int
    total: int


def valid_state(value: str) -> bool:
    return value in STATE_FILTERS or value in STEP_IDS


def valid_market(value: str) -> bool:
    return value == ALL or value in MARKETS


def _conditions(
    scope: Scope, state: str, market: str, stalled_before: dt.datetime
) -> ColumnElement[bool]:
    conditions: list[ColumnElement[bool]] = []
    if scope.cohort_id is not None:
        conditions.append(col(Application.cohort_id) == scope.cohort_id)
    elif scope.provider_id is not None:
        mine = select(Cohort.id).where(Cohort.provider_id == scope.provider_id)
        conditions.append(col(Application.cohort_id).in_(mine))
    if market != ALL:
        conditions.append(col(Application.market) == market)
    if state in (OPEN, STALLED):
        conditions.append(col(Application.state).not_in(FINAL))
        if state == STALLED:
            conditions.append(col(Application.updated_at) < stalled_before)
    elif state != ALL:
        conditions.append(col(Application.state) == state)
    return and_(true(), *conditions)


def page(
    session: Session,
    *,
    scope: Scope,
    state: str,
    market: str,
    number: int,
    stalled_before: dt.datetime,
) -> Page:
    """Page ``number`` (clamped to 1…pages), newest first."""
    where = _conditions(scope, state, market, stalled_before)
    total = session.exec(select(func.count()).select_from(Application).where(where)).one()
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    number = min(max(number, 1), pages)
    query = (
        columns(
            col(Application.id),
            col(Application.state),
            col(Application.market),
            col(Application.track),
            col(Application.cohort_id),
            col(Application.updated_at),
        )
        .where(where)
        .order_by(col(Application.id).desc())
        .offset((number - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    )
    rows = [
        Row(int(id_ or 0), state_, market_, track_, cohort_, updated)
        for id_, state_, market_, track_, cohort_, updated in session.connection().execute(query)
    ]
    return Page(rows, number, pages, int(total))
