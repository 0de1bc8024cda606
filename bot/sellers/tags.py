"""Answer buttons carry the application they were asked for: ``a|<step>@<tag>|<value>``.

A seller with several applications may tap a button under an older message of another
application; the step may even be the same ("track" in both). The tag (the application
id in base 36, a few bytes, well inside Telegram's 64-byte limit) makes such a tap stale.
Buttons without a tag (sent before applications existed) still answer the current one.

A reply's keyboard is sent as ``tagged_json``: the JSON Telegram reads, from a template
made once per keyboard and tag length, with the tag put in. Every seller at a step in a
language is shown the same keyboard but their own tag; building the tagged buttons as PTB
objects for each reply, which PTB then turned back into JSON, was 5 % of a seller update's
CPU (profiled).
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

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
    return _tag_markup(markup, tag_of(application_id))


def _tag_button(button: InlineKeyboardButton, tag: str) -> InlineKeyboardButton:
    data = button.callback_data
    if not isinstance(data, str) or not data.startswith(ANSWER + "|"):
        return button
    kind, key, value = data.split("|", 2)
    marked = f"{kind}|{key}{SEPARATOR}{tag}|{value}"
    if len(marked.encode()) > MAX_CALLBACK_BYTES:
        return button  # a long value keeps its untagged (still valid) form
    return InlineKeyboardButton(button.text, callback_data=marked)


def tagged_json(markup: InlineKeyboardMarkup | None, application_id: int) -> str | None:
    """``tagged(markup, application_id)`` as the JSON of a ``reply_markup`` parameter."""
    if markup is None:
        return None
    tag = tag_of(application_id)
    return tag.join(_template(markup, len(tag)))


_HOLE = "\x00"
"""Stands for each character of the tag while the template is made: no label or callback
data of ours holds one (Telegram refuses it), and JSON writes it as ``\\u0000``."""


@lru_cache(maxsize=4096)
def _template(markup: InlineKeyboardMarkup, tag_length: int) -> tuple[str, ...]:
    """The keyboard's JSON cut where a tag of ``tag_length`` goes (a markup hashes by its
    buttons, so the cache holds one entry per keyboard, however often it is rebuilt)."""
    holes = _HOLE * tag_length
    tagged_keyboard = _tag_markup(markup, holes).to_dict()
    return tuple(json.dumps(tagged_keyboard).split(json.dumps(holes)[1:-1]))


def _tag_markup(markup: InlineKeyboardMarkup, tag: str) -> InlineKeyboardMarkup:
    rows: list[list[Any]] = [[_tag_button(b, tag) for b in row] for row in markup.inline_keyboard]
    return InlineKeyboardMarkup(rows)
