"""The last resort: log an unexpected error without personal data, apologize to the seller.

Only a real bug in a handler gets the apology, once. A Bot API call that failed after
``bot.transport.retries``'s retries is logged only: answering it with another message would show
a seller, whose reply may well have arrived, "something went wrong". A database outage
is logged and, when the update came by webhook (``unsafe_updates``), reported to the
webhook so it answers 503 and Telegram delivers the update again.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from contextvars import ContextVar

from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from telegram import Update
from telegram.error import TelegramError

from bot.platform.error_reports import report
from bot.platform.i18n import telegram_locale
from bot.platform.update_trace import mark
from bot.transport.context import BotContext, translator, user_locale
from bot.transport.retries import is_delivery_fault

log = logging.getLogger(__name__)
OUTAGES = (OperationalError, InterfaceError, PoolTimeout)
"""The database could not be reached: nothing was applied, a redelivery can succeed."""
_UNSAFE: ContextVar[list[BaseException] | None] = ContextVar("unsafe_updates", default=None)


@contextlib.contextmanager
def unsafe_updates() -> Iterator[list[BaseException]]:
    """Collect the outages met while the update(s) handled inside this block ran.

    PTB awaits blocking handlers and error handlers in the task that processes the
    update, so ``on_error`` sees the list of the webhook request that handed it on.
    """
    found: list[BaseException] = []
    token = _UNSAFE.set(found)
    try:
        yield found
    finally:
        _UNSAFE.reset(token)


async def on_error(update: object, context: BotContext) -> None:
    """Log the exception (type and traceback, never the update's content); apologize for bugs."""
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    if is_delivery_fault(error):
        mark("delivery_failed")
        log.warning("update %s: a Bot API call failed: %s", update_id, type(error).__name__)
        return
    if isinstance(error, OUTAGES):
        mark("database_unavailable")
        log.error("update %s not applied: database unavailable", update_id, exc_info=error)
        report(error)
        unsafe = _UNSAFE.get()
        if unsafe is not None:
            unsafe.append(error)
            return  # Telegram will deliver it again; the seller gets the real answer then
    else:
        mark("error")
        log.error("update handling failed: %s", type(error).__name__, exc_info=error)
        report(error)
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
        return await user_locale(context, update.effective_user)
    except Exception:
        log.warning("could not read the seller's language for the apology")
    user = update.effective_user
    return telegram_locale(
        user.language_code if user else None, default=context.services.settings.default_locale
    )
