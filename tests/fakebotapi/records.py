"""What the fake records of each Bot API call, for tests to inspect."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Call", "UploadedFile"]


@dataclass(frozen=True)
class UploadedFile:
    """One multipart file part of a call, as the bot uploaded it."""

    filename: str | None
    content_type: str | None
    data: bytes


@dataclass(frozen=True)
class Call:
    """One Bot API call the bot made: decoded params, uploads, and what the fake answered."""

    method: str
    params: dict[str, Any]
    files: dict[str, UploadedFile] = field(default_factory=dict)
    result: Any = None
    error_code: int | None = None
    description: str | None = None

    @property
    def ok(self) -> bool:
        return self.error_code is None

    @property
    def chat_id(self) -> Any:
        return self.params.get("chat_id")

    @property
    def text(self) -> str | None:
        """The text or caption as the bot sent it (raw, markup included)."""
        return self.params.get("text", self.params.get("caption"))

    @property
    def inline_keyboard(self) -> list[list[dict[str, Any]]]:
        markup = self.params.get("reply_markup") or {}
        return list(markup.get("inline_keyboard", []))
