"""The Bot API calls of every seller answer (the reply; a tapped message's buttons
cleared), without reading Telegram's answer back into objects.

``Bot.send_message`` and ``CallbackQuery.edit_message_reply_markup`` turn Telegram's
answer into a ``Message`` (``Message.de_json``: every field, frozen attribute by attribute,
with its chat and sender). The bot reads one thing of it, the new message's id, and for a
button cleared after a tap nothing at all: profiled, the parsing was about a tenth of the
CPU of a seller update, more than the bot's own rendering. These calls go through the same
``Bot._post`` as PTB's methods (defaults, the rate limiter with its retries, the request,
Telegram's errors raised as ``TelegramError``), and only skip the parsing.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Bot, InlineKeyboardMarkup


@dataclass(frozen=True, slots=True)
class Sent:
    """A message the bot sent: where, and its id (what a later edit or check needs)."""

    chat_id: int
    message_id: int


async def send_text(
    bot: Bot, chat_id: int, text: str, *, reply_markup: InlineKeyboardMarkup | str | None = None
) -> Sent:
    """``sendMessage`` with plain text and optional buttons (a markup, or its JSON as
    Telegram reads it: PTB sends a string parameter as it is)."""
    answer = await bot._post(  # PTB's own path, unparsed: see the module docstring
        "sendMessage", {"chat_id": chat_id, "text": text, "reply_markup": reply_markup}
    )
    return Sent(chat_id, int(answer["message_id"]))


async def clear_buttons(bot: Bot, chat_id: int, message_id: int) -> None:
    """``editMessageReplyMarkup`` with no keyboard: the message's buttons go away."""
    await bot._post("editMessageReplyMarkup", {"chat_id": chat_id, "message_id": message_id})
