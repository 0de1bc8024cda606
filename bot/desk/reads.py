"""What the desk's pages read, always through the acting admin's scope.

The queue reads only the columns a row shows (a page at 100,000 applications must stay
under 300 ms: ``bench/bench_desk.py``); one application is the reviewers' ``Case``
(``bot.providers.review.cases``), the same the chat's notices are made of.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as columns
from sqlmodel import Session, col, select

from bot.db.models import Application, Cohort, StepEvent
from bot.platform.i18n import Translator
from bot.providers.access import AdminIdentity
from bot.providers.review.cases import Case, history, load_case
from bot.providers.review.notices import files
from flows.rejections import ANSWER_KEY as REJECTION_KEY
from flows.tracks import APPROVED, MARKETS, SUBMITTED

PAGE_SIZE = 50
COUNT_CAP = 1000
"""The queue counts up to this many (shown as "1000+"): an exact count of 40,000 approved
applications costs more than the whole rest of the page."""
STATES = ("submitted", "approved", "returned")
"""The queue's state filter: waiting, approved, or sent back to the seller to fix."""


@dataclass(frozen=True)
class Filters:
    """The queue's filters, each already checked against what the admin may pick."""

    cohort_id: int | None = None
    state: str = "submitted"
    market: str | None = None

    @classmethod
    def parse(cls, query: Mapping[str, str]) -> Filters:
        """From a query string: unknown values are ignored, not errors."""
        cohort = query.get("cohort", "")
        state = query.get("state", "")
        market = query.get("market", "")
        return cls(
            cohort_id=int(cohort) if cohort.isdecimal() and len(cohort) < 10 else None,
            state=state if state in STATES else "submitted",
            market=market if market in MARKETS else None,
        )


@dataclass(frozen=True)
class Row:
    """One line of the queue."""

    id: int
    company: str
    cohort_id: int | None
    cohort_name: str
    market: str | None
    track: str | None
    state: str
    submitted_at: dt.datetime | None
    decided_at: dt.datetime | None
    rejections: int


@dataclass(frozen=True)
class Queue:
    rows: list[Row]
    total: int
    cohorts: list[tuple[int, str]]
    """The cohorts the admin may filter by: (id, name)."""


def company_of(answers: Mapping[str, Any]) -> str:
    for name in ("company_registered_name", "company_name", "full_name"):
        value = answers.get(name)
        if isinstance(value, str) and value:
            return value
    return ""


def _scoped(query: Any, admin: AdminIdentity) -> Any:
    if admin.is_superadmin:
        return query
    return query.where(col(Cohort.provider_id) == admin.provider_id)


def queue(session: Session, admin: AdminIdentity, filters: Filters) -> Queue:
    """One page of the queue: waiting applications oldest first (decided ones newest first)."""
    where: list[Any] = [col(Application.seller_id).is_not(None)]
    if filters.state == "submitted":
        where.append(col(Application.state) == SUBMITTED)
        order: list[Any] = [col(Application.submitted_at), col(Application.id)]
    elif filters.state == "approved":
        where.append(col(Application.state) == APPROVED)
        order = [col(Application.decided_at).desc(), col(Application.id).desc()]
    else:
        where += [
            col(Application.rejections) > 0,
            col(Application.state).not_in((SUBMITTED, APPROVED)),
        ]
        order = [col(Application.decided_at).desc(), col(Application.id).desc()]
    if filters.cohort_id is not None:
        where.append(col(Application.cohort_id) == filters.cohort_id)
    if filters.market is not None:
        where.append(col(Application.market) == filters.market)
    joined = columns(
        col(Application.id), col(Application.answers), col(Application.cohort_id),
        col(Cohort.name), col(Application.market), col(Application.track),
        col(Application.state), col(Application.submitted_at), col(Application.decided_at),
        col(Application.rejections),
    ).outerjoin(Cohort, col(Cohort.id) == col(Application.cohort_id))  # fmt: skip
    query = _scoped(joined, admin).where(*where).order_by(*order).limit(PAGE_SIZE)
    rows = [_row(found) for found in session.connection().execute(query)]
    matching = columns(col(Application.id)).outerjoin(
        Cohort, col(Cohort.id) == col(Application.cohort_id)
    )
    capped = _scoped(matching, admin).where(*where).limit(COUNT_CAP + 1).subquery()
    total = int(session.connection().execute(columns(func.count()).select_from(capped)).one()[0])
    return Queue(rows, total, cohorts(session, admin))


def _row(found: Any) -> Row:
    id_, answers, cohort_id, cohort_name, market, track, state, submitted, decided, rejected = found
    return Row(
        id=id_, company=company_of(answers or {}), cohort_id=cohort_id,
        cohort_name=cohort_name or "", market=market, track=track, state=state,
        submitted_at=submitted, decided_at=decided, rejections=rejected or 0,
    )  # fmt: skip


def cohorts(session: Session, admin: AdminIdentity) -> list[tuple[int, str]]:
    """The admin's cohorts (not archived), newest first."""
    query = select(Cohort.id, Cohort.name).where(col(Cohort.archived).is_(False))
    if not admin.is_superadmin:
        query = query.where(col(Cohort.provider_id) == admin.provider_id)
    found = session.exec(query.order_by(col(Cohort.id).desc()).limit(200)).all()
    return [(id_, name) for id_, name in found if id_ is not None]


@dataclass(frozen=True)
class Detail:
    """One application as its page shows it."""

    case: Case
    events: list[StepEvent]
    last_reasons: tuple[str, ...]
    """The reasons of the last rejection (a resubmission's page names them)."""


def detail(session: Session, admin: AdminIdentity, application_id: int) -> Detail | None:
    """The application, its history and its last rejection, or None outside the scope."""
    case = load_case(session, admin, application_id)
    if case is None:
        return None
    reasons = case.answers.get(REJECTION_KEY) or ()
    return Detail(case, history(session, case.id), tuple(str(code) for code in reasons))


@dataclass(frozen=True)
class FileRef:
    """One of an application's files: what it is, and Telegram's id to fetch it by."""

    caption: str
    file_id: str
    photo: bool


def file_refs(case: Case, t: Translator) -> list[FileRef]:
    """The files the desk shows, in the order of the chat's notice (uploads, then images);
    a file is addressed by its position here, never by its Telegram id."""
    return [
        FileRef(caption, photo or document or "", photo is not None)
        for caption, photo, document in files(case, t)
        if photo or document
    ]
