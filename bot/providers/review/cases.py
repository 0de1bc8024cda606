"""Applications as reviewers see them, always through the admin's scope.

An application belongs to the provider of its cohort; one without a cohort belongs to no
provider and only superadmins see it. Every read here takes the acting admin and returns
nothing for an application outside their scope — exactly as for one that does not exist,
so a guessed id tells an admin of another provider nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from bot.db import uploads
from bot.db.models import Application, Cohort, Seller, StepEvent
from bot.providers.access import AdminIdentity
from flows.progress import CompanyCheck, FlowEnv, Progress
from flows.tracks import SUBMITTED

QUEUE_LIMIT = 50


class _NoLookups:
    """Reviewers only read: the flow's outside checks are never called from here."""

    def company(self, number: str) -> CompanyCheck:
        raise RuntimeError("no company look-ups while reviewing")

    def redeem_invite_code(self, code: str, *, market: str) -> None:
        raise RuntimeError("no invite codes while reviewing")

    def check_unique(self, field: str, value: str) -> None:
        raise RuntimeError("no uniqueness checks while reviewing")


@dataclass(frozen=True)
class Case:
    """One application with what a reviewer's messages need, detached from the session."""

    id: int
    version: int
    state: str
    track: str | None
    market: str | None
    answers: Mapping[str, Any]
    provider_id: int | None
    cohort_id: int | None
    cohort_name: str
    seller_id: int | None
    """None once the seller erased their data (``/delete_me``) or retention anonymized it."""
    seller_chat_id: int | None
    seller_locale: str
    submitted_at: dt.datetime | None
    review_changes: tuple[str, ...] | None
    rules: Mapping[str, Any] = field(default_factory=dict)
    product_rules: Mapping[str, Any] = field(default_factory=dict)
    anonymized_at: dt.datetime | None = None

    @property
    def anonymized(self) -> bool:
        """The answers, files and seller are gone: nothing is left to review or to tell."""
        return self.anonymized_at is not None or self.seller_id is None

    @property
    def progress(self) -> Progress:
        return Progress(self.track, self.state, dict(self.answers))

    @property
    def env(self) -> FlowEnv:
        """The flow's view of this application's cohort rules (read-only)."""
        return FlowEnv(lookups=_NoLookups(), rules=self.rules, product_rules=self.product_rules)

    @property
    def company(self) -> str:
        for name in ("company_registered_name", "company_name", "full_name"):
            value = self.answers.get(name)
            if isinstance(value, str) and value:
                return value
        return ""


def provider_of(session: Session, application: Application) -> int | None:
    """The provider an application belongs to (its cohort's), or None."""
    if application.cohort_id is None:
        return None
    cohort = session.get(Cohort, application.cohort_id)
    return cohort.provider_id if cohort else None


def visible(admin: AdminIdentity, provider_id: int | None) -> bool:
    """Superadmins see every application (unassigned ones too); admins their provider's."""
    return admin.is_superadmin or (provider_id is not None and admin.sees(provider_id))


def load_case(session: Session, admin: AdminIdentity, application_id: int) -> Case | None:
    """The application if it is in the admin's scope, else None."""
    application = session.get(Application, application_id)
    if application is None or not visible(admin, provider_of(session, application)):
        return None
    return case_of(session, application)


def case_of(session: Session, application: Application) -> Case:
    """The detached view of an application (no scope check: callers have made it)."""
    assert application.id is not None
    cohort = session.get(Cohort, application.cohort_id) if application.cohort_id else None
    # an erased seller leaves the application behind (market, state, times) without them
    seller = session.get(Seller, application.seller_id) if application.seller_id else None
    changes = application.review_changes
    return Case(
        id=application.id,
        version=application.version,
        state=application.state,
        track=application.track,
        market=application.market,
        answers=uploads.join(session, application.id, application.answers),
        provider_id=cohort.provider_id if cohort else None,
        cohort_id=application.cohort_id,
        cohort_name=cohort.name if cohort else "",
        seller_id=seller.id if seller else None,
        seller_chat_id=seller.chat_id if seller else None,
        seller_locale=seller.locale if seller else "",
        submitted_at=application.submitted_at,
        review_changes=tuple(changes) if changes is not None else None,
        rules=dict(cohort.rules) if cohort else {},
        product_rules=dict(cohort.product_rules) if cohort else {},
        anonymized_at=application.anonymized_at,
    )


def waiting(session: Session, admin: AdminIdentity, *, limit: int = QUEUE_LIMIT) -> list[Case]:
    """Submitted applications in the admin's scope, oldest submission first; one whose
    seller erased their data waits for nobody."""
    query = (
        select(Application)
        .outerjoin(Cohort, col(Cohort.id) == col(Application.cohort_id))
        .where(col(Application.state) == SUBMITTED, col(Application.seller_id).is_not(None))
        .order_by(col(Application.submitted_at), col(Application.id))
        .limit(limit)
    )
    if not admin.is_superadmin:
        query = query.where(col(Cohort.provider_id) == admin.provider_id)
    return [case_of(session, application) for application in session.exec(query).all()]


def history(session: Session, application_id: int) -> list[StepEvent]:
    """The application's state changes, oldest first (callers have checked the scope)."""
    rows = session.exec(
        select(StepEvent)
        .where(StepEvent.application_id == application_id)
        .order_by(col(StepEvent.created_at), col(StepEvent.id))
    ).all()
    for row in rows:
        session.expunge(row)
    return list(rows)
