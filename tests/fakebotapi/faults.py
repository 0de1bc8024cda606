"""A fake Bot API that misbehaves for a while, as Telegram does in an outage.

``FaultyBotAPI`` is the fake Bot API plus a fault window: from ``start_faults`` for the
given seconds, every call (``getUpdates`` included, unless ``methods`` narrows it) meets
one of these, then the server is well again::

    async with FaultyBotAPI() as api:
        api.start_faults("502", seconds=1.5)

- ``"500"``: ``{"ok": false, "error_code": 500}``; nothing is applied.
- ``"502"``: the front proxy's HTML "502 Bad Gateway"; nothing is applied.
- ``"timeout"``: no answer until the client gives up; nothing is applied.
- ``"lost"``: the call *is* applied (a message is sent and recorded), but the answer never
  comes: the client times out, as when Telegram's answer is lost on the way back.

Kept apart from ``server`` so other kinds of faults (rate limits) can grow beside it.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Literal

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from tests.fakebotapi.decoding import disconnected
from tests.fakebotapi.rules import BotAPIError
from tests.fakebotapi.server import FakeBotAPI

__all__ = ["FaultMode", "FaultyBotAPI"]

FaultMode = Literal["500", "502", "timeout", "lost"]
HANG_LIMIT = 30.0  # a hung answer is given up after this, in case the client never hangs up


class FaultyBotAPI(FakeBotAPI):
    """The fake Bot API with a fault window (see the module doc)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fault_mode: FaultMode | None = None
        self.faults_until = 0.0
        self.fault_methods: frozenset[str] | None = None
        self.faulted_calls = 0

    def start_faults(
        self, mode: FaultMode, *, seconds: float, methods: frozenset[str] | None = None
    ) -> None:
        """Misbehave as ``mode`` for ``seconds`` from now (for ``methods`` only, if given)."""
        self.fault_mode = mode
        self.faults_until = asyncio.get_running_loop().time() + seconds
        self.fault_methods = None if methods is None else frozenset(m.lower() for m in methods)

    def _faulty(self, method: str) -> FaultMode | None:
        if self.fault_mode is None or asyncio.get_running_loop().time() >= self.faults_until:
            return None
        if self.fault_methods is not None and method.lower() not in self.fault_methods:
            return None
        return self.fault_mode

    async def _api_endpoint(self, request: Request) -> Response:
        mode = self._faulty(request.path_params["method"])
        if mode is None:
            return await super()._api_endpoint(request)
        self.faulted_calls += 1
        if mode == "500":
            return BotAPIError(500, "Internal Server Error").response()
        if mode == "502":
            body = "<html><head><title>502 Bad Gateway</title></head></html>"
            return HTMLResponse(body, status_code=502)
        if mode == "lost":
            await super()._api_endpoint(request)  # applied and recorded; the answer is lost
        await _hang(request)
        return BotAPIError(504, "Gateway Timeout").response()  # nobody is listening any more


async def _hang(request: Request) -> None:
    """Wait until the client hangs up (or ``HANG_LIMIT``)."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(disconnected(request), HANG_LIMIT)
