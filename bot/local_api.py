"""An in-process Bot API: PTB's request layer answered locally, with no network at all.

It is the "local transport" of the offline demo and the benchmarks: the real
``Application``, handlers and database run unchanged while Telegram's side is played
here. Only what the bot calls is answered; anything else is an error, so an accidental
new call is noticed. (The end-to-end tests use a real HTTP fake instead.)
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from telegram.request import BaseRequest, RequestData

BOT_USER = {
    "id": 7000001,
    "is_bot": True,
    "first_name": "Shop Onboarding",
    "username": "ShopOnboardingBot",
}


@dataclass
class SentMessage:
    """What the bot sent, as the demo shows it."""

    chat_id: int
    method: str
    text: str
    buttons: list[tuple[str, str]] = field(default_factory=list)
    file_name: str = ""
    file_bytes: bytes = b""


class LocalBotAPI(BaseRequest):
    """A ``BaseRequest`` that plays Telegram; ``on_send`` sees every message the bot sends."""

    def __init__(self, on_send: Callable[[SentMessage], None] | None = None) -> None:
        self.on_send = on_send
        self.sent: list[SentMessage] = []
        self.files: dict[str, bytes] = {}
        self._message_ids = itertools.count(1000)

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    def add_file(self, file_id: str, data: bytes) -> None:
        """Make ``file_id`` downloadable (what a seller's upload would be on Telegram)."""
        self.files[file_id] = data

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        if "/file/bot" in url:
            file_id = url.rsplit("/", 1)[-1]
            return (200, self.files[file_id]) if file_id in self.files else (404, b"")
        api_method = url.rsplit("/", 1)[-1]
        params = _params(request_data)
        handler = getattr(self, f"_{api_method}", None)
        if handler is None:
            return _error(404, f"Not Found: method {api_method} is not played locally")
        return 200, json.dumps({"ok": True, "result": handler(params, request_data)}).encode()

    def _getMe(self, params: dict[str, Any], _data: Any) -> Any:
        return BOT_USER

    def _setMyCommands(self, params: dict[str, Any], _data: Any) -> Any:
        return True

    def _deleteWebhook(self, params: dict[str, Any], _data: Any) -> Any:
        return True

    def _answerCallbackQuery(self, params: dict[str, Any], _data: Any) -> Any:
        text = params.get("text")
        if text:
            self._record(SentMessage(0, "answerCallbackQuery", str(text)))
        return True

    def _getFile(self, params: dict[str, Any], _data: Any) -> Any:
        file_id = str(params["file_id"])
        return {
            "file_id": file_id,
            "file_unique_id": file_id[-8:],
            "file_size": len(self.files.get(file_id, b"")),
            "file_path": file_id,
        }

    def _sendMessage(self, params: dict[str, Any], _data: Any) -> Any:
        buttons = [
            (str(button["text"]), str(button.get("callback_data", "")))
            for row in params.get("reply_markup", {}).get("inline_keyboard", [])
            for button in row
        ]
        chat_id = int(params["chat_id"])
        self._record(SentMessage(chat_id, "sendMessage", str(params["text"]), buttons))
        return self._message(chat_id, {"text": params["text"]})

    def _sendDocument(self, params: dict[str, Any], data: RequestData | None) -> Any:
        chat_id = int(params["chat_id"])
        name, content = "", b""
        if data is not None and data.multipart_data:
            name, raw, *_ = data.multipart_data["document"]
            content = raw if isinstance(raw, bytes) else raw.read()
        self._record(
            SentMessage(
                chat_id,
                "sendDocument",
                str(params.get("caption", "")),
                file_name=name,
                file_bytes=bytes(content),
            )
        )
        document = {"file_id": f"doc{len(self.sent)}", "file_unique_id": f"u{len(self.sent)}"}
        return self._message(chat_id, {"document": document})

    def _record(self, message: SentMessage) -> None:
        self.sent.append(message)
        if self.on_send is not None:
            self.on_send(message)

    def _message(self, chat_id: int, content: dict[str, Any]) -> dict[str, Any]:
        return {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private"},
            "from": BOT_USER,
            **content,
        }


def _params(request_data: RequestData | None) -> dict[str, Any]:
    return dict(request_data.parameters) if request_data is not None else {}


def _error(code: int, description: str) -> tuple[int, bytes]:
    body = {"ok": False, "error_code": code, "description": description}
    return code, json.dumps(body).encode()
