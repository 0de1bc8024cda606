"""An offline terminal demo: walk the seller flows with no token and no network.

The real ``Application`` and handlers run against ``LocalBotAPI`` (an in-process Bot
API) and a database of your choice (a throw-away SQLite file by default). Type an answer,
a number to press a button of the last message, ``photo`` to send a photo,
``file PATH`` to send a document, ``/back``, ``/status``… and ``quit`` to leave.
"""

from __future__ import annotations

import asyncio
import itertools
import mimetypes
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from telegram import Update

from bot.app import build_application
from bot.db.engine import make_engine
from bot.db.migrate import upgrade
from bot.local_api import BOT_USER, LocalBotAPI, SentMessage
from bot.settings import Settings

DEMO_TOKEN = "123456:DEMO-demo-demo-demo-demo-demo-demo-demo"
TELEGRAM_CODES = {"en": "en", "zh_Hans": "zh-hans", "id": "id"}


class DemoUser:
    """Makes the Update JSON Telegram would send for one person typing in the terminal."""

    def __init__(self, *, user_id: int = 424242, language: str = "en") -> None:
        self.user = {
            "id": user_id,
            "is_bot": False,
            "first_name": "Demo",
            "language_code": TELEGRAM_CODES.get(language, language),
        }
        self._ids = itertools.count(1)

    def _message(self, **content: Any) -> dict[str, Any]:
        update_id = next(self._ids)
        return {
            "update_id": update_id,
            "message": {
                "message_id": update_id,
                "date": int(time.time()),
                "chat": {"id": self.user["id"], "type": "private", "first_name": "Demo"},
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
        """A tap on an inline button."""
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


def show(message: SentMessage, out: TextIO) -> None:
    """Print what the bot sent, buttons numbered."""
    if message.method == "answerCallbackQuery":
        print(f"  (notice) {message.text}", file=out)
        return
    if message.method == "sendDocument":
        print(
            f"\n📎 {message.file_name} ({len(message.file_bytes)} bytes) {message.text}", file=out
        )
        return
    print("\n" + message.text, file=out)
    for number, (label, _data) in enumerate(message.buttons, start=1):
        print(f"  [{number}] {label}", file=out)


async def run_demo(
    *,
    language: str = "en",
    database_url: str = "sqlite:///./data/demo.sqlite3",
    read_line: Callable[[], str] = input,
    out: TextIO = sys.stdout,
) -> None:
    """Run the demo until ``quit`` or end of input."""
    api = LocalBotAPI(on_send=lambda message: show(message, out))
    settings = Settings(bot_token=DEMO_TOKEN, database_url=database_url)  # type: ignore[arg-type]
    engine = make_engine(database_url)
    upgrade(engine)
    app = build_application(settings, engine=engine, request=api)
    user = DemoUser(language=language)
    uploads = itertools.count(1)
    print(
        "Offline demo: type answers; a number presses a button; `photo`, `file PATH`, `quit`.",
        file=out,
    )
    async with app:
        await _process(app, user.text("/start"))
        while True:
            try:
                line = (await asyncio.to_thread(read_line)).strip()
            except EOFError:
                break
            if line in ("quit", "exit"):
                break
            update = _update_for(line, user, api, uploads, out)
            if update is not None:
                await _process(app, update)
    engine.dispose()


def _update_for(
    line: str, user: DemoUser, api: LocalBotAPI, uploads: itertools.count[int], out: TextIO
) -> dict[str, Any] | None:
    last = next((m for m in reversed(api.sent) if m.buttons), None)
    if line.isdigit() and last is not None and 1 <= int(line) <= len(last.buttons):
        return user.press(last.buttons[int(line) - 1][1], message_id=1)
    if line == "photo":
        return user.photo(f"demo-photo-{next(uploads)}")
    if line.startswith("file "):
        path = Path(line.removeprefix("file ").strip()).expanduser()
        if not path.is_file():
            print(f"  (demo) no such file: {path}", file=out)
            return None
        file_id = f"demo-file-{next(uploads)}"
        api.add_file(file_id, path.read_bytes())
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return user.document(file_id, path.name, mime, path.stat().st_size)
    return user.text(line)


async def _process(app: Any, data: dict[str, Any]) -> None:
    await app.process_update(Update.de_json(data, app.bot))
