"""Who may use the admin commands, and on which provider's data.

Admins are looked up in the database on every admin command (they are rare; a cache would
go stale across worker processes when an owner removes an operator). Superadmins come from
``SUPERADMIN_IDS`` and see the whole installation.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import Connection, bindparam
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from bot.db.models import Admin, Seller
from bot.db.prepared import Prepared
from flows.steps import N_

OWNER, OPERATOR, SUPERADMIN = "owner", "operator", "superadmin"
ROLES = (OWNER, OPERATOR)
ROLE_NAMES = {
    OWNER: N_("role_owner"),
    OPERATOR: N_("role_operator"),
    SUPERADMIN: N_("role_superadmin"),
}
"""Role → the message id of its name in the admin's language."""


@dataclass(frozen=True)
class AdminIdentity:
    """The acting admin: their provider (None for a superadmin without one) and role."""

    telegram_user_id: int
    provider_id: int | None
    role: str
    locale: str

    @property
    def is_superadmin(self) -> bool:
        return self.role == SUPERADMIN

    @property
    def manages_admins(self) -> bool:
        """Owners invite and remove their operators; superadmins anyone's."""
        return self.role in (OWNER, SUPERADMIN)

    def sees(self, provider_id: int | None) -> bool:
        """Whether a row of ``provider_id`` is this admin's to see or change."""
        if self.is_superadmin:
            return True
        return provider_id is not None and provider_id == self.provider_id


def preferred_locale(session: Session, *, telegram_user_id: int, telegram: str) -> str:
    """The language a person chose as a seller (``/language``), else their Telegram one."""
    chosen = session.exec(
        select(Seller.locale).where(Seller.telegram_user_id == telegram_user_id)
    ).first()
    return chosen or telegram


def resolve_admin(
    session: Session, *, telegram_user_id: int, superadmin_ids: Collection[int], locale: str
) -> AdminIdentity | None:
    """The admin behind a Telegram user, or None for everybody else.

    ``locale`` is the one the update should be answered in; it is remembered on the admin
    row for messages that are not replies (review notices, a group unlinked).
    """
    admin = session.exec(select(Admin).where(Admin.telegram_user_id == telegram_user_id)).first()
    if admin is not None and admin.locale != locale:
        admin.locale = locale
        session.add(admin)
    if telegram_user_id in superadmin_ids:
        return AdminIdentity(
            telegram_user_id,
            admin.provider_id if admin else None,
            SUPERADMIN,
            locale,
        )
    if admin is None:
        return None
    return AdminIdentity(telegram_user_id, admin.provider_id, admin.role, locale)


_IS_ADMIN = Prepared(
    core_select(col(Admin.id)).where(col(Admin.telegram_user_id) == bindparam("user"))
)


def is_admin(connection: Connection, telegram_user_id: int) -> bool:
    """Whether an admin row names this user (superadmins come from the settings)."""
    return bool(_IS_ADMIN.rows(connection, {"user": telegram_user_id}))


def admin_behind(
    session: Session, *, telegram_user_id: int, telegram: str, superadmin_ids: Collection[int]
) -> AdminIdentity | None:
    """The admin behind a Telegram user, answered in the language they chose, or None.

    The one check every admin surface makes: the commands and buttons (``bot.providers.gate``)
    and the review desk (``bot.desk``); ``telegram`` is the language Telegram reports.
    Everybody else (a seller's ``/start``, ``/help``…) costs one prepared statement.
    """
    if telegram_user_id not in superadmin_ids and not is_admin(
        session.connection(), telegram_user_id
    ):
        return None
    chosen = preferred_locale(session, telegram_user_id=telegram_user_id, telegram=telegram)
    return resolve_admin(
        session, telegram_user_id=telegram_user_id, superadmin_ids=superadmin_ids, locale=chosen
    )
