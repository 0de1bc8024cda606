"""Every table, in one module (Alembic autogenerates from ``SQLModel.metadata``).

Tables for service providers (Provider, Cohort) exist from the start so that sellers
and invite codes can point at them; their admin commands come later.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, DateTime, UniqueConstraint
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
    """

    id: int | None = Field(default=None, primary_key=True)
    provider_id: int = Field(foreign_key="provider.id", index=True)
    market: str = Field(max_length=8)
    name: str = Field(max_length=200)
    join_token: str = Field(max_length=64, unique=True)
    group_chat_id: int | None = Field(default=None, sa_type=BigInteger)
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
    """The Telegram user: one chat, one language, any number of applications.

    ``current_application_id`` is the application the chat is answering now. It has no
    foreign key: the application points back at its seller, and a circular pair of keys
    would make every insert and table copy order-dependent; the store sets it only to an
    application of this seller.
    """

    __table_args__ = (UniqueConstraint("telegram_user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    telegram_user_id: int = Field(sa_type=BigInteger)
    chat_id: int = Field(sa_type=BigInteger)
    locale: str = Field(default="en", max_length=16)
    start_payload: str | None = Field(default=None, max_length=64)
    current_application_id: int | None = None
    blocked: bool = False
    created_at: dt.datetime = _timestamp()
    last_activity_at: dt.datetime = _timestamp(index=True)


class Application(SQLModel, table=True):
    """One shop being opened. ``version`` detects concurrent writers.

    ``answers`` holds what the seller typed or chose; uploads live in ``Document`` and
    ``Product`` rows (``bot.db.uploads`` splits and joins them).
    """

    id: int | None = Field(default=None, primary_key=True)
    seller_id: int = Field(foreign_key="seller.id", index=True)
    market: str | None = Field(default=None, max_length=8)
    track: str | None = Field(default=None, max_length=32)
    state: str = Field(default="language", max_length=64, index=True)
    answers: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    cohort_id: int | None = Field(default=None, foreign_key="cohort.id", index=True)
    version: int = 1
    created_at: dt.datetime = _timestamp()
    updated_at: dt.datetime = _timestamp()
    submitted_at: dt.datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    decided_at: dt.datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


class Document(SQLModel, table=True):
    """A file the seller uploaded for one step of an application (Telegram keeps the bytes)."""

    __table_args__ = (UniqueConstraint("application_id", "step"),)

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="application.id", index=True)
    step: str = Field(max_length=64)
    file_id: str
    file_unique_id: str
    kind: str = Field(max_length=16)
    mime_type: str
    size: int = Field(default=0, sa_type=BigInteger)
    file_name: str = ""
    created_at: dt.datetime = _timestamp()


class Product(SQLModel, table=True):
    """One validated listing of an application, in the order the seller added them.

    ``price`` and ``weight_kg`` are decimal strings (no float ever touches money);
    ``images`` are Telegram file ids (guided upload) or https URLs (bulk files).
    """

    __table_args__ = (UniqueConstraint("application_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="application.id", index=True)
    position: int
    title: str
    price: str = Field(max_length=32)
    currency: str = Field(max_length=8)
    images: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    package_cm: list[int] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    weight_kg: str | None = Field(default=None, max_length=32)
    created_at: dt.datetime = _timestamp()


class StepEvent(SQLModel, table=True):
    """Append-only history of an application's state changes: funnels and the audit trail."""

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="application.id", index=True)
    from_state: str = Field(max_length=64)
    to_state: str = Field(max_length=64)
    actor: str = Field(default="seller", max_length=32)
    created_at: dt.datetime = _timestamp()


class ProcessedUpdate(SQLModel, table=True):
    """A Telegram update already applied, recorded in the same transaction as its write.

    Redelivery is recognized by identity (``update_id`` and a digest of the content, see
    ``bot.redelivery``), never by order; rows older than the retention window are pruned.
    """

    update_id: int = Field(
        sa_column=Column(BigInteger, primary_key=True, autoincrement=False, nullable=False)
    )
    digest: str = Field(max_length=32, primary_key=True)
    created_at: dt.datetime = _timestamp(index=True)
