"""The outbox's storage: enqueue, claim, record outcomes, recover after a crash.

Every function is synchronous and runs one short transaction on the caller's engine (the
sender calls them through ``asyncio.to_thread``); none is held open across a Telegram call.

Delivery states::

    pending ──claim──▶ sending ──sent──▶ sent
       ▲                  │ ──403────▶ blocked   (and Seller.blocked for that chat)
       └── 429, timeout,  │ ──400────▶ failed    (with Telegram's reason)
           5xx, migrated ─┘ ──retries used up──▶ failed

**Crash bound.** A delivery is ``sending`` from its claim until its outcome is committed.
The sender that claims holds the sender lock (``bot.outbox.lock``), so when a sender
takes the lock, every ``sending`` row belongs to a dead predecessor and goes back to
``pending`` (:func:`recover`). Of those rows, the ones whose message Telegram had already
accepted are sent again: a recipient gets **at most one duplicate per crash**, and only
for a delivery that was in flight (claimed, not yet recorded) when the process died; the
number of such deliveries is bounded by the claim batch plus the unrecorded outcomes
(``OUTBOX_BATCH_SIZE``). Telegram has no idempotency key, so no outbox can do better than
"at most once more" for a send whose answer was lost.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, bindparam, func, insert, select, update
from sqlmodel import Session, col

from bot.db.models import Broadcast, Delivery, Seller, utcnow
from bot.platform.metrics import DELIVERIES

__all__ = [
    "Claimed",
    "Message",
    "SendResult",
    "backlog",
    "claim",
    "enqueue",
    "enqueue_in",
    "has_due",
    "move_chat",
    "record",
    "recover",
    "set_status",
    "set_status_in",
    "status_counts",
]

PRIORITY = {"notification": 20, "reminder": 10, "broadcast": 0}
ACTIVE = ("queued", "sending")


@dataclass(frozen=True)
class Message:
    """What one recipient gets: text (HTML by default), an optional file, buttons."""

    chat_id: int
    text: str
    seller_id: int | None = None
    parse_mode: str | None = "HTML"
    application_id: int | None = None
    """The application the message is about (erasure deletes it with the application)."""
    ticket_id: int | None = None
    """The seller's question the message carries to an admin (a reply to it answers it)."""
    photo_file_id: str | None = None
    document_file_id: str | None = None
    buttons: list[list[dict[str, str]]] = field(default_factory=list)
    media: list[dict[str, str]] = field(default_factory=list)
    """An album instead of a message: ``{"type", "media", "caption"}`` each."""


@dataclass(frozen=True)
class Claimed:
    """A delivery taken for sending, detached from the session."""

    id: int
    broadcast_id: int
    chat_id: int
    seller_id: int | None
    text: str
    parse_mode: str | None
    photo_file_id: str | None
    document_file_id: str | None
    buttons: list[Any]
    attempts: int
    media: list[Any] = field(default_factory=list)


@dataclass(frozen=True)
class SendResult:
    """What happened to one claimed delivery; ``status`` pending means "try again later"."""

    delivery: Claimed
    status: str
    error: str | None = None
    message_id: int | None = None
    retry_at: dt.datetime | None = None
    counts_attempt: bool = True


def enqueue(
    engine: Engine,
    messages: Sequence[Message],
    *,
    kind: str = "broadcast",
    created_by: int | None = None,
    priority: int | None = None,
) -> int:
    """Write a Broadcast and one Delivery per message in one transaction; its id.

    Two messages to the same chat are refused (``IntegrityError``) before anything is sent.
    """
    with Session(engine) as session, session.begin():
        return enqueue_in(session, messages, kind=kind, created_by=created_by, priority=priority)


def enqueue_in(
    session: Session,
    messages: Sequence[Message],
    *,
    kind: str = "broadcast",
    created_by: int | None = None,
    priority: int | None = None,
) -> int:
    """:func:`enqueue` inside the caller's transaction, so other rows (a draft's status, a
    reminder's nudge record) commit or roll back together with the deliveries."""
    rank = PRIORITY.get(kind, 0) if priority is None else priority
    broadcast = Broadcast(kind=kind, priority=rank, created_by=created_by, total=len(messages))
    if not messages:  # nothing to send: done at once, not queued forever
        broadcast.status, broadcast.finished_at = "done", utcnow()
    session.add(broadcast)
    session.flush()
    assert broadcast.id is not None
    if messages:
        now = utcnow()
        rows = [
            {
                "broadcast_id": broadcast.id,
                "chat_id": m.chat_id,
                "seller_id": m.seller_id,
                "application_id": m.application_id,
                "ticket_id": m.ticket_id,
                "text": m.text,
                "parse_mode": m.parse_mode,
                "photo_file_id": m.photo_file_id,
                "document_file_id": m.document_file_id,
                "buttons": m.buttons,
                "media": m.media,
                "priority": rank,
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": now,
            }
            for m in messages
        ]
        session.execute(insert(Delivery), rows)
    return broadcast.id


def recover(engine: Engine) -> int:
    """Deliveries a dead sender left ``sending`` go back to ``pending``; how many.

    Only the holder of the sender lock may call this (see the module's crash bound).
    """
    with Session(engine) as session, session.begin():
        result = session.execute(
            update(Delivery).where(col(Delivery.status) == "sending").values(status="pending")
        )
        return int(result.rowcount)  # type: ignore[attr-defined]


def claim(engine: Engine, *, limit: int, now: dt.datetime | None = None) -> list[Claimed]:
    """Up to ``limit`` due deliveries of active broadcasts, highest priority first, now
    ``sending``. On PostgreSQL the rows are locked with ``FOR UPDATE SKIP LOCKED``, so
    concurrent claimers never take the same row. Deliveries to a chat whose seller has
    blocked the bot are marked ``blocked`` here, without a send."""
    now = now or utcnow()
    blocked_chats = select(col(Seller.chat_id)).where(col(Seller.blocked))
    query = (
        select(Delivery)
        .join(Broadcast, col(Broadcast.id) == col(Delivery.broadcast_id))
        .where(
            col(Delivery.status) == "pending",
            col(Delivery.next_attempt_at) <= now,
            col(Broadcast.status).in_(ACTIVE),
        )
        .order_by(col(Delivery.priority).desc(), col(Delivery.next_attempt_at), col(Delivery.id))
        .limit(limit)
    )
    with Session(engine) as session, session.begin():
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True, of=Delivery)
        rows = list(session.scalars(query))
        if not rows:
            return []
        blocked = set(
            session.scalars(blocked_chats.where(col(Seller.chat_id).in_({r.chat_id for r in rows})))
        )
        taken = [r for r in rows if r.chat_id not in blocked]
        skipped = [r for r in rows if r.chat_id in blocked]
        if taken:
            session.execute(
                update(Delivery)
                .where(col(Delivery.id).in_([r.id for r in taken]))
                .values(status="sending")
            )
            session.execute(
                update(Broadcast)
                .where(col(Broadcast.id).in_({r.broadcast_id for r in taken}))
                .where(col(Broadcast.status) == "queued")
                .values(status="sending", started_at=now)
            )
        claimed = [_detached(r) for r in taken]
        _write_outcomes(
            session, [SendResult(_detached(r), "blocked", "blocked the bot") for r in skipped], now
        )
        return claimed


def record(engine: Engine, outcomes: Iterable[SendResult]) -> None:
    """Commit the outcomes of sent deliveries in one transaction (counts, blocked sellers).

    Only deliveries still ``sending`` take their outcome: recording the same outcomes again
    (a commit whose answer was lost with its connection, tried again) changes nothing and
    counts nothing twice.
    """
    outcomes = list(outcomes)
    if not outcomes:
        return
    with Session(engine) as session, session.begin():
        query = select(col(Delivery.id)).where(
            col(Delivery.id).in_({o.delivery.id for o in outcomes}),
            col(Delivery.status) == "sending",
        )
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update()
        sending = set(session.scalars(query))
        _write_outcomes(session, [o for o in outcomes if o.delivery.id in sending], utcnow())


def move_chat(engine: Engine, delivery_id: int, new_chat_id: int) -> bool:
    """A group became a supergroup: the delivery now goes to ``new_chat_id``.

    False (and the delivery failed) when the broadcast already has a delivery there.
    """
    with Session(engine) as session, session.begin():
        delivery = session.get(Delivery, delivery_id)
        if delivery is None:
            return False
        clash = session.scalar(
            select(func.count())
            .select_from(Delivery)
            .where(
                col(Delivery.broadcast_id) == delivery.broadcast_id,
                col(Delivery.chat_id) == new_chat_id,
            )
        )
        if clash:
            delivery.status, delivery.last_error = (
                "failed",
                f"migrated to {new_chat_id}, a duplicate",
            )
            _count(session, Counter({(delivery.broadcast_id, "failed"): 1}), utcnow())
            return False
        delivery.chat_id, delivery.status = new_chat_id, "pending"
        delivery.next_attempt_at = utcnow()
        return True


def set_status(engine: Engine, broadcast_id: int, status: str) -> bool:
    """Pause (``paused``), resume (``queued``) or cancel (``cancelled``) a broadcast; False
    when it was not in a state that allows it (see :data:`MOVES_TO`).

    A paused or cancelled broadcast's pending deliveries are not claimed any more; a send
    already in flight finishes.
    """
    with Session(engine) as session, session.begin():
        return set_status_in(session, broadcast_id, status)


MOVES_TO = {
    "paused": ("queued", "sending"),
    "queued": ("paused",),
    "cancelled": ("queued", "sending", "paused"),
}
"""The statuses a broadcast may be moved to, and from which: a done or cancelled broadcast
stays as it is, and pausing a paused one (a double tap) changes nothing."""


def set_status_in(session: Session, broadcast_id: int, status: str) -> bool:
    """:func:`set_status` in the caller's transaction (with its audit record, say).

    One conditional UPDATE (``WHERE status IN <allowed sources>``, rowcount checked), so
    of two taps handled at once only one changes the broadcast and gets to audit it.
    """
    if status not in MOVES_TO:
        raise ValueError(f"unknown broadcast status {status!r}")
    now = utcnow()
    stamp = {"paused": {"paused_at": now}, "cancelled": {"cancelled_at": now}}.get(status, {})
    moved = session.execute(
        update(Broadcast)
        .where(col(Broadcast.id) == broadcast_id, col(Broadcast.status).in_(MOVES_TO[status]))
        .values(status=status, **stamp)
    )
    return bool(moved.rowcount)  # type: ignore[attr-defined]


def has_due(engine: Engine, *, now: dt.datetime | None = None) -> bool:
    """Whether a delivery of an active broadcast is waiting to be sent now."""
    query = (
        select(col(Delivery.id))
        .join(Broadcast, col(Broadcast.id) == col(Delivery.broadcast_id))
        .where(
            col(Delivery.status) == "pending",
            col(Delivery.next_attempt_at) <= (now or utcnow()),
            col(Broadcast.status).in_(ACTIVE),
        )
        .limit(1)
    )
    with Session(engine) as session:
        return session.scalar(query) is not None


def backlog(engine: Engine) -> dict[str, int]:
    """Deliveries not yet sent (pending or sending) by broadcast kind (``/metrics``)."""
    with Session(engine) as session:
        rows = session.execute(
            select(col(Broadcast.kind), func.count())
            .select_from(Delivery)
            .join(Broadcast, col(Broadcast.id) == col(Delivery.broadcast_id))
            .where(col(Delivery.status).in_(("pending", "sending")))
            .group_by(col(Broadcast.kind))
        )
        return {kind: int(count) for kind, count in rows}


def status_counts(engine: Engine, broadcast_id: int) -> dict[str, int]:
    """How many of a broadcast's deliveries are in each status."""
    with Session(engine) as session:
        rows = session.execute(
            select(col(Delivery.status), func.count())
            .where(col(Delivery.broadcast_id) == broadcast_id)
            .group_by(col(Delivery.status))
        )
        return {status: int(count) for status, count in rows}


# -- plumbing --------------------------------------------------------------------------------


def _detached(row: Delivery) -> Claimed:
    assert row.id is not None
    return Claimed(
        id=row.id,
        broadcast_id=row.broadcast_id,
        chat_id=row.chat_id,
        seller_id=row.seller_id,
        text=row.text,
        parse_mode=row.parse_mode,
        photo_file_id=row.photo_file_id,
        document_file_id=row.document_file_id,
        buttons=list(row.buttons),
        attempts=row.attempts,
        media=list(row.media or []),
    )


def _write_outcomes(session: Session, outcomes: Sequence[SendResult], now: dt.datetime) -> None:
    if not outcomes:
        return
    table = Delivery.__table__  # type: ignore[attr-defined]
    statement = (
        table.update()
        .where(table.c.id == bindparam("b_id"))
        .values(
            status=bindparam("b_status"),
            last_error=bindparam("b_error"),
            message_id=bindparam("b_message_id"),
            sent_at=bindparam("b_sent_at"),
            next_attempt_at=bindparam("b_next"),
            attempts=bindparam("b_attempts"),
        )
    )
    session.execute(
        statement,
        [
            {
                "b_id": o.delivery.id,
                "b_status": o.status,
                "b_error": o.error[:500] if o.error else None,
                "b_message_id": o.message_id,
                "b_sent_at": now if o.status == "sent" else None,
                "b_next": o.retry_at or now,
                "b_attempts": o.delivery.attempts + (1 if o.counts_attempt else 0),
            }
            for o in outcomes
        ],
    )
    for outcome in outcomes:
        DELIVERIES.labels(outcome.status).inc()
    blocked_chats = {o.delivery.chat_id for o in outcomes if o.status == "blocked"}
    if blocked_chats:
        session.execute(
            update(Seller).where(col(Seller.chat_id).in_(blocked_chats)).values(blocked=True)
        )
    final = Counter(
        (o.delivery.broadcast_id, o.status)
        for o in outcomes
        if o.status in ("sent", "blocked", "failed")
    )
    _count(session, final, now)


def _count(session: Session, final: Counter[tuple[int, str]], now: dt.datetime) -> None:
    """Add final outcomes to the broadcasts' counts; a broadcast with nothing left is done."""
    for broadcast_id in {b for b, _ in final}:
        session.execute(
            update(Broadcast)
            .where(col(Broadcast.id) == broadcast_id)
            .values(
                sent=col(Broadcast.sent) + final[(broadcast_id, "sent")],
                blocked=col(Broadcast.blocked) + final[(broadcast_id, "blocked")],
                failed=col(Broadcast.failed) + final[(broadcast_id, "failed")],
            )
        )
        left = (
            select(func.count())
            .select_from(Delivery)
            .where(
                col(Delivery.broadcast_id) == broadcast_id,
                col(Delivery.status).in_(("pending", "sending")),
            )
        )
        if not session.scalar(left):
            session.execute(
                update(Broadcast)
                .where(col(Broadcast.id) == broadcast_id, col(Broadcast.status).in_(ACTIVE))
                .values(status="done", finished_at=now)
            )
