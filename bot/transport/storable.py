"""What the databases cannot store is stopped at the edge, the same way on both.

PostgreSQL refuses a NUL character in text (``psycopg.DataError``); SQLite stores it.
Neither stores an integer past 64 bits (SQLite: ``OverflowError``, PostgreSQL:
``DataError``). Before, one input gave two behaviours, and on PostgreSQL an unhandled
error. So every update passes ``refuse_unstorable`` first (group -2): the texts a handler
may store (message text and caption, a file's name and type, button data, a contact) are
looked at, and an update carrying a NUL is answered with one localized sentence and goes
no further; ids past 64 bits are dropped silently (there is nobody to answer). The
webhook's shape check (``update_shape``) already refuses such ids with 400; this covers
polling as well. Lone surrogates (``"\ud800"``, which JSON may carry) are not refused here:
the places that keep free text clean them (``flows.normalize.without_lone_surrogates``),
and the reliability suite puts one at every step on both databases.
"""

from __future__ import annotations

from collections.abc import Iterator

from telegram import Message, Update
from telegram.ext import ApplicationHandlerStop

from bot.transport.context import BotContext, translator, user_locale
from bot.transport.update_shape import INT64

__all__ = ["refuse_unstorable", "unstorable_text"]


def unstorable_text(text: str | None) -> bool:
    """Whether ``text`` holds a NUL, which PostgreSQL cannot store in text."""
    return text is not None and "\x00" in text


def _texts(message: Message | None) -> Iterator[str | None]:
    if message is None:
        return
    yield message.text
    yield message.caption
    if message.document is not None:
        yield message.document.file_name
        yield message.document.mime_type
    if message.contact is not None:
        yield message.contact.phone_number
        yield message.contact.first_name


def _ids(update: Update) -> Iterator[int]:
    yield update.update_id
    if update.effective_user is not None:
        yield update.effective_user.id
    if update.effective_chat is not None:
        yield update.effective_chat.id


async def refuse_unstorable(update: Update, context: BotContext) -> None:
    """Stop an update the databases could not store; tell its sender once, in their language."""
    low, high = INT64
    if any(not low <= number <= high for number in _ids(update)):
        raise ApplicationHandlerStop
    query = update.callback_query
    texts = [*_texts(update.effective_message), query.data if query else None]
    if not any(unstorable_text(text) for text in texts):
        return
    if query is not None:
        await query.answer()
    chat = update.effective_chat
    if chat is not None and chat.type == "private":
        t = translator(await user_locale(context, update.effective_user))
        await context.bot.send_message(chat.id, t("error_unstorable_text"))
    raise ApplicationHandlerStop
