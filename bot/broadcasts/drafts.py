"""Broadcast drafts in the database: the composer's state, its launch, its schedule.

Every lookup takes the acting admin: a composing draft belongs to the admin who started
it, and a running broadcast to that admin's provider; anybody else's draft id reads as
absent.

Every change is a conditional claim: ``save`` writes only while the draft still has the
status it was read with (``UPDATE … WHERE status = <as read>``, rowcount checked), never
read-then-write. So two taps of "Send now" handled at once (two workers, or two tasks
past the per-admin ordering) launch once: the first claims ``composing → queued`` and
writes the Broadcast and every Delivery in the same transaction (``store.enqueue_in``);
the second finds no row to claim and launches nothing. The same holds for Cancel, for a
schedule typed while Send was tapped, and for the tick launching a scheduled draft.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from bot.broadcasts import compose
from bot.db.models import Admin, Broadcast, BroadcastDraft, utcnow
from bot.outbox import store
from bot.providers import audit
from bot.providers.access import AdminIdentity, resolve_admin

COMPOSING, SCHEDULED, QUEUED, CANCELLED = "composing", "scheduled", "queued", "cancelled"


def start(session: Session, admin: AdminIdentity, *, chat_id: int) -> BroadcastDraft:
    """A new draft; the admin's older unsent one is dropped (one composer per admin)."""
    session.execute(
        update(BroadcastDraft)
        .where(
            col(BroadcastDraft.admin_telegram_id) == admin.telegram_user_id,
            col(BroadcastDraft.status) == COMPOSING,
        )
        .values(status=CANCELLED, updated_at=utcnow())
    )
    draft = BroadcastDraft(
        provider_id=admin.provider_id,
        admin_telegram_id=admin.telegram_user_id,
        chat_id=chat_id,
        spec=compose.new_spec(),
    )
    session.add(draft)
    session.flush()
    audit.record(session, admin=admin, action="broadcast.start", target=f"draft:{draft.id}")
    return draft


def composing(session: Session, admin: AdminIdentity, draft_id: int) -> BroadcastDraft | None:
    """The admin's own draft still being composed (or scheduled: it may be cancelled)."""
    draft = session.get(BroadcastDraft, draft_id)
    if (
        draft is None
        or draft.admin_telegram_id != admin.telegram_user_id
        or not admin.sees(draft.provider_id)
        or draft.status not in (COMPOSING, SCHEDULED)
    ):
        return None
    return draft


def awaiting_reply(
    session: Session, admin: AdminIdentity, prompt_message_id: int
) -> BroadcastDraft | None:
    """The admin's draft whose prompt this message answers."""
    return session.exec(
        select(BroadcastDraft).where(
            BroadcastDraft.admin_telegram_id == admin.telegram_user_id,
            BroadcastDraft.status == COMPOSING,
            BroadcastDraft.prompt_message_id == prompt_message_id,
            col(BroadcastDraft.awaiting).is_not(None),
        )
    ).first()


def of_provider(session: Session, admin: AdminIdentity, draft_id: int) -> BroadcastDraft | None:
    """A launched broadcast of the admin's provider (to pause, resume, cancel or report)."""
    draft = session.get(BroadcastDraft, draft_id)
    if draft is None or draft.broadcast_id is None or not admin.sees(draft.provider_id):
        return None
    return draft


def save(session: Session, draft: BroadcastDraft, **changes: Any) -> bool:
    """Change a draft if its status is still the one it was read with; False (and nothing
    written) when another update changed it meanwhile. ``spec`` is written as a new dict."""
    values = {name: dict(value) if name == "spec" else value for name, value in changes.items()}
    values["updated_at"] = utcnow()
    claimed = session.execute(
        update(BroadcastDraft)
        .where(col(BroadcastDraft.id) == draft.id, col(BroadcastDraft.status) == draft.status)
        .values(**values)
    )
    if not claimed.rowcount:  # type: ignore[attr-defined]
        return False
    for name, value in values.items():  # the row as written, without a second UPDATE
        set_committed_value(draft, name, value)
    return True


def launch(
    session: Session, admin: AdminIdentity, draft: BroadcastDraft, now: dt.datetime
) -> int | None:
    """Queue every delivery of the draft and mark it queued, in the caller's transaction;
    None when the draft was launched (or cancelled) by another update meanwhile."""
    compose.check_ready(draft.spec)
    if not save(session, draft, status=QUEUED, awaiting=None):
        return None
    messages = compose.messages(session, admin, draft.spec, now)
    broadcast_id = store.enqueue_in(
        session, messages, kind="broadcast", created_by=admin.telegram_user_id
    )
    draft.broadcast_id = broadcast_id
    session.add(draft)
    audit.record(
        session,
        admin=admin,
        action="broadcast.send",
        target=f"draft:{draft.id}",
        provider_id=draft.provider_id,
        after={"broadcast": broadcast_id, "recipients": len(messages), **_summary(draft.spec)},
    )
    return broadcast_id


def launch_due(session: Session, now: dt.datetime, superadmin_ids: Collection[int]) -> list[int]:
    """Launch the scheduled drafts whose time has come; their ids.

    The conditional update claims each draft, so two processes never both launch one.
    A draft whose admin is gone is cancelled instead.
    """
    due = session.exec(
        select(BroadcastDraft).where(
            BroadcastDraft.status == SCHEDULED, col(BroadcastDraft.scheduled_at) <= now
        )
    ).all()
    launched: list[int] = []
    for draft in due:
        claimed = session.execute(
            update(BroadcastDraft)
            .where(col(BroadcastDraft.id) == draft.id, col(BroadcastDraft.status) == SCHEDULED)
            .values(status=COMPOSING)
        )
        if not claimed.rowcount:  # type: ignore[attr-defined]
            continue
        session.refresh(draft)
        row = session.exec(
            select(Admin).where(Admin.telegram_user_id == draft.admin_telegram_id)
        ).first()
        admin = resolve_admin(
            session,
            telegram_user_id=draft.admin_telegram_id,
            superadmin_ids=superadmin_ids,
            locale=row.locale if row else "en",
        )
        if admin is None or not admin.sees(draft.provider_id):
            save(session, draft, status=CANCELLED)
            continue
        if launch(session, admin, draft, now) is not None:
            assert draft.id is not None
            launched.append(draft.id)
    return launched


def unreported(session: Session) -> list[tuple[BroadcastDraft, Broadcast]]:
    """Launched drafts whose final report is not sent yet, with their broadcasts."""
    rows = session.exec(
        select(BroadcastDraft, Broadcast)
        .join(Broadcast, col(Broadcast.id) == col(BroadcastDraft.broadcast_id))
        .where(col(BroadcastDraft.reported).is_(False))
        .order_by(col(BroadcastDraft.id))
    ).all()
    return [(d, b) for d, b in rows]


def mark_reported(session: Session, draft_id: int) -> bool:
    """True for the one caller that gets to send the report."""
    result = session.execute(
        update(BroadcastDraft)
        .where(col(BroadcastDraft.id) == draft_id, col(BroadcastDraft.reported).is_(False))
        .values(reported=True)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def recent(
    session: Session, admin: AdminIdentity, limit: int = 10
) -> list[tuple[BroadcastDraft, Broadcast]]:
    """The provider's latest launched broadcasts and reminder rounds, newest first."""
    query = (
        select(BroadcastDraft, Broadcast)
        .join(Broadcast, col(Broadcast.id) == col(BroadcastDraft.broadcast_id))
        .order_by(col(BroadcastDraft.id).desc())
        .limit(limit)
    )
    if not admin.is_superadmin:
        query = query.where(BroadcastDraft.provider_id == admin.provider_id)
    return [(d, b) for d, b in session.exec(query).all()]


def _summary(spec: dict[str, Any]) -> dict[str, Any]:
    keep = ("cohorts", "target", "market", "state", "stalled_days", "language")
    return {key: spec.get(key) for key in keep} | {"languages": sorted(spec.get("texts", {}))}
