"""An admin's ``/help`` and the admin side of their ``/start``, in their language.

The commands listed are their role's, from ``bot.providers.command_table`` (the menu's
table too), one line each; both handlers set the admin's menu again on the way.
"""

from __future__ import annotations

from telegram import Update

from bot.platform.i18n import Translator
from bot.providers import store
from bot.providers.access import ROLE_NAMES, AdminIdentity
from bot.providers.command_table import commands_for
from bot.providers.gate import admin_t
from bot.providers.menus import set_admin_menu
from bot.transport.context import BotContext


def admin_help(admin: AdminIdentity, provider: str, t: Translator) -> str:
    """``/help`` for an admin: who they are, then one line per command of their role."""
    role = t(ROLE_NAMES[admin.role])
    lines = [t("admin_help_title", {"role": role, "provider": provider or "—"})]
    for command in commands_for(admin.role):
        usage = f" {command.usage}" if command.usage else ""
        lines.append(f"/{command.name}{usage} — {t(command.line)}")
    lines.append(t("admin_help_seller_side"))
    return "\n".join(lines)


async def _provider_name(context: BotContext, admin: AdminIdentity) -> str:
    provider_id = admin.provider_id
    if provider_id is None:
        return ""
    found = await context.services.db.run(lambda s: store.get_provider(s, provider_id=provider_id))
    return found.name if found is not None else ""


async def _refresh_menu(context: BotContext, chat_id: int, admin: AdminIdentity) -> None:
    """The admin's command menu (and the desk's menu button) again, in their language."""
    await set_admin_menu(
        context.bot,
        chat_id=chat_id,
        locale=admin.locale,
        role=admin.role,
        desk_url=context.services.settings.desk_url,
    )


async def help_command(update: Update, context: BotContext, admin: AdminIdentity) -> None:
    """An admin's ``/help``: their role's commands, one line each (and their menu again)."""
    chat = update.effective_chat
    if chat is None:
        return
    t = admin_t(admin)
    await _refresh_menu(context, chat.id, admin)
    text = admin_help(admin, await _provider_name(context, admin), t)
    await context.bot.send_message(chat.id, text)


async def greet(update: Update, context: BotContext, admin: AdminIdentity) -> None:
    """After an admin's ``/start`` (the seller's side still answers it first): which
    provider they work for, as what, and where their commands are."""
    chat = update.effective_chat
    if chat is None:
        return
    t = admin_t(admin)
    await _refresh_menu(context, chat.id, admin)
    params = {"role": t(ROLE_NAMES[admin.role]), "provider": await _provider_name(context, admin)}
    await context.bot.send_message(chat.id, t("admin_start_note", params))
