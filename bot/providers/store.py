"""Providers, their admins and the one-time links that invite new admins."""

from __future__ import annotations

import datetime as dt
import enum
import secrets

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from bot.db.models import Admin, AdminInvite, Provider, utcnow
from bot.providers.access import OPERATOR, OWNER, ROLES, AdminIdentity

INVITE_PREFIX = "adm_"
INVITE_TTL = dt.timedelta(days=3)
MAX_PROVIDER_NAME = 200


class InviteOutcome(enum.Enum):
    """What opening an admin invite link did."""

    JOINED = "joined"
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"
    ALREADY_ADMIN = "already_admin"


def create_provider(session: Session, *, name: str, owner_telegram_id: int | None) -> Provider:
    """A new provider; with ``owner_telegram_id`` that user becomes its owner at once."""
    provider = Provider(name=name.strip()[:MAX_PROVIDER_NAME])
    session.add(provider)
    session.flush()
    assert provider.id is not None
    if owner_telegram_id is not None:
        add_admin(session, provider_id=provider.id, telegram_user_id=owner_telegram_id, role=OWNER)
    return provider


def get_provider(session: Session, *, provider_id: int) -> Provider | None:
    return session.get(Provider, provider_id)


def add_admin(
    session: Session, *, provider_id: int, telegram_user_id: int, role: str, locale: str = "en"
) -> Admin:
    """Make a Telegram user an admin; raises ``ValueError`` for an unknown role."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    admin = Admin(
        provider_id=provider_id, telegram_user_id=telegram_user_id, role=role, locale=locale
    )
    session.add(admin)
    session.flush()
    return admin


def admins_of(session: Session, *, provider_id: int) -> list[Admin]:
    """A provider's admins, owners first."""
    rows = session.exec(
        select(Admin)
        .where(Admin.provider_id == provider_id)
        .order_by(col(Admin.role).desc(), col(Admin.created_at))
    ).all()
    return list(rows)


def remove_admin(session: Session, *, actor: AdminIdentity, admin_id: int) -> Admin | None:
    """Remove one of the actor's provider's operators; None when it is not theirs to remove.

    Owners are not removed this way (a provider must keep one), and nobody removes themself.
    """
    admin = session.get(Admin, admin_id)
    if admin is None or not actor.sees(admin.provider_id):
        return None
    if admin.role == OWNER or admin.telegram_user_id == actor.telegram_user_id:
        return None
    session.delete(admin)
    session.flush()
    return admin


def create_invite(
    session: Session, *, actor: AdminIdentity, provider_id: int, role: str = OPERATOR
) -> AdminInvite:
    """A one-time link token, valid for ``INVITE_TTL``, for the actor's provider."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    invite = AdminInvite(
        provider_id=provider_id,
        token=INVITE_PREFIX + secrets.token_urlsafe(16),
        role=role,
        created_by=actor.telegram_user_id,
        expires_at=utcnow() + INVITE_TTL,
    )
    session.add(invite)
    session.flush()
    return invite


def accept_invite(
    session: Session, *, token: str, telegram_user_id: int, locale: str, now: dt.datetime
) -> tuple[InviteOutcome, AdminInvite | None]:
    """Use an invite link once: the opener becomes an admin of its provider."""
    invite = session.exec(select(AdminInvite).where(AdminInvite.token == token)).first()
    if invite is None:
        return InviteOutcome.UNKNOWN, None
    if invite.used_at is not None:
        return InviteOutcome.USED, invite
    if invite.expires_at <= now:
        return InviteOutcome.EXPIRED, invite
    existing = session.exec(select(Admin).where(Admin.telegram_user_id == telegram_user_id)).first()
    if existing is not None:
        return InviteOutcome.ALREADY_ADMIN, invite
    # the check and the use in one statement: two people opening one link, one wins
    claim = update(AdminInvite).where(col(AdminInvite.id) == invite.id)
    claimed = session.connection().execute(
        claim.where(col(AdminInvite.used_at).is_(None)).values(
            used_at=now, used_by=telegram_user_id
        )
    )
    if claimed.rowcount != 1:
        return InviteOutcome.USED, invite
    if not _insert_admin_once(
        session, invite=invite, telegram_user_id=telegram_user_id, locale=locale, now=now
    ):
        # the same person opened another provider's link at the same moment, and that
        # one won: this link stays unused
        session.connection().execute(claim.values(used_at=None, used_by=None))
        return InviteOutcome.ALREADY_ADMIN, invite
    return InviteOutcome.JOINED, invite


def _insert_admin_once(
    session: Session, *, invite: AdminInvite, telegram_user_id: int, locale: str, now: dt.datetime
) -> bool:
    """Make the opener an admin unless they already are: ``INSERT … ON CONFLICT DO NOTHING``.

    The look-up before it cannot see a concurrent transaction's row; the insert waits for
    it, and does nothing (rather than raising ``UniqueViolation``) when it committed.
    """
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    inserted = session.connection().execute(
        insert(Admin)
        .values(
            provider_id=invite.provider_id,
            telegram_user_id=telegram_user_id,
            role=invite.role,
            locale=locale,
            notify_reviews=True,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["telegram_user_id"])
        .returning(col(Admin.id))
    )
    return inserted.first() is not None  # a row comes back only when one was inserted
