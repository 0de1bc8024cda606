"""A seller's several applications: limits, labels, creating and switching (in a session).

The limits are data (``Limits``): how many applications one Telegram user may have, how
many cross-border applications one USCC may have (the platform allows five shops per
entity), and which identifiers may appear in only one application (a Companies House
number, a NIK, a NIB). They are checked inside the seller's transaction, under the seller
lock, so two taps cannot both take the last place.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import Connection, bindparam, func
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from bot.db import repo
from bot.db.models import Application, Cohort, Seller
from bot.db.prepared import Prepared
from flows.errors import ValidationError
from flows.tracks import SUBMITTED

COMPANY_FIELDS = (
    "company_name", "company_number", "company_registered_name", "incorporation_date",
    "uscc", "nib", "company_npwp",
)  # fmt: skip
"""Answers about the company, reused by ``/new`` for another shop of the same company."""
NAME_FIELDS = ("company_registered_name", "company_name", "full_name")


@dataclass(frozen=True)
class Limits:
    """What one seller may open; the defaults are the platform's rules."""

    applications_per_seller: int = 10
    crossborder_per_uscc: int = 5
    one_application_per: tuple[str, ...] = ("company_number", "nik", "nib")
    guess_key: bytes = b"invite-code guesses"
    """The key naming invite-code guessers (``codes.guard.guesser_id``); the running bot
    derives its own from the token (``app.py``)."""


@dataclass(frozen=True)
class NewApplication:
    """An application a unit wants opened and made current."""

    answers: Mapping[str, Any] = field(default_factory=dict)
    state: str = "language"
    cohort_id: int | None = None


@dataclass(frozen=True)
class Summary:
    """One application as lists and labels show it (no uploads loaded)."""

    id: int
    number: int  # 1 for the seller's first application
    track: str | None
    state: str
    answers: Mapping[str, Any] = field(default_factory=dict)

    @property
    def company(self) -> str:
        """The company (or person) the application is for, once the seller has said."""
        for name in NAME_FIELDS:
            value = self.answers.get(name)
            if isinstance(value, str) and value:
                return value
        return ""

    @property
    def submitted(self) -> bool:
        return self.state == SUBMITTED


class Stored(Protocol):
    """An application as stored: an ORM row or the seller store's ``ApplicationRow``."""

    @property
    def id(self) -> int | None: ...
    @property
    def track(self) -> str | None: ...
    @property
    def state(self) -> str: ...
    @property
    def answers(self) -> Mapping[str, Any]: ...


def numbered(applications: Iterable[Stored]) -> tuple[Summary, ...]:
    """Summaries of one seller's applications, given oldest first, numbered from 1."""
    return tuple(
        Summary(id=a.id or 0, number=n, track=a.track, state=a.state, answers=dict(a.answers))
        for n, a in enumerate(applications, start=1)
    )


def start_new(
    session: Session,
    seller: Seller,
    *,
    limits: Limits,
    answers: Mapping[str, Any],
    state: str,
    cohort_id: int | None = None,
) -> Application:
    """A new application, made current; ``ValidationError`` past the seller's limit."""
    assert seller.id is not None
    count = session.exec(
        select(func.count()).select_from(Application).where(Application.seller_id == seller.id)
    ).one()
    if count >= limits.applications_per_seller:
        raise ValidationError("error_application_limit", max=limits.applications_per_seller)
    cohort = session.get(Cohort, cohort_id) if cohort_id else None
    application = repo.create_application(
        session, seller_id=seller.id, cohort=cohort, state=state, answers=dict(answers)
    )
    switch(session, seller, application.id or 0)
    return application


def switch(session: Session, seller: Seller, application_id: int) -> bool:
    """Make one of the seller's own applications current; False if it is not theirs."""
    application = session.get(Application, application_id)
    if application is None or application.seller_id != seller.id:
        return False
    seller.current_application_id = application_id
    session.add(seller)
    session.flush()
    return True


_SAME_USCC = Prepared(
    core_select(func.count())
    .select_from(Application)
    .where(
        col(Application.track) == "uk_crossborder",
        col(Application.id) != bindparam("application_id"),
        col(Application.answers)["uscc"].as_string() == bindparam("value"),
    )
)


def check_unique(
    connection: Connection,
    *,
    limits: Limits,
    application_id: int,
    field_name: str,
    value: str,
    known: Sequence[Summary],
) -> None:
    """Refuse an identifier another application already has (``ValidationError``).

    ``known`` is the seller's applications (the seller store has read them already).
    """
    if field_name in limits.one_application_per:
        for other in known:
            if other.id != application_id and other.answers.get(field_name) == value:
                raise ValidationError("error_duplicate_application", application=label(other))
    if field_name == "uscc":
        parameters = {"application_id": application_id, "value": value}
        same = _SAME_USCC.rows(connection, parameters)[0][0]
        if same >= limits.crossborder_per_uscc:
            raise ValidationError("error_uscc_limit", max=limits.crossborder_per_uscc)


def label(summary: Summary) -> str:
    """An untranslated short name: the company, else the application's number."""
    return summary.company or f"#{summary.number}"


def join_cohort(session: Session, seller: Seller, *, limits: Limits, token: str) -> bool:
    """A deep link opened by a seller who has applications: continue theirs in that cohort
    (one not yet submitted), else start a new one in it. A submitted application is never
    moved. True when the current application changed."""
    cohort = repo.cohort_by_token(session, token=token)
    if cohort is None or cohort.id is None:
        return False
    current = session.get(Application, seller.current_application_id)
    if current is not None and current.cohort_id == cohort.id:
        return False
    for application in repo.applications_of(session, seller_id=seller.id or 0):
        if application.cohort_id == cohort.id and application.state != SUBMITTED:
            return switch(session, seller, application.id or 0)
    language = current.answers.get("language") if current is not None else None
    answers = {"language": language} if language else {}
    start_new(
        session, seller, limits=limits, answers=answers,
        state="market" if language else "language", cohort_id=cohort.id,
    )  # fmt: skip
    return True
