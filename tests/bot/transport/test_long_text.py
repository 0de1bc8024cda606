"""Splitting replies that Telegram would refuse as too long."""

from __future__ import annotations

from bot.transport.long_text import TELEGRAM_MAX_TEXT, split_text, telegram_length


def test_a_short_text_is_one_message() -> None:
    assert split_text("Row 2: price") == ["Row 2: price"]


def test_a_long_report_is_cut_at_line_breaks_and_loses_nothing() -> None:
    lines = [
        f"• Row {n}, column image_urls: “ftp://{'x' * 70}” is not an https link" for n in range(200)
    ]
    text = "\n".join(lines)
    pieces = split_text(text)
    assert len(pieces) > 1
    assert all(telegram_length(piece) <= TELEGRAM_MAX_TEXT for piece in pieces)
    assert "\n".join(pieces) == text  # every piece ends where a line ended


def test_emoji_count_twice_as_telegram_counts_them() -> None:
    text = "\n".join(["⚠️ 😀" * 300] * 4)  # 1,200 code points a line, more UTF-16 units
    pieces = split_text(text)
    assert all(telegram_length(piece) <= TELEGRAM_MAX_TEXT for piece in pieces)
    assert "".join(pieces).replace("\n", "") == text.replace("\n", "")


def test_a_single_line_longer_than_a_message_is_cut_inside_it() -> None:
    pieces = split_text("😀" * 5000, limit=100)
    assert all(telegram_length(piece) <= 100 for piece in pieces)
    assert "".join(pieces) == "😀" * 5000
