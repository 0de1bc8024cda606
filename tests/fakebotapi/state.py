"""What the fake remembers — updates, chats, the bot's messages, files — and waiting on it."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["FakeState", "StoredFile"]


@dataclass(frozen=True)
class StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes
    reported_size: int | None = None  # what getFile says, when a test wants it to lie


class FakeState:
    """The state the Bot API methods share; FakeBotAPI and its method mixins build on it."""

    def __init__(self, token: str, *, bot_username: str, bot_first_name: str) -> None:
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.webhook_url = ""
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.menu_buttons: dict[int | None, dict[str, Any]] = {}
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._last_update_id: int | None = None
        self._confirmed_below = 0
        self._last_message_id: dict[int, int] = {}
        self._messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._raw: dict[tuple[int, int], dict[str, Any]] = {}  # what an edit compares against
        self._deleted: set[tuple[int, int]] = set()
        self._chats: dict[int, dict[str, Any]] = {}
        self._members: dict[tuple[int, int], str] = {}  # (group, user) → set_member's status
        self._seen_in_chat: set[tuple[int, int]] = set()  # (group, user) who wrote there
        self._files: dict[str, StoredFile] = {}
        self._file_numbers = itertools.count(1)
        self._waiters: set[asyncio.Event] = set()
        self._closing = False

    @property
    def bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    # -- what tests call ---------------------------------------------------------------------

    def add_file(
        self,
        file_id: str,
        data: bytes,
        *,
        file_path: str | None = None,
        file_unique_id: str | None = None,
        reported_size: int | None = None,
    ) -> None:
        """Make ``file_id`` downloadable (getFile + /file/bot<token>/<file_path>).

        ``reported_size`` makes getFile report that size instead of the real one.
        """
        number = next(self._file_numbers)
        self._files[file_id] = StoredFile(
            file_id=file_id,
            file_unique_id=file_unique_id or f"AgAD{number:06d}",
            file_path=file_path or f"documents/file_{number}",
            data=bytes(data),
            reported_size=reported_size,
        )

    def add_chat(self, chat: Mapping[str, Any]) -> None:
        """Describe a chat so replies to it carry its real title/names (updates do this too)."""
        self._chats[int(chat["id"])] = dict(chat)

    def next_message_id(self, chat_id: int) -> int:
        """Allocate the chat's next message id; share it with UpdateFactory.for_api(api)."""
        self._last_message_id[chat_id] = self._last_message_id.get(chat_id, 0) + 1
        return self._last_message_id[chat_id]

    def message(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        """The bot's message as it currently stands (after edits), or None."""
        found = self._messages.get((chat_id, message_id))
        return copy.deepcopy(found) if found else None

    # -- plumbing ----------------------------------------------------------------------------

    def _learn(self, update: dict[str, Any]) -> None:
        """Remember chats and message ids from an update so replies look like Telegram's."""
        for kind in ("message", "edited_message", "callback_query", "my_chat_member"):
            payload = update.get(kind)
            if not isinstance(payload, dict):
                continue
            message = payload.get("message", payload) if kind == "callback_query" else payload
            chat = message.get("chat")
            if isinstance(chat, dict):
                self._chats.setdefault(int(chat["id"]), dict(chat))
                sender = payload.get("from")
                if chat.get("type") != "private" and isinstance(sender, dict):
                    self._seen_in_chat.add((int(chat["id"]), int(sender["id"])))
                if kind != "my_chat_member" and "message_id" in message:
                    last = self._last_message_id.get(int(chat["id"]), 0)
                    self._last_message_id[int(chat["id"])] = max(last, int(message["message_id"]))

    def _notify(self) -> None:
        for event in self._waiters:
            event.set()

    async def _wait_until(self, condition: Callable[[], bool], timeout: float) -> bool:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not condition():
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            event = asyncio.Event()
            self._waiters.add(event)
            try:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(event.wait(), remaining)
            finally:
                self._waiters.discard(event)
        return True
