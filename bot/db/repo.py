"""Keyword-only queries. Each takes the caller's session: transactions belong to callers.

A seller transaction's (the lock, the redelivery check, a first contact, the progress
write, the update record) take its connection instead, and most run as ``bot.db.prepared``
statements.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic_core import PydanticUndefined
from sqlalchemy import (
    BigInteger,
    Connection,
    Float,
    String,
    bindparam,
    delete,
    func,
    insert,
    text,
    update,
)
from sqlalchemy import select as core_select  # sqlmodel's select is typed for ORM rows
from sqlalchemy.sql.elements import ClauseElement
from sqlmodel import Session, SQLModel, col, select

from bot.db.models import (
    Application,
    Cohort,
    ProcessedUpdate,
    Seller,
    StepEvent,
    utcnow,
)
from bot.db.prepared import Prepared

SELLER_LOCK_SPACE = 0x5E11  # first key of the two-key advisory locks that serialize one seller


_LOCK_SELLER = Prepared(text("SELECT pg_advisory_xact_lock(:space, :key)"))
_BEGIN_IMMEDIATE = Prepared(text("BEGIN IMMEDIATE"))


def lock_seller(connection: Connection, *, telegram_user_id: int) -> None:
    """Make this transaction the only one working on the seller, across processes.

    Must be the transaction's first statement. PostgreSQL: an advisory lock on the
    Telegram user id (two 32-bit keys, a key space apart from the migration lock), freed
    at commit or rollback. SQLite: ``BEGIN IMMEDIATE`` takes the database's one write
    lock up front, so two processes never both read a seller and then race to write it.
    """
    if connection.dialect.name == "postgresql":
        folded = (telegram_user_id & 0xFFFFFFFF) - (1 << 31)  # into a signed 32-bit int
        _LOCK_SELLER.rowcount(connection, {"space": SELLER_LOCK_SPACE, "key": folded})
    elif connection.dialect.name == "sqlite":
        _BEGIN_IMMEDIATE.rowcount(connection, {})


_PROCESSED = Prepared(
    core_select(col(ProcessedUpdate.update_id)).where(
        col(ProcessedUpdate.update_id) == bindparam("update_id"),
        col(ProcessedUpdate.digest) == bindparam("digest"),
    )
)


def update_processed(connection: Connection, *, update_id: int, digest: str) -> bool:
    """Whether this very update (id and content) has been applied already."""
    return bool(_PROCESSED.rows(connection, {"update_id": update_id, "digest": digest}))


# The hot path's writes as prebuilt Core statements: the SET and VALUES columns come from
# each call's parameters, so SQLAlchemy compiles each shape once and reuses it, instead of
# building, cache-keying and coercing a statement (or running the unit of work's flush)
# on every update (profiled: about a third of a seller transaction's time). Timestamps
# are passed explicitly: the models' defaults are Python-side (``default_factory``).
_INSERT_PROCESSED = Prepared(insert(ProcessedUpdate))
_INSERT_STEP = Prepared(insert(StepEvent))
_SAVE_APPLICATION = Prepared(
    update(Application).where(
        col(Application.id) == bindparam("w_id"),
        col(Application.version) == bindparam("w_version"),
    )
)
_SAVE_SELLER = update(Seller).where(col(Seller.id) == bindparam("w_id"))
_SAVE_SELLER_PREPARED = Prepared(_SAVE_SELLER)


def record_update(
    connection: Connection, *, update_id: int, digest: str, at: dt.datetime | None = None
) -> None:
    """Remember that the update was applied (in the transaction that applied it)."""
    row = {"update_id": update_id, "digest": digest, "created_at": at or utcnow()}
    _INSERT_PROCESSED.rowcount(connection, row)


def prune_updates(session: Session, *, before: dt.datetime) -> int:
    """Forget updates processed before ``before``; how many were deleted."""
    statement = delete(ProcessedUpdate).where(col(ProcessedUpdate.created_at) < before)
    return int(session.connection().execute(statement).rowcount or 0)


def get_seller(session: Session, *, telegram_user_id: int) -> Seller | None:
    """The seller of a Telegram user, if they have started the bot."""
    return session.exec(select(Seller).where(Seller.telegram_user_id == telegram_user_id)).first()


def chosen_locale(session: Session, *, telegram_user_id: int) -> str | None:
    """The language a seller chose; None for a user the bot does not know (never creates)."""
    return session.exec(
        select(Seller.locale).where(Seller.telegram_user_id == telegram_user_id)
    ).first()


@dataclass(frozen=True, slots=True)
class NewSeller:
    """A seller just created, and their first application (current)."""

    id: int
    current_application_id: int


_COHORT_BY_TOKEN = Prepared(
    core_select(col(Cohort.id), col(Cohort.market)).where(
        col(Cohort.join_token) == bindparam("token")
    )
)
_SET_CURRENT = Prepared(
    update(Seller)
    .where(col(Seller.id) == bindparam("w_id"))
    .values(current_application_id=bindparam("application"))
)


def create_seller(
    connection: Connection,
    *,
    telegram_user_id: int,
    chat_id: int,
    locale: str,
    start_payload: str | None,
) -> NewSeller:
    """A new seller with a first application at the first step.

    A deep-link payload naming a cohort puts that application in the cohort. Prepared
    inserts of the models' own defaults: a seller's first message is answered on the hot
    path, and building the model instances and a fresh ``insert().values()`` for each was
    most of a ``/start`` (0.9 ms of SQLite's 2 ms, profiled).
    """
    seller = _new_row(
        Seller,
        telegram_user_id=telegram_user_id,
        chat_id=chat_id,
        locale=locale,
        start_payload=start_payload,
    )
    ((seller_id,),) = _INSERT_SELLER.rows(connection, seller)
    cohort = _COHORT_BY_TOKEN.rows(connection, {"token": start_payload}) if start_payload else []
    cohort_id, market = cohort[0] if cohort else (None, None)
    now = utcnow()
    application = _new_row(
        Application, seller_id=seller_id, cohort_id=cohort_id, market=market,
        created_at=now, updated_at=now, state_since=now,
    )  # fmt: skip
    ((application_id,),) = _INSERT_APPLICATION.rows(connection, application)
    _SET_CURRENT.rowcount(connection, {"w_id": seller_id, "application": application_id})
    return NewSeller(seller_id, application_id)


_INSERT_SELLER = Prepared(insert(Seller).returning(col(Seller.id)))
_INSERT_APPLICATION = Prepared(insert(Application).returning(col(Application.id)))


def _new_row(model: type[SQLModel], **given: Any) -> dict[str, Any]:
    """A new row's values as a new instance of ``model`` would hold them: each field's
    default (a factory called, as for an instance), then ``given``. A None is left out,
    as the ORM leaves out an unset attribute: SQL NULL, not a JSON ``null`` in a JSON
    column (``IS NULL`` must find it)."""
    values = {
        name: field.get_default(call_default_factory=True)
        for name, field in model.model_fields.items()
        if name != "id" and name not in given
    }
    values.update(given)
    return {
        name: value
        for name, value in values.items()
        if value is not None and value is not PydanticUndefined
    }


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


def application_states(session: Session) -> dict[str, int]:
    """How many applications are in each state (``/metrics``, read at most once a minute)."""
    rows = session.execute(
        core_select(col(Application.state), func.count()).group_by(col(Application.state))
    )
    return {state: int(count) for state, count in rows}


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
    connection: Connection,
    *,
    application_id: int,
    expected_version: int,
    at: dt.datetime | None = None,
    **values: Any,
) -> bool:
    """Write ``values`` if nobody wrote the application since ``expected_version`` was read.

    Returns False on a concurrent write (the caller re-reads and retries); the version
    goes up by one on every successful write.
    """
    row: dict[str, Any] = {"w_id": application_id, "w_version": expected_version}
    row.update(version=expected_version + 1, updated_at=at or utcnow(), **values)
    return _SAVE_APPLICATION.rowcount(connection, row) == 1


@dataclass(frozen=True, slots=True)
class StateChange:
    """One state change to append to an application's history."""

    from_state: str
    to_state: str
    actor: str = "seller"
    since: dt.datetime | None = None
    """When the application entered ``from_state``: the step stores the seconds from then
    (what ``/stats`` reads for the time per step)."""


@dataclass(frozen=True, slots=True)
class Processed:
    """The update being applied, to record by identity (``bot.transport.redelivery``)."""

    update_id: int
    digest: str


def save_progress(
    connection: Connection,
    *,
    application_id: int,
    expected_version: int,
    values: Mapping[str, Any],
    step: StateChange | None,
    processed: Processed | None,
) -> bool:
    """``save_application``, then the step and the update record, if the version held.

    With a ``step`` the application entered its new state now (``state_since``).

    On PostgreSQL the three are one statement (the UPDATE … RETURNING as a CTE the two
    INSERTs select from: nothing is inserted when the version check fails), saving two
    round trips on every accepted answer. SQLite has no data-modifying CTEs and no round
    trips to save: there they are three statements.
    """
    now = utcnow()
    seconds = None
    if step is not None:
        values = {**values, "state_since": now}
        seconds = None if step.since is None else seconds_between(step.since, now)
    if connection.dialect.name != "postgresql":
        if not save_application(
            connection,
            application_id=application_id,
            expected_version=expected_version,
            at=now,
            **values,
        ):
            return False
        if step is not None:
            record_step(
                connection, application_id=application_id, from_state=step.from_state,
                to_state=step.to_state, actor=step.actor, seconds=seconds, at=now,
            )  # fmt: skip
        if processed is not None:
            record_update(
                connection, update_id=processed.update_id, digest=processed.digest, at=now
            )
        return True
    statement = _folded_save(tuple(sorted(values)), step is not None, processed is not None)
    row: dict[str, Any] = {"w_id": application_id, "w_version": expected_version}
    row.update(values, version=expected_version + 1, updated_at=now)
    if step is not None:
        row.update(
            s_from=step.from_state, s_to=step.to_state, s_actor=step.actor, s_seconds=seconds
        )
    if processed is not None:
        row.update(u_id=processed.update_id, u_digest=processed.digest)
    return bool(statement.rows(connection, row)[0][0] == 1)


@functools.cache
def _folded_save(columns: tuple[str, ...], with_step: bool, with_update: bool) -> Prepared:
    """The PostgreSQL statement of ``save_progress``, built once per shape."""
    table = Application.__table__  # type: ignore[attr-defined]
    assigned = (*columns, "version", "updated_at")
    saved = (
        update(Application)
        .where(
            col(Application.id) == bindparam("w_id"),
            col(Application.version) == bindparam("w_version"),
        )
        .values({name: bindparam(name, type_=table.c[name].type) for name in assigned})
        .returning(col(Application.id), col(Application.updated_at))
        .cte("saved")
    )
    statement = core_select(func.count()).select_from(saved)
    if with_step:
        names = ["application_id", "from_state", "to_state", "actor", "created_at", "seconds"]
        source = core_select(
            saved.c.id,
            bindparam("s_from", type_=String),
            bindparam("s_to", type_=String),
            bindparam("s_actor", type_=String),
            saved.c.updated_at,
            bindparam("s_seconds", type_=Float),
        )
        statement = statement.add_cte(insert(StepEvent).from_select(names, source).cte("step"))
    if with_update:
        source = core_select(
            bindparam("u_id", type_=BigInteger),
            bindparam("u_digest", type_=String),
            saved.c.updated_at,
        ).select_from(saved)
        inserted = insert(ProcessedUpdate).from_select(
            ["update_id", "digest", "created_at"], source
        )
        statement = statement.add_cte(inserted.cte("processed"))
    return Prepared(statement)


def save_seller(connection: Connection, *, seller_id: int, **values: Any) -> None:
    """Write the seller's own columns (locale, pending confirmation, blocked…).

    Activity is not the seller row's business: each application's ``updated_at`` says
    when it last moved, so an answer writes only its application.
    """
    if any(isinstance(value, ClauseElement) for value in values.values()):  # e.g. SQL NULL
        connection.execute(_SAVE_SELLER.values(**values), {"w_id": seller_id})
        return
    _SAVE_SELLER_PREPARED.rowcount(connection, {"w_id": seller_id, **values})


def record_step(
    connection: Connection,
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
    _INSERT_STEP.rowcount(connection, row)


def seconds_between(earlier: dt.datetime, later: dt.datetime) -> float:
    """Seconds from ``earlier`` to ``later``."""
    return (later - earlier).total_seconds()
