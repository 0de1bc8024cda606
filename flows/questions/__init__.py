"""Questions sellers ask: recognizing one, and finding the FAQ entries that answer it.

Pure like the rest of ``flows/``: plain text in, plain values out; no Telegram, no
database, no network, no model. ``bot/`` decides what to do with a question.
"""

from __future__ import annotations

from flows.questions.entries import Entry, builtin_entries, entries_for, entry_from_dict
from flows.questions.matcher import Match, Matcher, match
from flows.questions.recognizer import is_question

__all__ = [
    "Entry",
    "Match",
    "Matcher",
    "builtin_entries",
    "entries_for",
    "entry_from_dict",
    "is_question",
    "match",
]
