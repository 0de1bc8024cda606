"""Inline keyboards and their callback data (always ≤ 64 bytes, Telegram's limit).

Callback data names the prompt it was shown for (``a|<step>|<value>``), so a tap on
an earlier step's button is recognized as stale instead of being applied. A
confirmation names its nonce instead (``restart|<nonce>|yes``, see ``bot.sellers.confirmations``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from flows.steps import Choice
from flows.tracks import LANGUAGES

ANSWER, LANGUAGE, RESTART = "a", "lang", "restart"
MAX_CALLBACK_BYTES = 64


@dataclass(frozen=True, slots=True)
class Callback:
    """Parsed callback data."""

    kind: str
    key: str
    value: str


def pack(kind: str, key: str, value: str = "") -> str:
    """Callback data for a button; refuses data Telegram would reject."""
    data = f"{kind}|{key}|{value}"
    if len(data.encode()) > MAX_CALLBACK_BYTES:
        raise ValueError(f"callback data over {MAX_CALLBACK_BYTES} bytes: {data!r}")
    return data


def unpack(data: str | None) -> Callback | None:
    """Parse callback data; None for anything this bot did not write."""
    parts = (data or "").split("|")
    if len(parts) != 3:
        return None
    return Callback(*parts)


def answer_keyboard(
    key: str, choices: tuple[Choice, ...], label: Callable[[Choice], str], *, columns: int = 1
) -> InlineKeyboardMarkup | None:
    """Buttons for a step's choices, ``columns`` to a row."""
    if not choices:
        return None
    return _answer_keyboard(key, tuple((label(c), c.value) for c in choices), columns)


@lru_cache(maxsize=2048)
def _answer_keyboard(
    key: str, buttons: tuple[tuple[str, str], ...], columns: int
) -> InlineKeyboardMarkup:
    """One keyboard object per step, labels and layout: a markup is immutable, and every
    seller at a step in a language is shown the same one (built once, not per reply)."""
    made = [
        InlineKeyboardButton(text, callback_data=pack(ANSWER, key, value))
        for text, value in buttons
    ]
    return InlineKeyboardMarkup([made[i : i + columns] for i in range(0, len(made), columns)])


def language_keyboard(current: str) -> InlineKeyboardMarkup:
    """The language switcher; the current language is ticked."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    ("✓ " if code == current else "") + name,
                    callback_data=pack(LANGUAGE, "set", code),
                )
            ]
            for code, name in LANGUAGES.items()
        ]
    )


def restart_keyboard(nonce: str, yes: str, no: str) -> InlineKeyboardMarkup:
    """Confirm or cancel starting over; ``nonce`` binds the taps to this one question."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(yes, callback_data=pack(RESTART, nonce, "yes")),
                InlineKeyboardButton(no, callback_data=pack(RESTART, nonce, "no")),
            ]
        ]
    )
