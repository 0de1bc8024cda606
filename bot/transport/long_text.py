"""Split a reply that is too long for one Telegram message.

Telegram refuses a text over 4,096 characters (counted in UTF-16 code units, so an emoji
counts two) with "Message is too long". A bulk file's error list can pass that, so a long
reply is sent as several messages, cut at line breaks; only a single line longer than a
whole message is cut inside the line.
"""

from __future__ import annotations

__all__ = ["TELEGRAM_MAX_TEXT", "split_text", "telegram_length"]

TELEGRAM_MAX_TEXT = 4096


def telegram_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = TELEGRAM_MAX_TEXT) -> list[str]:
    """``text`` in pieces of at most ``limit`` units, each ending at a line break if it can."""
    if telegram_length(text) <= limit:
        return [text]
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        for part in _cut(line, limit):
            joined = f"{current}\n{part}" if current else part
            if telegram_length(joined) <= limit:
                current = joined
                continue
            if current.strip():
                pieces.append(current)
            current = part
    if current.strip():
        pieces.append(current)
    return pieces or [text[:limit]]


def _cut(line: str, limit: int) -> list[str]:
    """A line as it is, or in pieces of at most ``limit`` units (no surrogate pair split)."""
    if telegram_length(line) <= limit:
        return [line]
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for char in line:
        width = 2 if ord(char) > 0xFFFF else 1
        if size + width > limit:
            parts.append("".join(current))
            current, size = [], 0
        current.append(char)
        size += width
    if current:
        parts.append("".join(current))
    return parts
