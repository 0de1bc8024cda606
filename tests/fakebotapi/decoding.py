"""A Bot API HTTP request turned into what a method handler reads: params, uploads, hang-up."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request

from tests.fakebotapi.records import UploadedFile

__all__ = ["Req", "disconnected", "read_params"]

# Parameters the Bot API reads as strings. PTB JSON-encodes every other value into a form field,
# so those are decoded; a numeric-looking callback_query_id or text must stay a str.
_STRING_PARAMS = frozenset(
    {
        "text", "caption", "parse_mode", "callback_query_id", "inline_message_id", "file_id",
        "url", "secret_token", "ip_address", "action", "language_code", "description",
        "short_description", "name", "title", "emoji", "business_connection_id",
        "message_effect_id", "document", "photo", "thumbnail",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Req:
    """One decoded call, as a method handler sees it."""

    params: dict[str, Any]
    files: dict[str, UploadedFile]
    disconnected: Callable[[], Awaitable[None]]


async def read_params(request: Request) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
    """Params from the query, a JSON body, a urlencoded or a multipart form, decoded."""
    raw: dict[str, Any] = dict(request.query_params)
    files: dict[str, UploadedFile] = {}
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/json"):
        body = await request.body()
        try:
            decoded = json.loads(body) if body else {}
        except ValueError:
            raise ValueError("can't parse JSON request body") from None
        if not isinstance(decoded, dict):
            raise ValueError("JSON body must be an object")
        raw.update(decoded)
    elif content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        async with request.form() as form:
            for key, value in form.multi_items():
                if isinstance(value, UploadFile):
                    data = await value.read()
                    files[key] = UploadedFile(value.filename, value.content_type, data)
                else:
                    raw[key] = value
    return {key: _decode(key, value) for key, value in raw.items()}, files


def _decode(name: str, value: Any) -> Any:
    if not isinstance(value, str) or name in _STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value  # e.g. chat_id="@channel"


async def disconnected(request: Request) -> None:
    """Return when the client hangs up (uvicorn sends http.disconnect)."""
    while (await request.receive())["type"] != "http.disconnect":
        pass
