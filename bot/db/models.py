"""Every table, in one module (Alembic autogenerates from ``SQLModel.metadata``).

Tables for service providers (Provider, Cohort) exist from the start so that sellers
and invite codes can point at them; their admin commands come later.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, DateTime, Index, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> dt.datetime:
    """Timezone-aware now; stored as UTC."""
    return dt.datetime.now(dt.UTC)


def _timestamp(**kwargs: Any) -> Any:
    return Field(default_factory=utcnow, sa_type=DateTime(timezone=True), **kwargs)


class Provider(SQLModel, table=True):
    """A service provider (agency) that onboards sellers."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    created_at: dt.datetime = _timestamp()


class Cohort(SQLModel, table=True):
    """A provider's group of sellers for one market, joined by a deep link token.

    ``rules`` override the track (``require_invite_code``, ``skip_steps``,
    ``min_products``); ``product_rules`` override the market's product limits.
    ``group_chat_id`` is the cohort's linked Telegram group (its 对接群), if any.
    """

    id: int | None = Field(default=None, primary_key=True)
    provider_id: int = Field(foreign_key="provider.id", index=True)
    market: str = Field(max_length=8)
    name: str = Field(max_length=200)
    join_token: str = Field(max_length=64, unique=True)
    group_chat_id: int | None = Field(default=None, sa_type=BigInteger, index=True)
    track: str | None = Field(default=None, max_length=32)
    closes_on: dt.date | None = None
    archived: bool = False
    rules: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    product_rules: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    created_at: dt.datetime = _timestamp()


class InviteCode(SQLModel, table=True):
    """A code that lets a cross-border seller apply; ``max_uses`` None means unlimited."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    market: str = Field(max_length=8)
    provider_id: int | None = Field(default=None, foreign_key="provider.id")
    cohort_id: int | None = Field(default=None, foreign_key="cohort.id")
    max_uses: int | None = None
    uses: int = 0
    expires_at: dt.datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    revoked: bool = False
    created_at: dt.datetime = _timestamp()


class Seller(SQLModel, table=True):
    """One Telegram user's application. ``version`` detects concurrent writers."""

    __table_args__ = (UniqueConstraint("telegram_user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    telegram_user_id: int = Field(sa_type=BigInteger)
    chat_id: int = Field(sa_type=BigInteger)
    locale: str = Field(default="en", max_length=16)
    market: str | None = Field(default=None, max_length=8)
    track: str | None = Field(default=None, max_length=32)
    state: str = Field(default="language", max_length=64, index=True)
    answers: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    cohort_id: int | None = Field(default=None, foreign_key="cohort.id", index=True)
    start_payload: str | None = Field(default=None, max_length=64)
    version: int = 1
    last_update_id: int | None = Field(default=None, sa_type=BigInteger)
    pending_confirmation: dict[str, Any] | None = Field(
        default=None, sa_column=Column(JSON, nullable=True)
    )
    """The one confirmation the seller may still answer (``bot.confirmations``), or None."""
    blocked: bool = False
    created_at: dt.datetime = _timestamp()
    last_activity_at: dt.datetime = _timestamp(index=True)
    submitted_at: dt.datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


class StepEvent(SQLModel, table=True):
    """Append-only history of state changes: feeds funnels and the audit trail."""

    id: int | None = Field(default=None, primary_key=True)
    seller_id: int = Field(foreign_key="seller.id", index=True)
    from_state: str = Field(max_length=64)
    to_state: str = Field(max_length=64)
    actor: str = Field(default="seller", max_length=32)
    created_at: dt.datetime = _timestamp()


class Admin(SQLModel, table=True):
    """A Telegram user who works for one provider: ``owner`` or ``operator``.

    One person is admin of at most one provider (and may be a seller as well).
    """

    __table_args__ = (UniqueConstraint("telegram_user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    provider_id: int = Field(foreign_key="provider.id", index=True)
    telegram_user_id: int = Field(sa_type=BigInteger)
    role: str = Field(max_length=16)
    locale: str = Field(default="en", max_length=16)
    notify_reviews: bool = True
    created_at: dt.datetime = _timestamp()


class AdminInvite(SQLModel, table=True):
    """A one-time, expiring deep link that makes whoever opens it an admin of a provider."""

    id: int | None = Field(default=None, primary_key=True)
    provider_id: int = Field(foreign_key="provider.id", index=True)
    token: str = Field(max_length=64, unique=True)
    role: str = Field(max_length=16)
    created_by: int = Field(sa_type=BigInteger)
    expires_at: dt.datetime = Field(sa_type=DateTime(timezone=True))
    used_by: int | None = Field(default=None, sa_type=BigInteger)
    used_at: dt.datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    created_at: dt.datetime = _timestamp()


class AuditEvent(SQLModel, table=True):
    """One admin action: who did what to which object, with the values before and after.

    ``provider_id`` is None for installation-wide actions of a superadmin.
    """

    id: int | None = Field(default=None, primary_key=True)
    provider_id: int | None = Field(default=None, foreign_key="provider.id", index=True)
    actor_telegram_id: int = Field(sa_type=BigInteger)
    action: str = Field(max_length=64)
    target: str = Field(default="", max_length=128)
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    created_at: dt.datetime = _timestamp(index=True)


class InviteCodeFailure(SQLModel, table=True):
    """A wrong invite code typed by a seller: counted to slow down guessing."""

    id: int | None = Field(default=None, primary_key=True)
    telegram_user_id: int = Field(sa_type=BigInteger, index=True)
    created_at: dt.datetime = _timestamp()


class Broadcast(SQLModel, table=True):
    """One outgoing batch — a broadcast, a reminder round or a notification — and its counts.

    Written with all of its ``Delivery`` rows in one transaction (``bot.outbox.store``);
    ``priority`` orders the sender's work (higher first); ``status`` is ``queued``,
    ``sending``, ``paused``, ``cancelled`` or ``done``.
    """

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(default="broadcast", max_length=16)
    priority: int = 0
    status: str = Field(default="queued", max_length=16, index=True)
    created_by: int | None = Field(default=None, sa_type=BigInteger)
    total: int = 0
    sent: int = 0
    blocked: int = 0
    failed: int = 0
    created_at: dt.datetime = _timestamp()
    started_at: dt.datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    finished_at: dt.datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    paused_at: dt.datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    cancelled_at: dt.datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


class Delivery(SQLModel, table=True):
    """One message of a broadcast to one chat; ``status`` is ``pending``, ``sending``,
    ``sent``, ``failed`` or ``blocked``. ``buttons`` is a list of rows of
    ``{"text", "url" | "callback_data"}``."""

    __table_args__ = (
        UniqueConstraint("broadcast_id", "chat_id"),
        Index("ix_delivery_due", "status", "priority", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    broadcast_id: int = Field(foreign_key="broadcast.id", index=True)
    chat_id: int = Field(sa_type=BigInteger)
    seller_id: int | None = Field(default=None, foreign_key="seller.id", index=True)
    text: str = ""
    parse_mode: str | None = Field(default="HTML", max_length=16)
    photo_file_id: str | None = Field(default=None, max_length=256)
    document_file_id: str | None = Field(default=None, max_length=256)
    buttons: list[Any] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    priority: int = 0
    status: str = Field(default="pending", max_length=16)
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=500)
    next_attempt_at: dt.datetime = _timestamp()
    sent_at: dt.datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    message_id: int | None = Field(default=None, sa_type=BigInteger)
