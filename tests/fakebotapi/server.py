"""FakeBotAPI: the server's lifecycle, routing, recorded calls, waiting and fault injection."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fakebotapi.decoding import Req, disconnected, read_params
from tests.fakebotapi.housekeeping import HousekeepingMethods
from tests.fakebotapi.members import MemberMethods
from tests.fakebotapi.messages import MessageMethods
from tests.fakebotapi.records import Call
from tests.fakebotapi.rules import DEFAULT_DESCRIPTIONS, BotAPIError
from tests.fakebotapi.traffic import Traffic
from tests.fakebotapi.updates import UpdateMethods

if TYPE_CHECKING:
    from types import TracebackType

__all__ = ["DEFAULT_TOKEN", "FakeBotAPI"]

DEFAULT_TOKEN = "123456789:AAFakeTokenForTestsOnly-0123456789abcd"

_DELIVERY_METHODS = frozenset(
    {
        "sendMessage",
        "sendDocument",
        "sendPhoto",
        "sendMediaGroup",
        "editMessageText",
        "editMessageReplyMarkup",
    }
)


@dataclass
class _Fault:
    method: str
    error: BotAPIError
    chat_id: int | str | None
    remaining: int


class FakeBotAPI(MessageMethods, MemberMethods, UpdateMethods, HousekeepingMethods):
    """The fake server and its state; ``async with`` starts and stops it in the running loop."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_username: str = "ShopOnboardingTestBot",
        bot_first_name: str = "Shop Onboarding",
    ) -> None:
        super().__init__(token, bot_username=bot_username, bot_first_name=bot_first_name)
        self.calls: list[Call] = []
        self.polls = 0  # getUpdates requests; kept out of `calls` so calls[-1] is never a poll
        self._faults: list[_Fault] = []
        self.traffic: Traffic | None = None  # flood limits and random faults (off by default)
        self._server: uvicorn.Server | None = None
        self._internal_errors: list[BaseException] = []
        self.url = ""
        handlers: dict[str, Callable[[Req], Awaitable[Any]]] = {
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
            "sendMediaGroup": self._send_media_group,
            "getChatMember": self._get_chat_member,
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
            template = DEFAULT_DESCRIPTIONS.get(error_code, f"Error {error_code}")
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
            params, files = await read_params(request)
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
            if self.traffic is not None:
                await self.traffic.check(method, params)
            result = await handler(Req(params, files, lambda: disconnected(request)))
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
