"""Admin command menus, per admin chat and in the admin's language.

Telegram picks the most specific scope: a chat's own menu beats the default one, so an
admin sees the admin commands (with the seller's) and sellers never see them. Every
admin gets one however they became one: on joining by invite, on their ``/start`` and
``/help``, and again for all of them at start-up (an owner made by the command line
never opened an invite).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Collection

from sqlmodel import Session, select
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    MenuButtonDefault,
    MenuButtonWebApp,
    WebAppInfo,
)
from telegram.error import TelegramError

from bot.db.models import Admin
from bot.providers.access import SUPERADMIN
from bot.providers.command_table import MENU_SKIPS, commands_for
from bot.transport.context import translator
from flows.steps import N_

log = logging.getLogger(__name__)

SELLER_COMMANDS = {
    "start": N_("command_start"),
    "status": N_("command_status"),
    "help": N_("command_help"),
    "language": N_("command_language"),
}


def admin_commands(locale: str, role: str) -> list[BotCommand]:
    """The menu an admin of ``role`` sees, in ``locale``."""
    t = translator(locale)
    admin = [
        BotCommand(command.name, t(command.line))
        for command in commands_for(role)
        if command.name not in MENU_SKIPS
    ]
    return admin + [BotCommand(name, t(msgid)) for name, msgid in SELLER_COMMANDS.items()]


async def set_admin_menu(
    bot: Bot, *, chat_id: int, locale: str, role: str, desk_url: str | None = None
) -> None:
    """Show an admin their commands, and (when the desk is offered and the chat is their
    private one) the menu button that opens the review desk; a failure only costs the
    menu, so it is logged."""
    try:
        await bot.set_my_commands(
            admin_commands(locale, role), scope=BotCommandScopeChat(chat_id=chat_id)
        )
        if desk_url and chat_id > 0:  # a private chat's id is its user's: positive
            button = MenuButtonWebApp(
                translator(locale)(N_("desk_menu_button")), WebAppInfo(desk_url)
            )
            await bot.set_chat_menu_button(chat_id=chat_id, menu_button=button)
    except TelegramError as error:
        log.warning("could not set an admin's command menu: %s", type(error).__name__)


async def clear_admin_menu(bot: Bot, *, chat_id: int) -> None:
    """A removed admin falls back to the sellers' menu (and the default menu button)."""
    with contextlib.suppress(TelegramError):
        await bot.delete_my_commands(scope=BotCommandScopeChat(chat_id=chat_id))
    if chat_id > 0:
        with contextlib.suppress(TelegramError):
            await bot.set_chat_menu_button(chat_id=chat_id, menu_button=MenuButtonDefault())


def every_admin(
    session: Session, *, superadmin_ids: Collection[int], default_locale: str
) -> list[tuple[int, str, str]]:
    """(chat id, language, role) of every admin and superadmin, for the start-up menus.

    A private chat's id is its user's id, so the menus need no chat of their own."""
    rows = session.exec(select(Admin.telegram_user_id, Admin.locale, Admin.role)).all()
    found = {user: (locale, role) for user, locale, role in rows}
    for user in superadmin_ids:
        locale = found[user][0] if user in found else default_locale
        found[user] = (locale, SUPERADMIN)
    return [(user, locale, role) for user, (locale, role) in sorted(found.items())]


async def restore_admin_menus(
    bot: Bot, admins: list[tuple[int, str, str]], *, desk_url: str | None = None
) -> None:
    """Set every admin's menu again (each failure is logged, none stops start-up)."""
    await asyncio.gather(
        *(
            set_admin_menu(bot, chat_id=chat_id, locale=locale, role=role, desk_url=desk_url)
            for chat_id, locale, role in admins
        )
    )
