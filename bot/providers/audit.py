"""The audit log: every admin action, who did it, on what, before → after.

Records are written in the same transaction as the change they describe, so the log
never claims a change that was rolled back, nor misses one that was committed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.db.models import AuditEvent
from bot.providers.access import AdminIdentity

PAGE_SIZE = 10


def record(
    session: Session,
    *,
    admin: AdminIdentity,
    action: str,
    target: str = "",
    provider_id: int | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> None:
    """Append one action; ``provider_id`` defaults to the admin's own provider."""
    session.add(
        AuditEvent(
            provider_id=provider_id if provider_id is not None else admin.provider_id,
            actor_telegram_id=admin.telegram_user_id,
            action=action,
            target=target,
            before=dict(before) if before is not None else None,
            after=dict(after) if after is not None else None,
        )
    )


def page(
    session: Session, *, provider_id: int | None, number: int, size: int = PAGE_SIZE
) -> tuple[list[AuditEvent], int]:
    """One page of a provider's log, newest first, and the number of pages."""
    where = col(AuditEvent.provider_id) == provider_id
    if provider_id is None:
        where = col(AuditEvent.provider_id).is_(None)
    total = session.exec(select(func.count()).select_from(AuditEvent).where(where)).one()
    pages = max(1, -(-int(total) // size))
    number = min(max(number, 1), pages)
    rows = session.exec(
        select(AuditEvent)
        .where(where)
        .order_by(col(AuditEvent.created_at).desc(), col(AuditEvent.id).desc())
        .offset((number - 1) * size)
        .limit(size)
    ).all()
    return list(rows), pages
