"""Every table, in one module (Alembic autogenerates from ``SQLModel.metadata``).

Every moment is stored through ``UtcDateTime``, so whatever the database, a value read
back is aware and in UTC.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, DateTime, Dialect, Index, UniqueConstraint
from sqlalchemy import text as sql_text
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


def utcnow() -> dt.datetime:
    """Timezone-aware now; stored as UTC."""
    return dt.datetime.now(dt.UTC)


class UtcDateTime(TypeDecorator[dt.datetime]):
    """A moment, always aware and in UTC on the way in and on the way out.

    PostgreSQL's ``timestamptz`` gives aware values back, SQLite's text column naive ones
    (and would store an aware value's local time without its offset). Converting here,
    once, means no caller ever repairs a naive datetime: every value read from a column
    of this type can be compared with ``utcnow()``.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None or value.tzinfo is None:
            return value  # a naive value is taken as UTC already
        return value.astimezone(dt.UTC)

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def _timestamp(**kwargs: Any) -> Any:
    return Field(default_factory=utcnow, sa_type=UtcDateTime, **kwargs)


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
    expires_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
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
    pending_confirmation: dict[str, Any] | None = Field(
        default=None, sa_column=Column(JSON, nullable=True)
    )
    """The one confirmation the seller may still answer (``bot.sellers.confirmations``), or None."""
    blocked: bool = False
    created_at: dt.datetime = _timestamp()


class Application(SQLModel, table=True):
    """One shop being opened. ``version`` detects concurrent writers.

    ``answers`` holds what the seller typed or chose; uploads live in ``Document`` and
    ``Product`` rows (``bot.db.uploads`` splits and joins them). An erased or expired
    application (``bot.privacy``) keeps its state and times for the funnels, with no
    answers, no uploads and no seller (``seller_id`` None, ``anonymized_at`` set).
    """

    __table_args__ = (
        # the review desk's queue: waiting ones in submission order, and per cohort
        Index("ix_application_state_submitted", "state", "submitted_at"),
        Index("ix_application_cohort_state", "cohort_id", "state", "submitted_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    seller_id: int | None = Field(default=None, foreign_key="seller.id", index=True)
    market: str | None = Field(default=None, max_length=8)
    track: str | None = Field(default=None, max_length=32)
    state: str = Field(default="language", max_length=64, index=True)
    answers: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    cohort_id: int | None = Field(default=None, foreign_key="cohort.id", index=True)
    version: int = 1
    created_at: dt.datetime = _timestamp()
    updated_at: dt.datetime = _timestamp()
    state_since: dt.datetime = _timestamp()
    """When the application entered ``state``: the next step event's ``seconds`` start here."""
    furthest_state: str = Field(default="language", max_length=64)
    """The furthest state it has been in along its track's funnel (``flows.reach.further``)."""
    rejections: int = 0
    """How many times a reviewer rejected it (the funnel counts those ever rejected)."""
    submitted_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
    decided_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
    submitted_answers: dict[str, Any] | None = Field(
        default=None, sa_column=Column(JSON, nullable=True)
    )
    """What the seller submitted last (``bot.providers.review.snapshot``): the next review's
    diff base."""
    review_changes: list[str] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    """Steps changed since the previous submission; None for a first submission."""
    anonymized_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)


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

    __table_args__ = (
        Index(
            "ix_stepevent_application_order",
            "application_id",
            "id",
            postgresql_include=["created_at", "from_state", "to_state"],
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="application.id", index=True)
    from_state: str = Field(max_length=64)
    to_state: str = Field(max_length=64)
    actor: str = Field(default="seller", max_length=32)
    created_at: dt.datetime = _timestamp()
    seconds: float | None = None
    """Time spent in ``from_state`` before this event: since the previous event of the
    application, or since the application was created."""


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
    notify_tickets: bool = True
    """Whether sellers' questions for a person reach this admin (``/tickets on|off``)."""
    created_at: dt.datetime = _timestamp()


class AdminInvite(SQLModel, table=True):
    """A one-time, expiring deep link that makes whoever opens it an admin of a provider."""

    id: int | None = Field(default=None, primary_key=True)
    provider_id: int = Field(foreign_key="provider.id", index=True)
    token: str = Field(max_length=64, unique=True)
    role: str = Field(max_length=16)
    created_by: int = Field(sa_type=BigInteger)
    expires_at: dt.datetime = Field(sa_type=UtcDateTime)
    used_by: int | None = Field(default=None, sa_type=BigInteger)
    used_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
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


class ReviewDraft(SQLModel, table=True):
    """A rejection an admin is writing: the reasons picked so far, awaiting a free-text note.

    One per admin (a new draft replaces the old); ``version`` is the application's when the
    admin started, so a note for an application the seller changed since is refused.
    """

    __table_args__ = (UniqueConstraint("admin_telegram_id"),)

    id: int | None = Field(default=None, primary_key=True)
    admin_telegram_id: int = Field(sa_type=BigInteger)
    application_id: int = Field(foreign_key="application.id")
    version: int
    reasons: int = 0
    created_at: dt.datetime = _timestamp()


class InviteCodeFailure(SQLModel, table=True):
    """A wrong invite code typed by a seller: counted to slow down guessing.

    Per guesser and per cohort (``cohort_id`` None: the market's sellers outside any
    cohort). ``guesser`` is a keyed hash of the Telegram user id, not the id: the count is
    not personal data, so ``/delete_me`` keeps it and cannot reset the limit.
    """

    __table_args__ = (Index("ix_invitecodefailure_scope", "market", "cohort_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    guesser: str = Field(max_length=64, index=True)
    market: str = Field(max_length=8)
    cohort_id: int | None = None
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
    started_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
    finished_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
    paused_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
    cancelled_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)


class Delivery(SQLModel, table=True):
    """One message of a broadcast to one chat; ``status`` is ``pending``, ``sending``,
    ``sent``, ``failed`` or ``blocked``. ``buttons`` is a list of rows of
    ``{"text", "url" | "callback_data"}``."""

    __table_args__ = (
        UniqueConstraint("broadcast_id", "chat_id"),
        Index("ix_delivery_due", "status", "priority", "next_attempt_at"),
        Index("ix_delivery_message", "chat_id", "message_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    broadcast_id: int = Field(foreign_key="broadcast.id", index=True)
    chat_id: int = Field(sa_type=BigInteger)
    seller_id: int | None = Field(default=None, foreign_key="seller.id", index=True)
    application_id: int | None = Field(default=None, foreign_key="application.id", index=True)
    """The application a notice or reminder is about (its text may quote the seller's
    answers): erasing or anonymizing the application deletes the delivery too."""
    text: str = ""
    parse_mode: str | None = Field(default="HTML", max_length=16)
    photo_file_id: str | None = Field(default=None, max_length=256)
    document_file_id: str | None = Field(default=None, max_length=256)
    buttons: list[Any] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    media: list[Any] = Field(
        default_factory=list,
        sa_column=Column(JSON, nullable=False, server_default=sql_text("'[]'")),
    )
    """An album (``sendMediaGroup``): ``{"type": "photo" | "document", "media": file id,
    "caption"}`` each, 2-10 of one type; ``text`` and ``buttons`` are unused then."""
    priority: int = 0
    status: str = Field(default="pending", max_length=16)
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=500)
    next_attempt_at: dt.datetime = _timestamp()
    sent_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
    message_id: int | None = Field(default=None, sa_type=BigInteger)
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id", index=True)
    """The seller's question this message carries to an admin: a reply to the delivered
    message (``chat_id``, ``message_id``) answers that ticket."""


class ProcessedUpdate(SQLModel, table=True):
    """A Telegram update already applied, recorded in the same transaction as its write.

    Redelivery is recognized by identity (``update_id`` and a digest of the content, see
    ``bot.transport.redelivery``), never by order; rows older than the retention window are pruned.
    """

    update_id: int = Field(
        sa_column=Column(BigInteger, primary_key=True, autoincrement=False, nullable=False)
    )
    digest: str = Field(max_length=32, primary_key=True)
    created_at: dt.datetime = _timestamp(index=True)


class BroadcastDraft(SQLModel, table=True):
    """An admin's broadcast from composing to its report, bound to that admin and provider.

    ``spec`` is what the composer chose (cohorts, target, filters, texts, file, buttons);
    ``awaiting`` names the input the composer asked for, answered by a reply to
    ``prompt_message_id``. ``status`` is ``composing``, ``scheduled``, ``queued`` (its
    ``broadcast_id`` is written), or ``cancelled``; ``kind`` is ``broadcast`` or ``reminder``
    (a reminder round run by hand). Kept in the database so a restart loses none.
    """

    __tablename__ = "broadcast_draft"

    id: int | None = Field(default=None, primary_key=True)
    provider_id: int | None = Field(default=None, foreign_key="provider.id", index=True)
    admin_telegram_id: int = Field(sa_type=BigInteger, index=True)
    chat_id: int = Field(sa_type=BigInteger)
    kind: str = Field(default="broadcast", max_length=16)
    status: str = Field(default="composing", max_length=16, index=True)
    spec: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    awaiting: str | None = Field(default=None, max_length=32)
    prompt_message_id: int | None = Field(default=None, sa_type=BigInteger)
    scheduled_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
    broadcast_id: int | None = Field(default=None, foreign_key="broadcast.id", index=True)
    status_message_id: int | None = Field(default=None, sa_type=BigInteger)
    reported: bool = False
    created_at: dt.datetime = _timestamp()
    updated_at: dt.datetime = _timestamp()


class ReminderNudge(SQLModel, table=True):
    """The ``number``-th nudge of an application, written with its delivery: never twice."""

    __tablename__ = "reminder_nudge"
    __table_args__ = (UniqueConstraint("application_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="application.id", index=True)
    number: int
    broadcast_id: int = Field(foreign_key="broadcast.id", index=True)
    created_at: dt.datetime = _timestamp()


class Ticket(SQLModel, table=True):
    """A seller's question: answered from the FAQ, or waiting for their provider.

    ``state``: ``asked`` (FAQ answers shown, nobody asked yet), ``open`` (waiting for a
    person), ``answered`` (a person answered at least once), ``closed``. Every change is a
    conditional UPDATE on the state the change starts from. ``provider_id`` None: a seller
    outside any cohort, seen by superadmins only.
    """

    __table_args__ = (Index("ix_ticket_provider_state", "provider_id", "state"),)

    id: int | None = Field(default=None, primary_key=True)
    seller_id: int = Field(foreign_key="seller.id", index=True)
    application_id: int | None = Field(default=None, foreign_key="application.id", index=True)
    provider_id: int | None = Field(default=None, foreign_key="provider.id")
    cohort_id: int | None = Field(default=None, foreign_key="cohort.id")
    chat_id: int = Field(sa_type=BigInteger)
    message_id: int = Field(sa_type=BigInteger)
    """The seller's question message: the answer is sent as a reply to it."""
    question: str = Field(max_length=4096)
    locale: str = Field(max_length=16)
    market: str = Field(default="", max_length=8)
    track: str | None = Field(default=None, max_length=32)
    step: str = Field(default="", max_length=64)
    state: str = Field(default="asked", max_length=16)
    answered_by: int | None = Field(default=None, sa_type=BigInteger)
    answer: str | None = Field(default=None, max_length=4096)
    """The latest answer a person gave: what "Add to the FAQ" turns into an entry."""
    created_at: dt.datetime = _timestamp()
    opened_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
    first_answered_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
    closed_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)


class FaqEntry(SQLModel, table=True):
    """A provider's own FAQ entry, for one cohort or (``cohort_id`` None) all of its cohorts.

    ``questions`` maps a locale to the ways a seller may ask, ``answers`` a locale to the
    answer (at least one of each). With ``builtin_id`` the row overrides that built-in
    entry (its questions are added to the built-in ones, its answers replace them) or, with
    ``hidden``, keeps it from the cohort's sellers. ``version`` grows with every change, so
    an edit or a removal of a version the admin did not see changes nothing.
    """

    __tablename__ = "faq_entry"
    __table_args__ = (Index("ix_faq_entry_scope", "provider_id", "cohort_id"),)

    id: int | None = Field(default=None, primary_key=True)
    provider_id: int = Field(foreign_key="provider.id")
    cohort_id: int | None = Field(default=None, foreign_key="cohort.id")
    market: str = Field(max_length=8)
    builtin_id: str | None = Field(default=None, max_length=64)
    hidden: bool = False
    questions: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    answers: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    keywords: list[Any] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    version: int = 1
    created_by: int = Field(sa_type=BigInteger)
    updated_by: int = Field(sa_type=BigInteger)
    created_at: dt.datetime = _timestamp()
    updated_at: dt.datetime = _timestamp()


class FaqImportPrompt(SQLModel, table=True):
    """An admin asked ``/faq <scope> import``: their next CSV or XLSX file is that import.

    One per admin (a new prompt replaces the old); taken by the file, or stale after
    ``bot.questions.faq_store.PROMPT_TTL``. In the database, so any worker takes the file.
    """

    __tablename__ = "faq_import_prompt"
    __table_args__ = (UniqueConstraint("admin_telegram_id"),)

    id: int | None = Field(default=None, primary_key=True)
    admin_telegram_id: int = Field(sa_type=BigInteger)
    scope: str = Field(max_length=20)
    created_at: dt.datetime = _timestamp()
