"""Telegram's rules the fake enforces: its error answer, HTML parsing, text and button limits."""

from __future__ import annotations

import re
from typing import Any

from starlette.responses import JSONResponse

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
_HTML_TAGS = frozenset(
    {"a", "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler",
     "tg-emoji", "code", "pre", "blockquote"}
)  # fmt: skip
_HTML_ENTITY = re.compile(r"&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);")
_TAG_NAME_END = re.compile(r"[\s>]")
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
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
    """Telegram's HTML rules (after tdlib's parse_html): the plain text, or a 400."""

    def fail(reason: str) -> BotAPIError:
        return BotAPIError(400, f"Bad Request: can't parse entities: {reason}")

    def offset(i: int) -> int:
        return len(text[:i].encode())

    out: list[str] = []
    stack: list[str] = []
    i = 0
    while i < len(text):
        if text[i] != "<":
            j = text.find("<", i)
            j = len(text) if j < 0 else j
            out.append(_HTML_ENTITY.sub(_unescape, text[i:j]))
            i = j
            continue
        start = i
        end = text.find(">", i)
        if text.startswith("</", i):
            if not stack:
                raise fail(f"Unexpected end tag at byte offset {offset(start)}")
            if end < 0:
                raise fail(f"Unclosed end tag at byte offset {offset(start)}")
            name = text[i + 2 : end].strip().lower()
            if name and name != stack[-1]:
                raise fail(
                    f"Unmatched end tag at byte offset {offset(start)}, "
                    f'expected "</{stack[-1]}>", found "</{name}>"'
                )
            stack.pop()
        else:
            name_end = _TAG_NAME_END.search(text, i + 1)
            if name_end is None:
                raise fail(f"Unclosed start tag at byte offset {offset(start)}")
            name = text[i + 1 : name_end.start()].lower()
            if name not in _HTML_TAGS:
                raise fail(f'Unsupported start tag "{name}" at byte offset {offset(start)}')
            if end < 0:
                raise fail(f"Unclosed start tag at byte offset {offset(start)}")
            stack.append(name)
        i = end + 1
    if stack:
        raise fail(f'Can\'t find end tag corresponding to start tag "{stack[-1]}"')
    return "".join(out)


def _unescape(match: re.Match[str]) -> str:
    name = match.group(1)
    if name.startswith("#x"):
        return chr(int(name[2:], 16))
    if name.startswith("#"):
        return chr(int(name[1:]))
    return _NAMED_ENTITIES[name]


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
