"""Small helpers every admin handler uses to answer in the admin's chat."""

from __future__ import annotations

from telegram import CallbackQuery, InlineKeyboardMarkup, Update

from bot.transport.context import BotContext
from bot.transport.keyboards import unpack


async def reply(
    update: Update, context: BotContext, text: str, keyboard: InlineKeyboardMarkup | None = None
) -> None:
    """Send ``text`` to the chat the update came from."""
    chat = update.effective_chat
    if chat is None:
        return
    await context.bot.send_message(chat.id, text, reply_markup=keyboard)


def deep_link(context: BotContext, payload: str) -> str:
    """``https://t.me/<bot>?start=<payload>``: opens the bot with ``/start <payload>``."""
    return f"https://t.me/{context.bot.username}?start={payload}"


def button_fields(query: CallbackQuery) -> tuple[str, str]:
    """An admin button's action and value (data ``kind|action|value``, as ``pack`` writes
    it); two empty strings for data the bot did not write."""
    callback = unpack(query.data)
    return (callback.key, callback.value) if callback is not None else ("", "")


def int_arg(args: list[str] | None, index: int) -> int | None:
    """The ``index``-th command argument as a positive int, or None."""
    if not args or len(args) <= index:
        return None
    raw = args[index].strip().lstrip("#")
    return int(raw) if raw.isdecimal() and 0 < len(raw) < 12 else None
