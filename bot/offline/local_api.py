"""An in-process Bot API: PTB's request layer answered locally, with no network at all.

It is the "local transport" of the offline demo and the benchmarks: the real
``Application``, handlers and database run unchanged while Telegram's side is played
here. Every method the bot calls is answered (``SERVED``; tests/bot/offline/test_local_api.py
fails when the bot's source calls one that is not). A call to anything else is answered
with Telegram's 404 *and* kept in ``unserved``, so the demo and its test notice it
instead of a handler failing far away.
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
Handler = Callable[["LocalBotAPI", dict[str, Any], RequestData | None], Any]


@dataclass
class SentMessage:
    """What the bot sent (or changed), as the demo shows it."""

    chat_id: int
    method: str
    text: str
    buttons: list[tuple[str, str]] = field(default_factory=list)
    file_name: str = ""
    file_bytes: bytes = b""
    message_id: int = 0
    force_reply: bool = False
    """The bot asked for a reply to this message (``ForceReply``): a client replies to it."""


class LocalBotAPI(BaseRequest):
    """A ``BaseRequest`` that plays Telegram; ``on_send`` sees every message the bot sends."""

    def __init__(
        self,
        on_send: Callable[[SentMessage], None] | None = None,
        *,
        first_message_id: int = 1000,
    ) -> None:
        self.on_send = on_send
        self.sent: list[SentMessage] = []
        self.files: dict[str, bytes] = {}
        self.unserved: list[str] = []
        self.calls: list[str] = []
        # newest version of each message by id: a scan of ``sent`` made every edit cost
        # O(messages so far), which the flow benchmark would have charged to the bot
        self._by_id: dict[int, SentMessage] = {}
        self._message_ids = itertools.count(first_message_id)

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
            # a file the demo has no bytes for (``photo``): Telegram's JSON error, which PTB
            # reads without logging a traceback (an empty body it would log as bad JSON)
            if file_id not in self.files:
                return _error(404, "Not Found: file not found")
            return 200, self.files[file_id]
        api_method = url.rsplit("/", 1)[-1]
        self.calls.append(api_method)
        handler = SERVED.get(api_method)
        if handler is None:
            self.unserved.append(api_method)
            return _error(404, f"Not Found: method {api_method} is not played locally")
        result = handler(self, _params(request_data), request_data)
        return 200, json.dumps({"ok": True, "result": result}).encode()

    def forget(self) -> None:
        """Drop the record of what was sent (long benchmarks measure the bot, not this)."""
        self.sent.clear()
        self.calls.clear()
        self._by_id.clear()

    def message_by_id(self, message_id: int) -> SentMessage | None:
        """The message the bot sent with ``message_id`` (the newest version of it)."""
        return self._by_id.get(message_id)

    def _record(self, message: SentMessage) -> None:
        self.sent.append(message)
        if message.message_id:
            self._by_id[message.message_id] = message
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

    def _send(
        self, params: dict[str, Any], method: str, text: str, **content: Any
    ) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        message = self._message(chat_id, {"text": text} if text else {})
        file_name, file_bytes = content.pop("file", ("", b""))
        self._record(
            SentMessage(
                chat_id,
                method,
                text,
                _buttons(params),
                file_name=file_name,
                file_bytes=file_bytes,
                message_id=message["message_id"],
                force_reply=bool(_markup(params).get("force_reply")),
            )
        )
        return {**message, **content}

    def _edit(self, params: dict[str, Any], *, text: str | None = None) -> Any:
        """An edit of a message the bot sent: the demo shows the new version (quietly
        when only buttons were removed)."""
        if "inline_message_id" in params:
            return True
        message_id = int(params["message_id"])
        old = self.message_by_id(message_id)
        new = SentMessage(
            int(params["chat_id"]),
            "editMessageText" if text is not None else "editMessageReplyMarkup",
            text if text is not None else (old.text if old else ""),
            _buttons(params),
            message_id=message_id,
        )
        self._record(new)
        return {
            "message_id": message_id,
            "date": int(time.time()),
            "edit_date": int(time.time()),
            "chat": {"id": new.chat_id, "type": "private"},
            "from": BOT_USER,
            "text": new.text or "…",
        }


def live_buttons(
    api: LocalBotAPI, *, chat_id: int | None = None
) -> tuple[int, list[tuple[str, str]]] | None:
    """The newest message (in ``chat_id``, else any chat) whose buttons are still there:
    its id and buttons."""
    for message in reversed(api.sent):
        if message.method == "answerCallbackQuery" or not message.message_id:
            continue
        if chat_id is not None and message.chat_id != chat_id:
            continue
        newest = api.message_by_id(message.message_id)
        if newest is not None and newest.buttons:
            return message.message_id, newest.buttons
    return None


def replying_to(api: LocalBotAPI, *, chat_id: int) -> dict[str, Any] | None:
    """The bot's newest message in the chat when it asked for a reply (``ForceReply``), as
    the ``reply_to_message`` a Telegram client attaches to what is typed next; else None."""
    newest = next((m for m in reversed(api.sent) if m.chat_id == chat_id and m.message_id), None)
    if newest is None or not newest.force_reply:
        return None
    chat = {"id": chat_id, "type": "private"}
    return {"message_id": newest.message_id, "date": int(time.time()), "chat": chat,
            "from": BOT_USER, "text": newest.text}  # fmt: skip


def _markup(params: dict[str, Any]) -> dict[str, Any]:
    markup = params.get("reply_markup") or {}
    return json.loads(markup) if isinstance(markup, str) else dict(markup)


def _buttons(params: dict[str, Any]) -> list[tuple[str, str]]:
    markup = _markup(params)
    return [
        (str(button["text"]), _data(button))
        for row in markup.get("inline_keyboard", [])
        for button in row
    ]


LINK = "link:"
"""The data the demo gives a button that opens a page (``url``, ``web_app``) instead of
calling back: pressing it says where it leads."""


def _data(button: dict[str, Any]) -> str:
    if "callback_data" in button:
        return str(button["callback_data"])
    page = button.get("url") or (button.get("web_app") or {}).get("url") or ""
    return f"{LINK}{page}"


def _upload(data: RequestData | None, field_name: str) -> tuple[str, bytes]:
    """The file PTB attached under ``field_name`` (a name and its bytes), if any."""
    if data is None or not data.multipart_data or field_name not in data.multipart_data:
        return "", b""
    name, raw, *_ = data.multipart_data[field_name]
    return str(name), bytes(raw if isinstance(raw, bytes) else raw.read())


def _send_message(api: LocalBotAPI, params: dict[str, Any], _data: Any) -> Any:
    return api._send(params, "sendMessage", str(params["text"]))


def _send_document(api: LocalBotAPI, params: dict[str, Any], data: Any) -> Any:
    upload = _upload(data, "document")
    number = len(api.sent)
    document = {"file_id": f"doc{number}", "file_unique_id": f"u{number}"}
    caption = str(params.get("caption", ""))
    return api._send(params, "sendDocument", caption, file=upload, document=document)


def _send_photo(api: LocalBotAPI, params: dict[str, Any], data: Any) -> Any:
    upload = _upload(data, "photo")
    number = len(api.sent)
    photo = [{"file_id": f"photo{number}", "file_unique_id": f"p{number}", "width": 1, "height": 1}]
    caption = str(params.get("caption", ""))
    return api._send(params, "sendPhoto", caption, file=upload, photo=photo)


def _send_media_group(api: LocalBotAPI, params: dict[str, Any], data: Any) -> Any:
    media = params.get("media") or []
    if isinstance(media, str):
        media = json.loads(media)
    sent = []
    for number, item in enumerate(media):
        reference = str(item.get("media", ""))
        upload = _upload(data, reference.removeprefix("attach://"))
        single = {"chat_id": params["chat_id"]}
        document = {"file_id": f"media{len(api.sent)}", "file_unique_id": f"m{number}"}
        caption = str(item.get("caption", ""))
        sent.append(api._send(single, "sendMediaGroup", caption, file=upload, document=document))
    return sent


def _answer_callback_query(api: LocalBotAPI, params: dict[str, Any], _data: Any) -> Any:
    text = params.get("text")
    if text:
        api._record(SentMessage(0, "answerCallbackQuery", str(text)))
    return True


def _get_file(api: LocalBotAPI, params: dict[str, Any], _data: Any) -> Any:
    file_id = str(params["file_id"])
    return {
        "file_id": file_id,
        "file_unique_id": file_id[-8:],
        "file_size": len(api.files.get(file_id, b"")),
        "file_path": file_id,
    }


def _get_chat_member(_api: LocalBotAPI, params: dict[str, Any], _data: Any) -> Any:
    """Offline there are only private chats, where the user is a plain member."""
    user = {"id": int(params["user_id"]), "is_bot": False, "first_name": "You"}
    return {"status": "member", "user": user}


def _true(_api: LocalBotAPI, _params: dict[str, Any], _data: Any) -> Any:
    return True


SERVED: dict[str, Handler] = {
    "getMe": lambda api, params, data: BOT_USER,
    "getUpdates": lambda api, params, data: [],
    "getWebhookInfo": lambda api, params, data: {"url": "", "pending_update_count": 0},
    "getMyCommands": lambda api, params, data: [],
    "setWebhook": _true,
    "deleteWebhook": _true,
    "setMyCommands": _true,
    "deleteMyCommands": _true,
    "setChatMenuButton": _true,
    "sendChatAction": _true,
    "deleteMessage": _true,
    "close": _true,
    "logOut": _true,
    "sendMessage": _send_message,
    "sendDocument": _send_document,
    "sendPhoto": _send_photo,
    "sendMediaGroup": _send_media_group,
    "editMessageText": lambda api, params, data: api._edit(params, text=str(params["text"])),
    "editMessageReplyMarkup": lambda api, params, data: api._edit(params),
    "answerCallbackQuery": _answer_callback_query,
    "getFile": _get_file,
    "getChatMember": _get_chat_member,
}
"""Bot API method → how it is played; the offline demo and the benchmarks need these."""


def _params(request_data: RequestData | None) -> dict[str, Any]:
    return dict(request_data.parameters) if request_data is not None else {}


def _error(code: int, description: str) -> tuple[int, bytes]:
    body = {"ok": False, "error_code": code, "description": description}
    return code, json.dumps(body).encode()
