"""Is this JSON a Telegram update the handlers can rely on? Checked before PTB sees it.

PTB's ``Update.de_json`` is lenient: ``update_id: "abc"``, a message without ``chat`` or a
callback query without ``from`` become objects whose missing parts surface later as an
``AttributeError`` in a handler, after the webhook has answered 200. So the fields the
bot's handlers and its per-seller ordering use are checked here, strictly (an ``int`` is
not a ``bool`` or a string of digits), with pydantic. Unknown fields are allowed, as
Telegram adds them over time; at most one kind of content per update, as documented.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr
from pydantic import ValidationError as ShapeError

__all__ = ["INT64", "ShapeError", "check_update"]


INT64 = (-(2**63), 2**63 - 1)
"""A 64-bit signed integer's range: PostgreSQL's ``bigint``, SQLite's ``INTEGER``."""
Int64 = Annotated[StrictInt, Field(ge=INT64[0], le=INT64[1])]
"""Every integer fits 64 bits, as both databases need (``2**70`` was a 200, then a crash)."""


class _Shape(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class _User(_Shape):
    id: Int64
    is_bot: StrictBool
    first_name: StrictStr
    language_code: StrictStr | None = None


class _Chat(_Shape):
    id: Int64
    type: StrictStr


class _File(_Shape):
    file_id: StrictStr
    file_unique_id: StrictStr
    file_size: Int64 | None = None


class _PhotoSize(_File):
    width: Int64
    height: Int64


class _Document(_File):
    file_name: StrictStr | None = None
    mime_type: StrictStr | None = None


class _Entity(_Shape):
    type: StrictStr
    offset: Int64
    length: Int64


class _Message(_Shape):
    message_id: Int64
    date: Int64
    chat: _Chat
    from_user: _User | None = Field(default=None, alias="from")
    text: StrictStr | None = None
    caption: StrictStr | None = None
    entities: list[_Entity] | None = None
    photo: list[_PhotoSize] | None = None
    document: _Document | None = None


class _CallbackQuery(_Shape):
    id: StrictStr
    from_user: _User = Field(alias="from")
    chat_instance: StrictStr
    message: _Message | None = None
    inline_message_id: StrictStr | None = None
    data: StrictStr | None = None


class _Update(_Shape):
    update_id: Annotated[StrictInt, Field(ge=0, le=INT64[1])]
    message: _Message | None = None
    edited_message: _Message | None = None
    channel_post: _Message | None = None
    edited_channel_post: _Message | None = None
    callback_query: _CallbackQuery | None = None


_BASE_FIELDS = frozenset({"update_id"})


def check_update(data: Any) -> None:
    """Raise ``ShapeError`` (or ``ValueError``) unless ``data`` is an update the bot can take."""
    if not isinstance(data, dict):
        raise ValueError("an update is a JSON object")
    _Update.model_validate(data)
    kinds = [key for key in data if key not in _BASE_FIELDS]
    if len(kinds) > 1:
        raise ValueError("an update carries at most one kind of content")
