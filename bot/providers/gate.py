"""The admin gate: admin handlers run only for admins, with the acting admin in hand.

A non-admin who types an admin command gets the seller's ordinary unknown-command reply
(nothing hints that admin commands exist); a non-admin's tap on an admin button gets the
stale-button notice. The check runs on every call: nothing is trusted from callback data.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from sqlmodel import Session
from telegram import Update

from bot.platform.i18n import Translator, telegram_locale
from bot.providers.access import AdminIdentity, admin_behind, is_admin
from bot.transport.context import BotContext, translator
from bot.transport.tracing import handled_by
from flows.normalize import without_lone_surrogates

AdminHandler = Callable[[Update, BotContext, AdminIdentity], Awaitable[None]]
Handler = Callable[[Update, BotContext], Coroutine[Any, Any, None]]


async def acting_admin(update: Update, context: BotContext) -> AdminIdentity | None:
    """The admin who sent the update, or None (for nearly everybody: one quick read)."""
    user = update.effective_user
    if user is None:
        return None
    services = context.services
    superadmin = user.id in services.settings.superadmin_ids
    if not superadmin and not await services.db.read(lambda c: is_admin(c, user.id)):
        return None
    locale = telegram_locale(user.language_code, default=services.settings.default_locale)

    def resolve(session: Session) -> AdminIdentity | None:
        return admin_behind(
            session,
            telegram_user_id=user.id,
            telegram=locale,
            superadmin_ids=services.settings.superadmin_ids,
        )

    return await services.db.run(resolve)


def admin_command(handler: AdminHandler, *, otherwise: Handler) -> Handler:
    """``handler`` for admins; ``otherwise`` (the seller's reply) for everybody else."""

    async def gate(update: Update, context: BotContext) -> None:
        admin = await acting_admin(update, context)
        if admin is None:
            handled_by(otherwise)
            await otherwise(update, context)
            return
        handled_by(handler)
        if context.args:  # names and codes are stored and sent: nothing can encode these
            context.args[:] = [without_lone_surrogates(arg) for arg in context.args]
        await handler(update, context, admin)

    gate.__doc__ = handler.__doc__
    return gate


def admin_t(admin: AdminIdentity) -> Translator:
    """The admin's translator."""
    return translator(admin.locale)
