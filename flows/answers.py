"""What a seller can send, as plain values the domain understands.

``bot/`` turns a Telegram update into one of these; the flow engine never sees Telegram.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class TextAnswer:
    """Typed text (already stripped of the bot command, if any)."""

    text: str


@dataclass(frozen=True, slots=True)
class ChoiceAnswer:
    """A tapped button: ``step`` is the step the button was shown for, ``value`` its choice."""

    step: str
    value: str


@dataclass(frozen=True, slots=True)
class FileAnswer:
    """A photo or document. ``file_id`` is Telegram's opaque reference, stored as is.

    ``width``/``height`` are known for photos (Telegram reports them) and unknown (0)
    for documents.
    """

    file_id: str
    file_unique_id: str
    kind: str  # "photo" | "document"
    mime_type: str
    size: int
    file_name: str = ""
    width: int = 0
    height: int = 0
    album: str = ""  # Telegram's ``media_group_id``: the files of one album share it


Answer = TextAnswer | ChoiceAnswer | FileAnswer
