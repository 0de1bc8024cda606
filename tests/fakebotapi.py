"""A fake Telegram Bot API server on 127.0.0.1 for end-to-end tests.

Why a server and not a request double: what breaks in production is the whole
python-telegram-bot stack — the ``Updater``'s long polling, the httpx request layer, multipart
uploads, de-json of every response, file downloads. Tests run that stack unchanged against
this server and never reach Telegram::

    async with FakeBotAPI() as api:
        app = (ApplicationBuilder().token(api.token).base_url(api.base_url)
               .base_file_url(api.base_file_url).build())
        ...  # initialize, start, updater.start_polling(poll_interval=0, timeout=1)
        api.push_update(updates.message_text(ann, "/start"))
        await settle(app, api)
        assert api.sent_to(ann.id)[0].params["text"] == "Welcome"

Modelled as Telegram does it: method names are case-insensitive; a wrong token is 401 and an
unknown method 404 (both JSON errors, so PTB raises ``InvalidToken``); ``getUpdates`` long-polls
and an ``offset`` confirms (forgets) every earlier update; ``getUpdates`` while a webhook is set is
409; ``parse_mode="HTML"`` is parsed with Telegram's rules (unsupported or unbalanced tags are
400 "can't parse entities"); empty or over-long texts, callback data over 64 bytes and an edit
that changes nothing are 400; a returned Message carries only an *inline* ``reply_markup``.

Lenient on purpose, so tests need not stage history: sending to a chat never seen in an update
invents the chat; editing or deleting a message id the fake never sent succeeds.

Not modelled: entities in returned messages, MarkdownV2 validation, media groups, rate limits
(inject them with :meth:`FakeBotAPI.fail_next`).
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import json
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

import uvicorn
from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

if TYPE_CHECKING:
    from types import TracebackType

    from telegram.ext import Application

__all__ = ["DEFAULT_TOKEN", "Call", "FakeBotAPI", "UploadedFile", "settle"]

DEFAULT_TOKEN = "123456789:AAFakeTokenForTestsOnly-0123456789abcd"

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
_DELIVERY_METHODS = frozenset(
    {"sendMessage", "sendDocument", "sendPhoto", "editMessageText", "editMessageReplyMarkup"}
)
_DEFAULT_DESCRIPTIONS = {
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
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_MAX_TEXT, _MAX_CAPTION, _MAX_CALLBACK_DATA = 4096, 1024, 64
_MAX_DOWNLOAD = 20 * 1024 * 1024


@dataclass(frozen=True)
class UploadedFile:
    """One multipart file part of a call, as the bot uploaded it."""

    filename: str | None
    content_type: str | None
    data: bytes


@dataclass(frozen=True)
class Call:
    """One Bot API call the bot made: decoded params, uploads, and what the fake answered."""

    method: str
    params: dict[str, Any]
    files: dict[str, UploadedFile] = field(default_factory=dict)
    result: Any = None
    error_code: int | None = None
    description: str | None = None

    @property
    def ok(self) -> bool:
        return self.error_code is None

    @property
    def chat_id(self) -> Any:
        return self.params.get("chat_id")

    @property
    def text(self) -> str | None:
        """The text or caption as the bot sent it (raw, markup included)."""
        return self.params.get("text", self.params.get("caption"))

    @property
    def inline_keyboard(self) -> list[list[dict[str, Any]]]:
        markup = self.params.get("reply_markup") or {}
        return list(markup.get("inline_keyboard", []))


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


@dataclass
class _Fault:
    method: str
    error: BotAPIError
    chat_id: int | str | None
    remaining: int


@dataclass(frozen=True)
class _StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes


@dataclass(frozen=True)
class _Req:
    params: dict[str, Any]
    files: dict[str, UploadedFile]
    disconnected: Callable[[], Awaitable[None]]


class FakeBotAPI:
    """The fake server and its state; ``async with`` starts and stops it in the running loop."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_username: str = "ShopOnboardingTestBot",
        bot_first_name: str = "Shop Onboarding",
    ) -> None:
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.calls: list[Call] = []
        self.polls = 0  # getUpdates requests; kept out of `calls` so calls[-1] is never a poll
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
        self._files: dict[str, _StoredFile] = {}
        self._file_numbers = itertools.count(1)
        self._faults: list[_Fault] = []
        self._waiters: set[asyncio.Event] = set()
        self._closing = False
        self._server: uvicorn.Server | None = None
        self._internal_errors: list[BaseException] = []
        self.url = ""
        handlers: dict[str, Callable[[_Req], Awaitable[Any]]] = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "setMyCommands": self._set_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "getMyCommands": self._get_my_commands,
            "setChatMenuButton": self._set_chat_menu_button,
            "getChatMenuButton": self._get_chat_menu_button,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "answerCallbackQuery": self._true,
            "sendChatAction": self._true,
            "sendDocument": self._send_document,
            "sendPhoto": self._send_photo,
            "getFile": self._get_file,
            "deleteMessage": self._delete_message,
            "close": self._true,
            "logOut": self._true,
        }
        self._methods = {name.lower(): (name, fn) for name, fn in handlers.items()}

    # -- lifecycle ---------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url``; PTB appends the token."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.url}/file/bot"

    @property
    def bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    async def __aenter__(self) -> FakeBotAPI:
        app = Starlette(
            routes=[
                Route("/bot{token}/{method}", self._api_endpoint, methods=["GET", "POST"]),
                Route("/file/bot{token}/{file_path:path}", self._file_endpoint, methods=["GET"]),
            ]
        )
        # log_config=None: uvicorn must not dictConfig the test process's logging.
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=0,
            log_config=None,
            log_level="warning",
            access_log=False,
            lifespan="off",
            http="h11",
            ws="none",
        )
        config.load()
        server = uvicorn.Server(config)
        # startup()/our own stop instead of serve(): serve() installs signal handlers and its
        # shutdown sleeps in 0.1 s steps, which every test would pay.
        server.lifespan = config.lifespan_class(config)
        await server.startup()
        self._server = server
        port = server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._stop()
        if self._internal_errors and exc is None:
            raise RuntimeError("the fake Bot API failed; fix the fake") from self._internal_errors[
                0
            ]

    async def _stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        self._closing = True
        self._notify()  # long polls return now instead of at their timeout
        for listener in server.servers:
            listener.close()
        state = server.server_state
        for connection in list(state.connections):
            connection.shutdown()  # idle keep-alive: close now; busy: close after the response
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 2.0
        while (state.connections or state.tasks) and loop.time() < deadline:
            await asyncio.sleep(0.002)
        for task in list(state.tasks):
            task.cancel()
        await asyncio.gather(*state.tasks, return_exceptions=True)
        for listener in server.servers:
            await listener.wait_closed()

    # -- what tests call ---------------------------------------------------------------------

    def push_update(self, update: Mapping[str, Any]) -> int:
        """Queue a copy of ``update`` for getUpdates under a fresh, increasing update_id."""
        update_id = next(self._update_ids)
        stored = {**copy.deepcopy(dict(update)), "update_id": update_id}
        self._learn(stored)
        self._updates.append(stored)
        self._last_update_id = update_id
        self._notify()
        return update_id

    @property
    def last_update_id(self) -> int | None:
        return self._last_update_id

    async def wait_fetched(self, update_id: int, *, timeout: float = 5.0) -> None:
        """Return once a getUpdates call confirmed ``update_id`` (arrived with offset > it).

        Confirmation, not the response that carried the update, is the signal: PTB's updater
        puts fetched updates on ``Application.update_queue`` *before* it polls again with the
        next offset, so after this returns the update is queued in the app (see :func:`settle`).
        """
        if not await self._wait_until(lambda: self._confirmed_below > update_id, timeout):
            raise TimeoutError(
                f"update {update_id} was not fetched and confirmed within {timeout}s "
                f"(getUpdates polls so far: {self.polls}); is the updater polling?"
            )

    def add_file(
        self,
        file_id: str,
        data: bytes,
        *,
        file_path: str | None = None,
        file_unique_id: str | None = None,
    ) -> None:
        """Make ``file_id`` downloadable (getFile + /file/bot<token>/<file_path>)."""
        number = next(self._file_numbers)
        self._files[file_id] = _StoredFile(
            file_id=file_id,
            file_unique_id=file_unique_id or f"AgAD{number:06d}",
            file_path=file_path or f"documents/file_{number}",
            data=bytes(data),
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

    def fail_next(
        self,
        method: str,
        *,
        error_code: int = 429,
        description: str | None = None,
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
        chat_id: int | str | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` (to ``chat_id`` if given) with an error.

        429 without ``retry_after`` gets 1 s, as Telegram always sends one; 403 defaults to
        "Forbidden: bot was blocked by the user".
        """
        known = self._methods.get(method.lower())
        if known is None:
            raise ValueError(f"fail_next: the fake does not implement {method!r}")
        if error_code == 429 and retry_after is None:
            retry_after = 1
        if description is None:
            template = _DEFAULT_DESCRIPTIONS.get(error_code, f"Error {error_code}")
            description = template.format(retry_after=retry_after)
        error = BotAPIError(
            error_code,
            description,
            retry_after=retry_after,
            migrate_to_chat_id=migrate_to_chat_id,
        )
        self._faults.append(_Fault(known[0], error, chat_id, times))

    def calls_to(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    def sent_to(self, chat_id: int) -> list[Call]:
        """Successful sends and edits to ``chat_id``, in order (failed attempts left out)."""
        return [
            call
            for call in self.calls
            if call.ok and call.method in _DELIVERY_METHODS and call.chat_id == chat_id
        ]

    @property
    def unknown_calls(self) -> list[Call]:
        """Calls of methods the fake does not implement (answered 404)."""
        return [call for call in self.calls if call.error_code == 404]

    async def wait_for(
        self, predicate: Callable[[Call], bool], *, timeout: float = 5.0, after: int = 0
    ) -> Call:
        """The first recorded call from index ``after`` on that matches, waiting if needed."""
        found: list[Call] = []

        def match() -> bool:
            found.extend(call for call in self.calls[after:] if predicate(call))
            return bool(found)

        if not await self._wait_until(match, timeout):
            seen = ", ".join(call.method for call in self.calls[after:]) or "none"
            raise TimeoutError(f"no call matched within {timeout}s; calls since {after}: {seen}")
        return found[0]

    # -- plumbing ----------------------------------------------------------------------------

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
                if kind != "my_chat_member" and "message_id" in message:
                    last = self._last_message_id.get(int(chat["id"]), 0)
                    self._last_message_id[int(chat["id"])] = max(last, int(message["message_id"]))

    def _record(self, call: Call) -> None:
        self.calls.append(call)
        self._notify()

    def _take_fault(self, method: str, params: dict[str, Any]) -> BotAPIError | None:
        for fault in self._faults:
            if fault.method == method and fault.chat_id in (None, params.get("chat_id")):
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
                return fault.error
        return None

    async def _api_endpoint(self, request: Request) -> Response:
        if request.path_params["token"] != self.token:
            return BotAPIError(401, "Unauthorized").response()
        name = request.path_params["method"]
        try:
            params, files = await _read_params(request)
        except ValueError as exc:
            return BotAPIError(400, f"Bad Request: {exc}").response()
        known = self._methods.get(name.lower())
        if known is None:
            self._record(Call(name, params, files, error_code=404, description="Not Found"))
            return BotAPIError(404, "Not Found").response()
        method, handler = known
        if method == "getUpdates":
            self.polls += 1
        try:
            if error := self._take_fault(method, params):
                raise error
            result = await handler(_Req(params, files, lambda: _disconnected(request)))
        except BotAPIError as error:
            if method != "getUpdates":
                self._record(Call(method, params, files, None, error.error_code, str(error)))
            return error.response()
        except Exception as exc:  # a bug in the fake: fail the test at __aexit__, answer 500
            self._internal_errors.append(exc)
            return BotAPIError(500, f"Internal Server Error: fake bug {exc!r}").response()
        if method != "getUpdates":
            self._record(Call(method, params, files, copy.deepcopy(result)))
        return JSONResponse({"ok": True, "result": result})

    async def _file_endpoint(self, request: Request) -> Response:
        if request.path_params["token"] != self.token:
            return BotAPIError(401, "Unauthorized").response()
        path = request.path_params["file_path"]
        for stored in self._files.values():
            if stored.file_path == path:
                return Response(stored.data, media_type="application/octet-stream")
        return BotAPIError(404, "Not Found").response()

    # -- messages ----------------------------------------------------------------------------

    def _now(self) -> int:
        return int(time.time())

    def _chat(self, chat_id: Any) -> dict[str, Any]:
        if not isinstance(chat_id, int):
            raise BotAPIError(400, "Bad Request: chat not found")
        if chat_id not in self._chats:
            if chat_id > 0:
                self._chats[chat_id] = {"id": chat_id, "first_name": "User", "type": "private"}
            else:
                kind = "supergroup" if chat_id < -1_000_000_000_000 else "group"
                self._chats[chat_id] = {"id": chat_id, "title": "Group", "type": kind}
        return dict(self._chats[chat_id])

    def _store(self, chat_id: int, content: dict[str, Any], raw: dict[str, Any]) -> Any:
        message = {
            "message_id": self.next_message_id(chat_id),
            "from": self.bot_user,
            "chat": self._chat(chat_id),
            "date": self._now(),
            **content,
        }
        key = (chat_id, message["message_id"])
        self._messages[key], self._raw[key] = message, raw
        return message

    def _target(self, p: dict[str, Any], missing: str) -> tuple[int, int] | None:
        """The (chat, message) an edit addresses; None for inline messages (answer True)."""
        if p.get("inline_message_id"):
            return None
        chat_id: int = self._chat(p.get("chat_id"))["id"]
        message_id = p.get("message_id")
        if not isinstance(message_id, int) or (chat_id, message_id) in self._deleted:
            raise BotAPIError(400, f"Bad Request: {missing}")
        return chat_id, message_id

    def _edit(self, key: tuple[int, int], content: dict[str, Any], raw: dict[str, Any]) -> Any:
        if self._raw.get(key) == raw:
            raise BotAPIError(
                400,
                "Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message",
            )
        message = self._messages.get(key) or {
            "message_id": key[1],
            "from": self.bot_user,
            "chat": self._chat(key[0]),
            "date": self._now(),
        }
        message = {k: v for k, v in message.items() if k not in content and k != "reply_markup"}
        message.update(content, edit_date=self._now())
        self._messages[key], self._raw[key] = message, raw
        return message

    async def _send_message(self, req: _Req) -> Any:
        p = req.params
        self._chat(p.get("chat_id"))
        text = _rendered(p.get("text"), p.get("parse_mode"), _MAX_TEXT, "message is too long")
        if not text.strip():
            raise BotAPIError(400, "Bad Request: message text is empty")
        content = {"text": text, **_inline_markup(p.get("reply_markup"))}
        return self._store(p["chat_id"], content, _raw(p))

    async def _edit_message_text(self, req: _Req) -> Any:
        p = req.params
        key = self._target(p, "message to edit not found")
        text = _rendered(p.get("text"), p.get("parse_mode"), _MAX_TEXT, "message is too long")
        if not text.strip():
            raise BotAPIError(400, "Bad Request: message text is empty")
        if key is None:
            return True
        if "text" not in self._messages.get(key, {"text": ""}):
            raise BotAPIError(400, "Bad Request: there is no text in the message to edit")
        content = {"text": text, **_inline_markup(p.get("reply_markup"))}
        return self._edit(key, content, _raw(p))

    async def _edit_message_reply_markup(self, req: _Req) -> Any:
        p = req.params
        key = self._target(p, "message to edit not found")
        markup = _inline_markup(p.get("reply_markup"))
        if key is None:
            return True
        raw = {**self._raw.get(key, {}), "reply_markup": p.get("reply_markup")}
        return self._edit(key, markup, raw)

    async def _delete_message(self, req: _Req) -> Any:
        key = self._target(req.params, "message to delete not found")
        if key is not None:
            self._deleted.add(key)
            self._messages.pop(key, None)
        return True

    async def _send_document(self, req: _Req) -> Any:
        p = req.params
        self._chat(p.get("chat_id"))
        stored = self._media(req, "document", "documents")
        upload = req.files.get("document")
        document = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_name": (upload.filename if upload else None)
            or PurePosixPath(stored.file_path).name,
        }
        if upload and upload.content_type:
            document["mime_type"] = upload.content_type
        content = {"document": document, **self._caption(p)}
        return self._store(p["chat_id"], content, _raw(p))

    async def _send_photo(self, req: _Req) -> Any:
        p = req.params
        self._chat(p.get("chat_id"))
        stored = self._media(req, "photo", "photos")
        # Telegram resizes; the fake cannot, so it reports a thumbnail and the original size.
        sizes = [(90, 68), (1280, 960)]
        photo = [
            {
                "file_id": stored.file_id if i == len(sizes) - 1 else f"{stored.file_id}_{w}",
                "file_unique_id": f"{stored.file_unique_id}{i}",
                "file_size": len(stored.data),
                "width": w,
                "height": h,
            }
            for i, (w, h) in enumerate(sizes)
        ]
        return self._store(p["chat_id"], {"photo": photo, **self._caption(p)}, _raw(p))

    def _media(self, req: _Req, field_name: str, folder: str) -> _StoredFile:
        """The uploaded part (registered so getFile finds it) or a known file_id."""
        upload = req.files.get(field_name)
        if upload is not None:
            number = next(self._file_numbers)
            suffix = PurePosixPath(upload.filename or "").suffix
            file_id = f"{'BQ' if field_name == 'document' else 'Ag'}ACAgIAAxkBAAI{number:06d}"
            self.add_file(file_id, upload.data, file_path=f"{folder}/file_{number}{suffix}")
            return self._files[file_id]
        reference = req.params.get(field_name)
        if not isinstance(reference, str) or not reference:
            raise BotAPIError(400, f"Bad Request: there is no {field_name} in the request")
        if reference.startswith(("http://", "https://")):
            raise BotAPIError(400, "Bad Request: failed to get HTTP URL content")  # no network
        if reference not in self._files:
            raise BotAPIError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        return self._files[reference]

    def _caption(self, p: dict[str, Any]) -> dict[str, Any]:
        content = _inline_markup(p.get("reply_markup"))
        if p.get("caption") is not None:
            content["caption"] = _rendered(
                p["caption"], p.get("parse_mode"), _MAX_CAPTION, "message caption is too long"
            )
        return content

    async def _get_file(self, req: _Req) -> Any:
        stored = self._files.get(req.params.get("file_id"))  # type: ignore[arg-type]
        if stored is None:
            raise BotAPIError(400, "Bad Request: invalid file_id")
        if len(stored.data) > _MAX_DOWNLOAD:
            raise BotAPIError(400, "Bad Request: file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_path": stored.file_path,
        }

    # -- the rest of the surface ---------------------------------------------------------------

    async def _true(self, req: _Req) -> Any:
        return True

    async def _get_me(self, req: _Req) -> Any:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, req: _Req) -> Any:
        if self.webhook_url:
            raise BotAPIError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = int(req.params.get("offset") or 0)
        limit = min(max(int(req.params.get("limit") or 100), 1), 100)
        timeout = min(max(float(req.params.get("timeout") or 0), 0.0), 50.0)
        self._confirm(offset)

        def pending() -> list[dict[str, Any]]:
            return [u for u in self._updates if u["update_id"] >= offset][:limit]

        if not pending() and timeout > 0:
            arrived = asyncio.ensure_future(
                self._wait_until(lambda: bool(pending()) or self._closing, timeout)
            )
            gone = asyncio.ensure_future(req.disconnected())
            await asyncio.wait({arrived, gone}, return_when=asyncio.FIRST_COMPLETED)
            for task in (arrived, gone):
                task.cancel()
            await asyncio.gather(arrived, gone, return_exceptions=True)
            if gone.done() and not gone.cancelled():
                return []  # the client hung up (PTB stopped polling); nobody to hand updates to
        return copy.deepcopy(pending())

    def _confirm(self, offset: int) -> None:
        """Forget updates before ``offset`` as Telegram does; negative keeps the last -offset."""
        if offset < 0:
            kept = self._updates[offset:]
            offset = kept[0]["update_id"] if kept else (self._last_update_id or 0) + 1
        if offset > self._confirmed_below:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            self._confirmed_below = offset
            self._notify()

    async def _set_webhook(self, req: _Req) -> Any:
        url = req.params.get("url") or ""
        if url and not url.startswith("https://"):
            raise BotAPIError(
                400, "Bad Request: bad webhook: HTTPS url must be provided for webhook"
            )
        self.webhook_url = url
        if req.params.get("drop_pending_updates"):
            self._confirm((self._last_update_id or 0) + 1)
        return True

    async def _delete_webhook(self, req: _Req) -> Any:
        self.webhook_url = ""
        if req.params.get("drop_pending_updates"):
            self._confirm((self._last_update_id or 0) + 1)
        return True

    async def _get_webhook_info(self, req: _Req) -> Any:
        info: dict[str, Any] = {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self.webhook_url:
            info["max_connections"] = 40
        return info

    @staticmethod
    def _commands_key(p: dict[str, Any]) -> tuple[str, str]:
        scope = p.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), p.get("language_code") or ""

    async def _set_my_commands(self, req: _Req) -> Any:
        commands = req.params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise BotAPIError(400, "Bad Request: commands must be a list of at most 100")
        for command in commands:
            if not _COMMAND.fullmatch(str(command.get("command", ""))):
                raise BotAPIError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise BotAPIError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[self._commands_key(req.params)] = commands
        return True

    async def _delete_my_commands(self, req: _Req) -> Any:
        self.commands.pop(self._commands_key(req.params), None)
        return True

    async def _get_my_commands(self, req: _Req) -> Any:
        return self.commands.get(self._commands_key(req.params), [])

    async def _set_chat_menu_button(self, req: _Req) -> Any:
        self.menu_buttons[req.params.get("chat_id")] = req.params.get("menu_button") or {
            "type": "default"
        }
        return True

    async def _get_chat_menu_button(self, req: _Req) -> Any:
        return self.menu_buttons.get(req.params.get("chat_id"), {"type": "default"})


# -- request decoding and Telegram's text rules ----------------------------------------------


async def _read_params(request: Request) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
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


def _raw(p: dict[str, Any]) -> dict[str, Any]:
    """What Telegram compares to decide an edit changed nothing."""
    keys = ("text", "caption", "parse_mode", "reply_markup")
    return {key: p.get(key) for key in keys}


def _decode(name: str, value: Any) -> Any:
    if not isinstance(value, str) or name in _STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value  # e.g. chat_id="@channel"


async def _disconnected(request: Request) -> None:
    """Return when the client hangs up (uvicorn sends http.disconnect)."""
    while (await request.receive())["type"] != "http.disconnect":
        pass


def _rendered(text: Any, parse_mode: Any, limit: int, too_long: str) -> str:
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


def _inline_markup(markup: Any) -> dict[str, Any]:
    """The reply_markup a returned Message carries: inline keyboards only, validated."""
    if not isinstance(markup, dict) or "inline_keyboard" not in markup:
        return {}
    for row in markup["inline_keyboard"]:
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= _MAX_CALLBACK_DATA:
                raise BotAPIError(400, "Bad Request: BUTTON_DATA_INVALID")
    return {"reply_markup": markup}


# -- knowing an update was fully processed ---------------------------------------------------


async def settle(
    app: Application[Any, Any, Any, Any, Any, Any],
    api: FakeBotAPI,
    update_id: int | None = None,
    *,
    timeout: float = 5.0,
) -> None:
    """Return once ``app`` has fully processed update ``update_id`` (default: the last pushed).

    Three steps, each closing a gap the previous one leaves (PTB 22.8 internals):

    1. ``api.wait_fetched``: the updater confirmed the update with a later getUpdates offset,
       which it sends only after ``update_queue.put`` of everything it fetched.
    2. ``app.update_queue.join()``: the Application's fetcher calls ``task_done()`` in the
       ``finally`` of ``__process_update_wrapper``, i.e. after the update processor ran every
       blocking handler — also with ``concurrent_updates`` or a custom ``BaseUpdateProcessor``.
    3. Handlers with ``block=False`` and non-blocking error handlers run as tasks PTB names
       ``Application:<bot id>:process_...``; wait until none is left (they may spawn more).

    Work a handler hands to ``app.create_task`` under another name, or to the JobQueue, is not
    update processing: wait for its effect with ``api.wait_for``.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    target = api.last_update_id if update_id is None else update_id
    if target is not None:
        await api.wait_fetched(target, timeout=timeout)
    prefix = f"Application:{app.bot.id}:process_"
    try:
        async with asyncio.timeout_at(deadline):
            await app.update_queue.join()
            while True:
                busy = [
                    task
                    for task in asyncio.all_tasks()
                    if task.get_name().startswith(prefix)
                    and not task.done()
                    and task is not asyncio.current_task()
                ]
                if not busy:
                    return
                await asyncio.wait(busy)
    except TimeoutError:
        raise TimeoutError(
            f"the application did not finish update {target} within {timeout}s "
            f"({app.update_queue.qsize()} still queued); is a handler stuck?"
        ) from None
