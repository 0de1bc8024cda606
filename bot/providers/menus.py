"""Admin command menus, per admin chat and in the admin's language.

Telegram picks the most specific scope: a chat's own menu beats the default one, so an
admin sees the admin commands (with the seller's) and sellers never see them.
"""

from __future__ import annotations

import contextlib
import logging

from telegram import Bot, BotCommand, BotCommandScopeChat
from telegram.error import TelegramError

from bot.transport.context import translator
from flows.steps import N_

log = logging.getLogger(__name__)

SELLER_COMMANDS = {
    "start": N_("command_start"),
    "status": N_("command_status"),
    "help": N_("command_help"),
    "language": N_("command_language"),
}
ADMIN_COMMANDS = {
    "cohorts": N_("command_cohorts"),
    "cohort_new": N_("command_cohort_new"),
    "codes": N_("command_codes"),
    "queue": N_("command_queue"),
    "export": N_("command_export"),
    "admins": N_("command_admins"),
    "stats": N_("command_stats"),
    "applications": N_("command_applications_admin"),
    "flow": N_("command_flow"),
    "broadcast": N_("command_broadcast"),
    "broadcasts": N_("command_broadcasts"),
    "remind": N_("command_remind"),
}
OWNER_COMMANDS = {
    "admin_invite": N_("command_admin_invite"),
    "audit": N_("command_audit"),
}


def admin_commands(locale: str, role: str) -> list[BotCommand]:
    """The menu an admin of ``role`` sees, in ``locale``."""
    t = translator(locale)
    names = {**ADMIN_COMMANDS, **(OWNER_COMMANDS if role in ("owner", "superadmin") else {})}
    return [BotCommand(name, t(msgid)) for name, msgid in {**names, **SELLER_COMMANDS}.items()]


async def set_admin_menu(bot: Bot, *, chat_id: int, locale: str, role: str) -> None:
    """Show an admin their commands; a failure only costs the menu, so it is logged."""
    try:
        await bot.set_my_commands(
            admin_commands(locale, role), scope=BotCommandScopeChat(chat_id=chat_id)
        )
    except TelegramError as error:
        log.warning("could not set an admin's command menu: %s", type(error).__name__)


async def clear_admin_menu(bot: Bot, *, chat_id: int) -> None:
    """A removed admin falls back to the sellers' menu."""
    with contextlib.suppress(TelegramError):
        await bot.delete_my_commands(scope=BotCommandScopeChat(chat_id=chat_id))
