"""Callback queries are untrusted input: the checks every button handler makes first.

Any client can send any callback data for any message carrying the bot's keyboard, and
a query from an inline-mode message (``inline_message_id``) has no message or chat at
all. A query the bot cannot take as a seller's tap in their private chat gets the
stale-button notice, in the language the seller chose, and changes nothing.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from telegram import CallbackQuery, Update
from telegram.constants import ChatType
from telegram.error import BadRequest

from bot.transport.context import BotContext, translator, user_locale
from bot.transport.keyboards import Callback, unpack


@dataclass(frozen=True)
class Tap:
    """A well-formed tap on a button of the bot's message in a seller's private chat."""

    query: CallbackQuery
    callback: Callback
    chat_id: int
    message_id: int


async def checked_tap(update: Update, context: BotContext, kind: str) -> Tap | None:
    """The tap, or None after telling the seller the button is out of date."""
    query = update.callback_query
    if query is None:
        return None
    callback = unpack(query.data)
    message = query.message
    if (
        callback is None
        or callback.kind != kind
        or message is None
        or message.chat.type != ChatType.PRIVATE
        or message.chat.id != query.from_user.id
    ):
        await stale(query, context)
        return None
    return Tap(query, callback, message.chat.id, message.message_id)


async def stale(query: CallbackQuery, context: BotContext, *, locale: str | None = None) -> None:
    """The out-of-date pop-up, in ``locale`` or else the seller's stored language."""
    t = translator(locale or await user_locale(context, query.from_user))
    with contextlib.suppress(BadRequest):  # a redelivered query may be answered already
        await query.answer(t("notice_stale_button"))


async def on_unknown_button(update: Update, context: BotContext) -> None:
    """A button this bot version did not make (or very old): say it is out of date."""
    if update.callback_query is not None:
        await stale(update.callback_query, context)
