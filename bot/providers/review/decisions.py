"""Review decisions (审核): approve, or reject with reasons, exactly once per submission.

A decision is one conditional UPDATE on the application's id, version and state: of two
admins pressing at once exactly one row changes, and the other learns who decided. A
button shown for an earlier version (the seller changed the application since) is
refused. Callback data is never trusted: the application is re-read and its scope
checked through the acting admin's provider on every call, and a reason mask may only
name reasons offered for that application.

A rejection sends the seller back to the first step a reason concerns
(``flows.rejections.steps_to_redo``) with every answer kept, ``_editing`` set and the
other reasons' steps in ``_redo``: fixing one leads to the next, then to the summary.
"""

from __future__ import annotations

import datetime as dt
import enum
import itertools
from dataclasses import dataclass

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from bot.db import repo
from bot.db.models import Admin, Application, Cohort, ReviewDraft, StepEvent
from bot.providers import audit
from bot.providers.access import AdminIdentity
from bot.providers.review.cases import Case, case_of, load_case, visible
from flows.progress import EDITING, REDO
from flows.reach import further
from flows.rejections import ANSWER_KEY as REJECTION_KEY
from flows.rejections import MAX_FREE_TEXT, REASONS, reasons_for, steps_to_redo
from flows.tracks import APPROVED, REJECTED, REVIEW, SUBMITTED

ACTOR_PREFIX = "admin:"


class Verdict(enum.Enum):
    """What pressing a decision button did."""

    DECIDED = "decided"
    NOT_FOUND = "not_found"  # no such application, or not the admin's to see
    ALREADY_DECIDED = "already_decided"
    ERASED = "erased"  # the seller erased their data: nobody is left to decide for
    CHANGED = "changed"  # the seller changed the application since the button was shown
    BAD_REASONS = "bad_reasons"


@dataclass(frozen=True)
class Earlier:
    """The decision already taken on a submission, for the admin who comes second."""

    admin_telegram_id: int
    role: str | None
    """The decider's role now (None once they are no longer an admin)."""
    approved: bool
    reasons: tuple[str, ...]
    at: dt.datetime


@dataclass(frozen=True)
class Decision:
    """The outcome, and what the notices after the commit need."""

    verdict: Verdict
    case: Case | None = None
    to_state: str = ""
    reasons: tuple[str, ...] = ()
    note: str = ""
    earlier: Earlier | None = None


def actor(admin: AdminIdentity) -> str:
    """How a StepEvent names the admin who acted."""
    return f"{ACTOR_PREFIX}{admin.telegram_user_id}"


def offered_mask(case: Case) -> int:
    """The bits of the reasons offered for this application (``REASONS`` order)."""
    if case.track is None:
        return 0
    offered = reasons_for(case.track, case.env.context(case.progress))
    return sum(1 << REASONS.index(reason) for reason in offered)


def codes_of(mask: int) -> tuple[str, ...]:
    """The reason codes a bitmask names."""
    return tuple(reason.code for index, reason in enumerate(REASONS) if mask >> index & 1)


def decide(
    session: Session,
    admin: AdminIdentity,
    *,
    application_id: int,
    version: int,
    approve: bool,
    mask: int = 0,
    note: str = "",
    now: dt.datetime,
) -> Decision:
    """Approve or reject one submitted application of the admin's scope, once."""
    case = load_case(session, admin, application_id)
    refused = refusal(session, case, version)
    if refused is not None:
        return refused
    assert case is not None
    note = note.strip()[:MAX_FREE_TEXT]
    if not approve and (mask & ~offered_mask(case) or (mask == 0 and not note)):
        return Decision(Verdict.BAD_REASONS, case)
    codes = codes_of(mask)
    stored = session.get(Application, case.id)
    assert stored is not None
    values: dict[str, object] = {"decided_at": now, "state_since": now}
    if approve:
        target = APPROVED
    else:
        assert case.track is not None
        redo = steps_to_redo(case.track, codes, case.env.context(case.progress))
        target = redo[0] if redo else REVIEW
        values["rejections"] = col(Application.rejections) + 1
        plain = dict(stored.answers)  # the JSON column: uploads stay in their rows
        plain.pop(REDO, None)
        if redo:
            plain[EDITING] = True  # fixed, the seller comes back to the summary ...
        if len(redo) > 1:
            plain[REDO] = list(redo[1:])  # ... by way of the other reasons' steps
        plain[REJECTION_KEY] = list(codes)  # the funnel's top reasons read them
        values["answers"] = plain
    values["furthest_state"] = further(case.track, stored.furthest_state, target)
    won = session.connection().execute(
        update(Application)
        .where(
            col(Application.id) == case.id,
            col(Application.version) == version,
            col(Application.state) == SUBMITTED,
        )
        .values(state=target, version=version + 1, updated_at=now, **values)
    )
    if won.rowcount != 1:  # another admin (or the seller) got there first
        session.rollback()
        return _lost(session, admin, case.id, version)
    path = [SUBMITTED, APPROVED] if approve else [SUBMITTED, REJECTED, target]
    since = stored.state_since  # rejected is passed through at once: 0 s there
    for before, after in itertools.pairwise(path):
        repo.record_step(
            session.connection(), application_id=case.id, from_state=before, to_state=after,
            actor=actor(admin), seconds=repo.seconds_between(since, now), at=now,
        )  # fmt: skip
        since = now
    audit.record(
        session,
        admin=admin,
        action="application.approve" if approve else "application.reject",
        target=f"application:{case.id}",
        provider_id=case.provider_id,
        before={"state": SUBMITTED, "version": version},
        after={"state": target, "reasons": list(codes), "note": note} if not approve
        else {"state": APPROVED},
    )  # fmt: skip
    drop_note(session, admin)
    return Decision(Verdict.DECIDED, case, to_state=target, reasons=codes, note=note)


def _lost(session: Session, admin: AdminIdentity, application_id: int, version: int) -> Decision:
    case = load_case(session, admin, application_id)
    return refusal(session, case, version) or Decision(Verdict.CHANGED, case)


def refusal(session: Session, case: Case | None, version: int) -> Decision | None:
    """Why a button for ``version`` of this application can no longer decide it, or None
    while it can. The admin who comes second learns who decided, what, and when."""
    if case is None:
        return Decision(Verdict.NOT_FOUND)
    if case.anonymized:
        return Decision(Verdict.ERASED, case)
    if case.state != SUBMITTED:
        return Decision(Verdict.ALREADY_DECIDED, case, earlier=earlier_decision(session, case))
    if case.version != version:
        return Decision(Verdict.CHANGED, case)
    return None


def earlier_decision(session: Session, case: Case) -> Earlier | None:
    """The last decision an admin took on the application, if any."""
    event = session.exec(
        select(StepEvent)
        .where(StepEvent.application_id == case.id, StepEvent.from_state == SUBMITTED)
        .where(col(StepEvent.actor).startswith(ACTOR_PREFIX))
        .order_by(col(StepEvent.created_at).desc(), col(StepEvent.id).desc())
    ).first()
    if event is None or not event.actor[len(ACTOR_PREFIX) :].isdecimal():
        return None
    telegram_id = int(event.actor[len(ACTOR_PREFIX) :])
    role = session.exec(select(Admin.role).where(Admin.telegram_user_id == telegram_id)).first()
    reasons = case.answers.get(REJECTION_KEY) or ()
    return Earlier(
        admin_telegram_id=telegram_id,
        role=role,
        approved=event.to_state == APPROVED,
        reasons=tuple(str(code) for code in reasons),
        at=event.created_at,
    )


def start_note(
    session: Session, admin: AdminIdentity, *, application_id: int, version: int, mask: int
) -> Case | None:
    """Remember that the admin's next text is a rejection note (replacing an older draft)."""
    case = load_case(session, admin, application_id)
    if case is None or case.state != SUBMITTED or case.version != version:
        return None
    if mask & ~offered_mask(case):
        return None
    drop_note(session, admin)
    session.add(
        ReviewDraft(
            admin_telegram_id=admin.telegram_user_id,
            application_id=case.id,
            version=version,
            reasons=mask,
        )
    )
    return case


def drop_note(session: Session, admin: AdminIdentity) -> None:
    """Forget the admin's unfinished rejection note, if any."""
    session.connection().execute(
        delete(ReviewDraft).where(col(ReviewDraft.admin_telegram_id) == admin.telegram_user_id)
    )


def pending_note(session: Session, admin: AdminIdentity) -> ReviewDraft | None:
    """The rejection the admin is writing a note for, if any."""
    draft = session.exec(
        select(ReviewDraft).where(ReviewDraft.admin_telegram_id == admin.telegram_user_id)
    ).first()
    if draft is not None:
        session.expunge(draft)
    return draft


class Assigned(enum.Enum):
    DONE = "done"
    NO_APPLICATION = "no_application"
    NO_COHORT = "no_cohort"
    WRONG_MARKET = "wrong_market"


def assign(
    session: Session, admin: AdminIdentity, *, application_id: int, cohort_id: int
) -> tuple[Assigned, Case | None]:
    """A superadmin puts an application into a cohort (and so its provider)."""
    application = session.get(Application, application_id)
    cohort = session.get(Cohort, cohort_id)
    if application is None or not admin.is_superadmin:
        return Assigned.NO_APPLICATION, None
    if cohort is None or cohort.archived or not visible(admin, cohort.provider_id):
        return Assigned.NO_COHORT, None
    if application.market is not None and application.market != cohort.market:
        return Assigned.WRONG_MARKET, None
    before = application.cohort_id
    application.cohort_id = cohort_id
    session.add(application)
    session.flush()
    audit.record(
        session,
        admin=admin,
        action="application.assign",
        target=f"application:{application_id}",
        provider_id=cohort.provider_id,
        before={"cohort_id": before},
        after={"cohort_id": cohort_id},
    )
    return Assigned.DONE, case_of(session, application)
