"""Who may use the admin commands, and on which provider's data.

Admins are looked up in the database on every admin command (they are rare; a cache would
go stale across worker processes when an owner removes an operator). Superadmins come from
``SUPERADMIN_IDS`` and see the whole installation.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlmodel import Session, select

from bot.db.models import Admin
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


def resolve_admin(
    session: Session, *, telegram_user_id: int, superadmin_ids: Collection[int], locale: str
) -> AdminIdentity | None:
    """The admin behind a Telegram user, or None for everybody else."""
    admin = session.exec(select(Admin).where(Admin.telegram_user_id == telegram_user_id)).first()
    if telegram_user_id in superadmin_ids:
        return AdminIdentity(
            telegram_user_id,
            admin.provider_id if admin else None,
            SUPERADMIN,
            admin.locale if admin else locale,
        )
    if admin is None:
        return None
    return AdminIdentity(telegram_user_id, admin.provider_id, admin.role, admin.locale)
