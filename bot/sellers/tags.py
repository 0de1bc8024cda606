"""Answer buttons carry the application they were asked for: ``a|<step>@<tag>|<value>``.

A seller with several applications may tap a button under an older message of another
application; the step may even be the same ("track" in both). The tag (the application
id in base 36, a few bytes, well inside Telegram's 64-byte limit) makes such a tap stale.
Buttons without a tag (sent before applications existed) still answer the current one.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.transport.keyboards import ANSWER, MAX_CALLBACK_BYTES

SEPARATOR = "@"
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def tag_of(application_id: int) -> str:
    """The application id in base 36."""
    if application_id <= 0:
        return "0"
    digits = []
    while application_id:
        application_id, rest = divmod(application_id, 36)
        digits.append(_DIGITS[rest])
    return "".join(reversed(digits))


def split(key: str) -> tuple[str, str | None]:
    """A button's step and its application tag (None for an untagged button)."""
    step, separator, tag = key.partition(SEPARATOR)
    return step, (tag if separator else None)


def tagged(markup: InlineKeyboardMarkup | None, application_id: int) -> InlineKeyboardMarkup | None:
    """The keyboard with every answer button tagged with the application."""
    if markup is None:
        return None
    tag = tag_of(application_id)
    rows = [[_tag_button(button, tag) for button in row] for row in markup.inline_keyboard]
    return InlineKeyboardMarkup(rows)


def _tag_button(button: InlineKeyboardButton, tag: str) -> InlineKeyboardButton:
    data = button.callback_data
    if not isinstance(data, str) or not data.startswith(ANSWER + "|"):
        return button
    kind, key, value = data.split("|", 2)
    marked = f"{kind}|{key}{SEPARATOR}{tag}|{value}"
    if len(marked.encode()) > MAX_CALLBACK_BYTES:
        return button  # a long value keeps its untagged (still valid) form
    return InlineKeyboardButton(button.text, callback_data=marked)
