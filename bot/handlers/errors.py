"""The last resort: log an unexpected error without personal data, apologize to the seller."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError

from bot.context import BotContext, translator
from bot.handlers.dialog import seller_locale
from bot.i18n import telegram_locale

log = logging.getLogger(__name__)


async def on_error(update: object, context: BotContext) -> None:
    """Log the exception (type and traceback, never the update's content) and apologize."""
    error = context.error
    log.error("update handling failed: %s", type(error).__name__, exc_info=error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if update.effective_chat.type != "private":
        return
    try:
        t = translator(await _locale(update, context))
        await context.bot.send_message(update.effective_chat.id, t("error_internal"))
    except TelegramError:
        log.warning("could not tell the seller about the error")


async def _locale(update: Update, context: BotContext) -> str:
    """The seller's chosen language; Telegram's when the database cannot say (it may be
    the very thing that failed)."""
    try:
        return await seller_locale(context, update.effective_user)
    except Exception:
        log.warning("could not read the seller's language for the apology")
    user = update.effective_user
    return telegram_locale(
        user.language_code if user else None, default=context.services.settings.default_locale
    )
