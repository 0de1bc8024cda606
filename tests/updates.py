"""Update JSON exactly as Telegram sends it, for pushing into the fake Bot API.

Why hand-written dicts and not PTB objects: the bot must de-json what Telegram really sends —
entities measured in UTF-16 code units, several PhotoSize entries per photo, a callback whose
``message`` is the bot's own message, phone numbers in contacts without a ``+`` — so the factory
builds that wire format and the bot parses it the way it does in production::

    updates = UpdateFactory.for_api(api)      # shares message ids and the bot's identity
    ann = TelegramUser(id=111, first_name="Ann", language_code="en")
    api.push_update(updates.message_text(ann, "/start uk-cohort-1"))
    api.push_update(updates.press(ann, api.sent_to(ann.id)[-1].result, "United Kingdom"))

Message ids grow per chat and dates never go backwards; every update carries an update_id of
its own, which ``FakeBotAPI.push_update`` replaces with the server's.
"""

from __future__ import annotations

import itertools
import re
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

__all__ = ["TelegramChat", "TelegramUser", "UpdateFactory"]

_BOT_COMMAND = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![\w@])")
# Telegram's photo sizes: the longest side of each stored copy (s, m, x, y, w).
_PHOTO_SIDES = (90, 320, 800, 1280, 2560)


def _utf16_len(text: str) -> int:
    """Entity offsets and lengths count UTF-16 code units, not Python characters."""
    return len(text.encode("utf-16-le")) // 2


@dataclass(frozen=True)
class TelegramUser:
    """A human Telegram account; ``language_code`` is None when the client sends none."""

    id: int
    first_name: str
    language_code: str | None = "en"
    last_name: str | None = None
    username: str | None = None

    def to_dict(self) -> dict[str, Any]:
        user: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        optional = {
            "last_name": self.last_name,
            "username": self.username,
            "language_code": self.language_code,
        }
        user.update({key: value for key, value in optional.items() if value is not None})
        return user


@dataclass(frozen=True)
class TelegramChat:
    """A chat: the user's private chat, a basic group (negative id) or a supergroup."""

    id: int
    type: str = "private"
    title: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    username: str | None = None

    @classmethod
    def private(cls, user: TelegramUser) -> TelegramChat:
        """A private chat's id is the user's id."""
        return cls(user.id, "private", None, user.first_name, user.last_name, user.username)

    @classmethod
    def group(cls, id: int, title: str, *, chat_type: str = "group") -> TelegramChat:
        """Basic groups have small negative ids; supergroups look like -100xxxxxxxxxx."""
        if id >= 0:
            raise ValueError("group chat ids are negative")
        return cls(id, chat_type, title)

    def to_dict(self) -> dict[str, Any]:
        chat: dict[str, Any] = {"id": self.id}
        names = {
            "title": self.title,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "username": self.username,
        }
        chat.update({key: value for key, value in names.items() if value is not None})
        chat["type"] = self.type
        return chat


class _BotAPILike(Protocol):
    bot_id: int
    bot_username: str
    bot_first_name: str

    def next_message_id(self, chat_id: int) -> int: ...

    def message(self, chat_id: int, message_id: int) -> dict[str, Any] | None: ...


class UpdateFactory:
    """Builds update dicts; one factory per test keeps ids and dates increasing."""

    def __init__(
        self,
        *,
        bot_username: str = "ShopOnboardingTestBot",
        bot_id: int = 123456789,
        bot_first_name: str = "Shop Onboarding",
        message_ids: Callable[[int], int] | None = None,
        bot_messages: Callable[[int, int], dict[str, Any] | None] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.bot_username = bot_username
        self.bot_user = {
            "id": bot_id,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
        }
        self._message_ids = message_ids or self._own_message_id
        self._bot_messages = bot_messages
        self._clock = clock
        self._last_ids: dict[int, int] = {}
        self._last_date = 0
        self._update_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)

    @classmethod
    def for_api(cls, api: _BotAPILike, **kwargs: Any) -> UpdateFactory:
        """A factory sharing the fake's bot identity, message ids and sent messages."""
        return cls(
            bot_username=api.bot_username,
            bot_id=api.bot_id,
            bot_first_name=api.bot_first_name,
            message_ids=api.next_message_id,
            bot_messages=api.message,
            **kwargs,
        )

    # -- messages from a user ------------------------------------------------------------------

    def message_text(
        self,
        user: TelegramUser,
        text: str,
        *,
        chat: TelegramChat | None = None,
        entities: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """A text message; ``/commands`` (also ``/start payload``, ``/help@bot``) get entities."""
        message = self._message(user, chat, text=text)
        found = self._command_entities(text) if entities is None else entities
        if found:
            message["entities"] = found
        return self._update("message", message)

    def photo(
        self,
        user: TelegramUser,
        file_id: str,
        file_unique_id: str,
        width: int = 1280,
        height: int = 960,
        file_size: int = 120_000,
        *,
        caption: str | None = None,
        chat: TelegramChat | None = None,
    ) -> dict[str, Any]:
        """A compressed photo: smaller copies first, the given size last (that is ``file_id``)."""
        longest = max(width, height)
        sizes: list[dict[str, Any]] = []
        for side in (s for s in _PHOTO_SIDES if s < longest):
            scale = side / longest
            sizes.append(
                {
                    "file_id": f"{file_id}-{side}",
                    "file_unique_id": f"{file_unique_id}-{side}",
                    "file_size": max(1, int(file_size * scale * scale)),
                    "width": max(1, round(width * scale)),
                    "height": max(1, round(height * scale)),
                }
            )
        sizes.append(
            {
                "file_id": file_id,
                "file_unique_id": file_unique_id,
                "file_size": file_size,
                "width": width,
                "height": height,
            }
        )
        return self._update("message", self._message(user, chat, photo=sizes, **_caption(caption)))

    def document(
        self,
        user: TelegramUser,
        file_id: str,
        file_name: str,
        mime_type: str,
        file_size: int,
        *,
        file_unique_id: str | None = None,
        caption: str | None = None,
        chat: TelegramChat | None = None,
    ) -> dict[str, Any]:
        """A file sent as a document (also a photo sent "as file")."""
        document = {
            "file_name": file_name,
            "mime_type": mime_type,
            "file_id": file_id,
            "file_unique_id": file_unique_id or f"AgAD{zlib.crc32(file_id.encode()):08x}",
            "file_size": file_size,
        }
        message = self._message(user, chat, document=document, **_caption(caption))
        return self._update("message", message)

    def contact(
        self,
        user: TelegramUser,
        phone_number: str,
        *,
        own: bool = True,
        chat: TelegramChat | None = None,
    ) -> dict[str, Any]:
        """A shared contact; for the user's own number (request_contact) ``user_id`` is set.

        Telegram clients differ on the leading ``+``: pass the number as a client would.
        """
        contact: dict[str, Any] = {"phone_number": phone_number, "first_name": user.first_name}
        if user.last_name:
            contact["last_name"] = user.last_name
        if own:
            contact["user_id"] = user.id
        return self._update("message", self._message(user, chat, contact=contact))

    # -- a user pressing the bot's buttons -----------------------------------------------------

    def callback(
        self,
        user: TelegramUser,
        data: str,
        message_id: int,
        *,
        chat: TelegramChat | None = None,
        text: str = "Please choose:",
        reply_markup: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """A tap on an inline button under the bot's message ``message_id``.

        Wired to a fake (``for_api``), the callback carries that message as the bot last left
        it, as Telegram does; otherwise one is made from ``text`` and ``reply_markup``.
        """
        chat = chat or TelegramChat.private(user)
        message = self._bot_messages(chat.id, message_id) if self._bot_messages else None
        if message is None:
            message = {
                "message_id": message_id,
                "from": dict(self.bot_user),
                "chat": chat.to_dict(),
                "date": self._date(),
                "text": text,
            }
            if reply_markup is not None:
                message["reply_markup"] = reply_markup
        query = {
            "id": f"{user.id}{next(self._callback_ids):06d}",
            "from": user.to_dict(),
            "message": message,
            "chat_instance": str(-((chat.id * 2654435761) % 10**18)),
            "data": data,
        }
        return self._update("callback_query", query)

    def press(
        self, user: TelegramUser, message: dict[str, Any], button_text: str
    ) -> dict[str, Any]:
        """Tap the inline button labelled ``button_text`` on a message the bot sent."""
        rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
        for button in (b for row in rows for b in row):
            if button.get("text") == button_text and "callback_data" in button:
                chat = _chat_from_dict(message["chat"])
                return self.callback(
                    user, button["callback_data"], message["message_id"], chat=chat
                )
        labels = [b.get("text") for row in rows for b in row]
        raise LookupError(f"no callback button {button_text!r}; the message has {labels}")

    # -- groups --------------------------------------------------------------------------------

    def bot_added_to_group(self, user: TelegramUser, chat: TelegramChat) -> dict[str, Any]:
        """The ``my_chat_member`` update a bot gets when ``user`` adds it to a group."""
        member = {
            "chat": chat.to_dict(),
            "from": user.to_dict(),
            "date": self._date(),
            "old_chat_member": {"user": dict(self.bot_user), "status": "left"},
            "new_chat_member": {"user": dict(self.bot_user), "status": "member"},
        }
        return self._update("my_chat_member", member)

    # -- plumbing ------------------------------------------------------------------------------

    def _own_message_id(self, chat_id: int) -> int:
        self._last_ids[chat_id] = self._last_ids.get(chat_id, 0) + 1
        return self._last_ids[chat_id]

    def _date(self) -> int:
        self._last_date = max(self._last_date, int(self._clock()))
        return self._last_date

    def _message(
        self, user: TelegramUser, chat: TelegramChat | None, **content: Any
    ) -> dict[str, Any]:
        chat = chat or TelegramChat.private(user)
        return {
            "message_id": self._message_ids(chat.id),
            "from": user.to_dict(),
            "chat": chat.to_dict(),
            "date": self._date(),
            **content,
        }

    def _update(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        return {"update_id": next(self._update_ids), kind: payload}

    @staticmethod
    def _command_entities(text: str) -> list[dict[str, Any]]:
        return [
            {
                "offset": _utf16_len(text[: match.start()]),
                "length": _utf16_len(match.group()),
                "type": "bot_command",
            }
            for match in _BOT_COMMAND.finditer(text)
        ]


def _caption(caption: str | None) -> dict[str, Any]:
    return {} if caption is None else {"caption": caption}


def _chat_from_dict(chat: dict[str, Any]) -> TelegramChat:
    return TelegramChat(
        id=chat["id"],
        type=chat["type"],
        title=chat.get("title"),
        first_name=chat.get("first_name"),
        last_name=chat.get("last_name"),
        username=chat.get("username"),
    )
