"""The Update JSON Telegram would send for one person typing in the demo's terminal.

Also used by the benchmarks. Update ids count up from ``first_update_id``: the demo
starts each run above every id the database has seen (``bot.offline.demo.first_update_id``).
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from typing import Any

from bot.offline.local_api import BOT_USER

TELEGRAM_CODES = {"en": "en", "zh_Hans": "zh-hans", "id": "id"}


class DemoUser:
    """Makes the Update JSON Telegram would send for one person typing in the terminal."""

    def __init__(
        self,
        *,
        user_id: int = 424242,
        language: str = "en",
        first_update_id: int = 1,
        update_ids: Iterator[int] | None = None,
        first_name: str = "Demo",
    ) -> None:
        """``update_ids``: a counter shared with other users of the same run (else each
        counts from ``first_update_id``)."""
        self.chat_id = user_id  # a private chat's id is the user's
        self.user = {
            "id": user_id,
            "is_bot": False,
            "first_name": first_name,
            "language_code": TELEGRAM_CODES.get(language, language),
        }
        self._ids = update_ids if update_ids is not None else itertools.count(first_update_id)

    def _message(self, **content: Any) -> dict[str, Any]:
        update_id = next(self._ids)
        return {
            "update_id": update_id,
            "message": {
                "message_id": update_id,
                "date": int(time.time()),
                "chat": {
                    "id": self.user["id"],
                    "type": "private",
                    "first_name": self.user["first_name"],
                },
                "from": self.user,
                **content,
            },
        }

    def text(self, text: str) -> dict[str, Any]:
        """A typed message; a leading ``/word`` is marked as a command like Telegram does."""
        entities = []
        if text.startswith("/"):
            entities = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return self._message(text=text, entities=entities)

    def photo(self, file_id: str, *, size: int = 180_000) -> dict[str, Any]:
        """A photo, in the sizes Telegram reports."""
        sizes = [
            {
                "file_id": f"{file_id}-s",
                "file_unique_id": f"{file_id[:6]}s",
                "width": 320,
                "height": 240,
                "file_size": size // 10,
            },
            {
                "file_id": file_id,
                "file_unique_id": file_id[:8],
                "width": 1280,
                "height": 960,
                "file_size": size,
            },
        ]
        return self._message(photo=sizes)

    def document(self, file_id: str, name: str, mime: str, size: int) -> dict[str, Any]:
        """A document upload."""
        return self._message(
            document={
                "file_id": file_id,
                "file_unique_id": file_id[:8],
                "file_name": name,
                "mime_type": mime,
                "file_size": size,
            }
        )

    def press(self, data: str, message_id: int) -> dict[str, Any]:
        """A tap on an inline button of the bot's message ``message_id``."""
        update_id = next(self._ids)
        return {
            "update_id": update_id,
            "callback_query": {
                "id": str(update_id),
                "from": self.user,
                "chat_instance": "demo",
                "data": data,
                "message": {
                    "message_id": message_id,
                    "date": int(time.time()),
                    "chat": {"id": self.user["id"], "type": "private"},
                    "from": BOT_USER,
                    "text": "…",
                },
            },
        }
