"""Telegram's rules the fake enforces: its error answer, HTML parsing, text and button limits."""

from __future__ import annotations

import re
from typing import Any

from starlette.responses import JSONResponse

from tests.fakebotapi.telegram_html import TelegramHTMLError, plain_text

__all__ = [
    "COMMAND",
    "DEFAULT_DESCRIPTIONS",
    "MAX_CAPTION",
    "MAX_DOWNLOAD",
    "MAX_TEXT",
    "BotAPIError",
    "inline_markup",
    "raw_content",
    "rendered",
]

DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    403: "Forbidden: bot was blocked by the user",
    409: "Conflict: terminated by other getUpdates request",
    429: "Too Many Requests: retry after {retry_after}",
    500: "Internal Server Error",
    502: "Bad Gateway",
}
COMMAND = re.compile(r"[a-z0-9_]{1,32}")
MAX_TEXT, MAX_CAPTION, _MAX_CALLBACK_DATA = 4096, 1024, 64
MAX_DOWNLOAD = 20 * 1024 * 1024


class BotAPIError(Exception):
    """A Bot API error response; raised inside method handlers, answered as JSON."""

    def __init__(self, error_code: int, description: str, **parameters: Any) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.parameters = {k: v for k, v in parameters.items() if v is not None}

    def response(self) -> JSONResponse:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return JSONResponse(body, status_code=self.error_code)


def raw_content(p: dict[str, Any]) -> dict[str, Any]:
    """What Telegram compares to decide an edit changed nothing."""
    keys = ("text", "caption", "parse_mode", "reply_markup")
    return {key: p.get(key) for key in keys}


def rendered(text: Any, parse_mode: Any, limit: int, too_long: str) -> str:
    """The text a user sees, validated as Telegram does; raises BotAPIError."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    plain = _parse_html(text) if str(parse_mode).lower() == "html" else text
    if len(plain.encode("utf-16-le")) // 2 > limit:
        raise BotAPIError(400, f"Bad Request: {too_long}")
    return plain


def _parse_html(text: str) -> str:
    """Telegram's HTML rules (``telegram_html``, after tdlib): the plain text, or a 400."""
    try:
        return plain_text(text)
    except TelegramHTMLError as error:
        raise BotAPIError(400, f"Bad Request: can't parse entities: {error}") from None


def inline_markup(markup: Any) -> dict[str, Any]:
    """The reply_markup a returned Message carries: inline keyboards only, validated."""
    if not isinstance(markup, dict) or "inline_keyboard" not in markup:
        return {}
    for row in markup["inline_keyboard"]:
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= _MAX_CALLBACK_DATA:
                raise BotAPIError(400, "Bad Request: BUTTON_DATA_INVALID")
    return {"reply_markup": markup}
