"""Keyword-only queries. Each takes the caller's session: transactions belong to callers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import bindparam, delete, insert, or_, text, update
from sqlalchemy.sql.elements import ClauseElement
from sqlmodel import Session, col, select

from bot.db.models import (
    Application,
    Cohort,
    InviteCode,
    ProcessedUpdate,
    Seller,
    StepEvent,
    utcnow,
)
from flows.errors import ValidationError

SELLER_LOCK_SPACE = 0x5E11  # first key of the two-key advisory locks that serialize one seller


def lock_seller(session: Session, *, telegram_user_id: int) -> None:
    """Make this transaction the only one working on the seller, across processes.

    Must be the transaction's first statement. PostgreSQL: an advisory lock on the
    Telegram user id (two 32-bit keys, a key space apart from the migration lock), freed
    at commit or rollback. SQLite: ``BEGIN IMMEDIATE`` takes the database's one write
    lock up front, so two processes never both read a seller and then race to write it.
    """
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        folded = (telegram_user_id & 0xFFFFFFFF) - (1 << 31)  # into a signed 32-bit int
        connection.execute(
            text("SELECT pg_advisory_xact_lock(:space, :key)"),
            {"space": SELLER_LOCK_SPACE, "key": folded},
        )
    elif connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def update_processed(session: Session, *, update_id: int, digest: str) -> bool:
    """Whether this very update (id and content) has been applied already."""
    found = session.get(ProcessedUpdate, (update_id, digest))
    return found is not None


# The hot path's writes as prebuilt Core statements: the SET and VALUES columns come from
# each call's parameters, so SQLAlchemy compiles each shape once and reuses it, instead of
# building, cache-keying and coercing a statement (or running the unit of work's flush)
# on every update (profiled: about a third of a seller transaction's time). Timestamps
# are passed explicitly: the models' defaults are Python-side (``default_factory``).
_INSERT_PROCESSED = insert(ProcessedUpdate)
_INSERT_STEP = insert(StepEvent)
_SAVE_APPLICATION = update(Application).where(
    col(Application.id) == bindparam("w_id"), col(Application.version) == bindparam("w_version")
)
_SAVE_SELLER = update(Seller).where(col(Seller.id) == bindparam("w_id"))


def record_update(session: Session, *, update_id: int, digest: str) -> None:
    """Remember that the update was applied (in the transaction that applied it)."""
    row = {"update_id": update_id, "digest": digest, "created_at": utcnow()}
    session.connection().execute(_INSERT_PROCESSED, row)


def prune_updates(session: Session, *, before: dt.datetime) -> int:
    """Forget updates processed before ``before``; how many were deleted."""
    statement = delete(ProcessedUpdate).where(col(ProcessedUpdate.created_at) < before)
    return int(session.connection().execute(statement).rowcount or 0)


def get_seller(session: Session, *, telegram_user_id: int) -> Seller | None:
    """The seller of a Telegram user, if they have started the bot."""
    return session.exec(select(Seller).where(Seller.telegram_user_id == telegram_user_id)).first()


def create_seller(
    session: Session,
    *,
    telegram_user_id: int,
    chat_id: int,
    locale: str,
    start_payload: str | None,
) -> Seller:
    """A new seller with a first application at the first step.

    A deep-link payload naming a cohort puts that application in the cohort.
    """
    seller = Seller(
        telegram_user_id=telegram_user_id,
        chat_id=chat_id,
        locale=locale,
        start_payload=start_payload,
    )
    session.add(seller)
    session.flush()
    assert seller.id is not None
    cohort = cohort_by_token(session, token=start_payload) if start_payload else None
    application = create_application(session, seller_id=seller.id, cohort=cohort)
    seller.current_application_id = application.id
    session.flush()
    return seller


def create_application(
    session: Session,
    *,
    seller_id: int,
    cohort: Cohort | None = None,
    state: str = "language",
    answers: dict[str, Any] | None = None,
) -> Application:
    """A new application of the seller (not yet made current), in ``state`` from now."""
    now = utcnow()
    application = Application(
        seller_id=seller_id,
        cohort_id=cohort.id if cohort else None,
        market=cohort.market if cohort else None,
        state=state,
        furthest_state=state,
        answers=answers or {},
        created_at=now,
        updated_at=now,
        state_since=now,
    )
    session.add(application)
    session.flush()
    return application


def applications_of(session: Session, *, seller_id: int) -> list[Application]:
    """Every application of the seller, oldest first."""
    return list(
        session.exec(
            select(Application)
            .where(Application.seller_id == seller_id)
            .order_by(col(Application.id))
        ).all()
    )


def cohort_by_token(session: Session, *, token: str) -> Cohort | None:
    """The cohort a deep link ``t.me/<bot>?start=<token>`` points at."""
    return session.exec(select(Cohort).where(Cohort.join_token == token)).first()


def save_application(
    session: Session,
    *,
    application_id: int,
    expected_version: int,
    moved: bool = False,
    now: dt.datetime | None = None,
    **values: Any,
) -> bool:
    """Write ``values`` if nobody wrote the application since ``expected_version`` was read.

    ``moved``: the write changes the state, so the application entered it ``now``
    (``state_since``). Returns False on a concurrent write (the caller re-reads and
    retries); the version goes up by one on every successful write.
    """
    now = now or utcnow()
    row: dict[str, Any] = {"w_id": application_id, "w_version": expected_version}
    row.update(version=expected_version + 1, updated_at=now, **values)
    if moved:
        row["state_since"] = now
    result = session.connection().execute(_SAVE_APPLICATION, row)
    return bool(result.rowcount == 1)


def save_seller(session: Session, *, seller_id: int, **values: Any) -> None:
    """Write the seller's own columns (locale, current application…) and mark them active."""
    if any(isinstance(value, ClauseElement) for value in values.values()):  # e.g. SQL NULL
        statement = _SAVE_SELLER.values(last_activity_at=utcnow(), **values)
        session.connection().execute(statement, {"w_id": seller_id})
        return
    row = {"w_id": seller_id, "last_activity_at": utcnow(), **values}
    session.connection().execute(_SAVE_SELLER, row)


def record_step(
    session: Session,
    *,
    application_id: int,
    from_state: str,
    to_state: str,
    actor: str = "seller",
    seconds: float | None,
    at: dt.datetime | None = None,
) -> None:
    """Append one state change (at ``at``, default now) to the application's history.

    ``seconds``: how long the application was in ``from_state`` (``seconds_between`` its
    ``state_since`` and the change), what ``/stats`` reads for the time per step.
    """
    row = {
        "application_id": application_id,
        "from_state": from_state,
        "to_state": to_state,
        "actor": actor,
        "created_at": at or utcnow(),
        "seconds": seconds,
    }
    session.connection().execute(_INSERT_STEP, row)


def seconds_between(earlier: dt.datetime, later: dt.datetime) -> float:
    """Seconds from ``earlier`` to ``later`` (either may come back naive from SQLite)."""
    return (_aware(later) - _aware(earlier)).total_seconds()


def add_invite_code(
    session: Session,
    *,
    code: str,
    market: str,
    max_uses: int | None = 1,
    expires_at: dt.datetime | None = None,
    cohort_id: int | None = None,
    provider_id: int | None = None,
) -> InviteCode:
    """Store a new invite code (codes are kept upper-case, as sellers' input is normalized)."""
    invite = InviteCode(
        code=code.strip().upper(),
        market=market,
        max_uses=max_uses,
        expires_at=expires_at,
        cohort_id=cohort_id,
        provider_id=provider_id,
    )
    session.add(invite)
    session.flush()
    return invite


def invite_code_exists(session: Session, *, code: str) -> bool:
    """Whether ``code`` is already stored (codes are unique across markets)."""
    return session.exec(select(InviteCode.id).where(InviteCode.code == code)).first() is not None


def redeem_invite_code(session: Session, *, code: str, market: str, now: dt.datetime) -> None:
    """Use one redemption of ``code`` atomically, or raise a ``ValidationError`` saying why.

    The conditional UPDATE makes the check and the use one step, so two sellers cannot
    both take the last use of a single-use code.
    """
    statement = (
        update(InviteCode)
        .where(
            col(InviteCode.code) == code,
            col(InviteCode.market) == market,
            col(InviteCode.revoked).is_(False),
            or_(
                col(InviteCode.max_uses).is_(None), col(InviteCode.uses) < col(InviteCode.max_uses)
            ),
            or_(col(InviteCode.expires_at).is_(None), col(InviteCode.expires_at) > now),
        )
        .values(uses=col(InviteCode.uses) + 1)
    )
    if session.connection().execute(statement).rowcount == 1:
        return
    invite = session.exec(select(InviteCode).where(InviteCode.code == code)).first()
    if invite is None:
        raise ValidationError("error_invite_code_unknown")
    if invite.market != market:
        raise ValidationError("error_invite_code_wrong_market")
    if invite.revoked:
        raise ValidationError("error_invite_code_revoked")
    if invite.expires_at is not None and _aware(invite.expires_at) <= now:
        raise ValidationError("error_invite_code_expired")
    raise ValidationError("error_invite_code_used_up")


def _aware(moment: dt.datetime) -> dt.datetime:
    """SQLite returns naive datetimes for timezone-aware columns; they were stored as UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
