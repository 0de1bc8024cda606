"""Each update timed, counted and logged once: kind, handler, duration, outcome.

``UpdateTracer.run`` wraps the handling of one update (``bot.transport.ordering`` calls it
around PTB's ``process_update``, so the time includes the wait for the seller's turn and
every reply sent: receipt to reply). It sets the ``UpdateTrace`` that log lines carry,
then counts ``bot_updates`` by kind and outcome, observes ``bot_update_seconds`` and logs
one ``update handled`` line. ``name_handlers`` makes each handler callback write its name
into the trace; ``bot.transport.errors.on_error`` writes the outcome of a failure.
"""

from __future__ import annotations

import functools
import logging
import secrets
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.ext import Application, BaseHandler

from bot.platform import metrics
from bot.platform.update_trace import CURRENT, UpdateTrace

__all__ = ["UpdateTracer", "kind_of", "name_handlers"]
log = logging.getLogger(__name__)
_KINDS = tuple(Update.ALL_TYPES)


def kind_of(update: object) -> str:
    """The update's kind, Telegram's field name (``message``, ``callback_query``, ...)."""
    if isinstance(update, Update):
        for kind in _KINDS:
            if getattr(update, kind, None) is not None:
                return kind
    return "other"


class UpdateTracer:
    """Times, counts and logs updates; ``key`` keys the sellers' pseudonyms."""

    def __init__(self, key: bytes | None = None) -> None:
        # Without the bot's key, a random one: pseudonyms then hold for this process only.
        self._key = key or secrets.token_bytes(32)

    def trace_for(self, update: object) -> UpdateTrace:
        update_id = update.update_id if isinstance(update, Update) else None
        user = update.effective_user if isinstance(update, Update) else None
        return UpdateTrace(update_id, user.id if user else None, kind_of(update), self._key)

    async def run(self, update: object, handling: Awaitable[Any]) -> None:
        """Await ``handling`` inside the update's trace; count, time and log it."""
        trace = self.trace_for(update)
        token = CURRENT.set(trace)
        began = time.perf_counter()
        try:
            await handling
        except BaseException:
            trace.outcome = "error"
            raise
        finally:
            seconds = time.perf_counter() - began
            if trace.handler is None and trace.outcome == "ok":
                trace.outcome = "unhandled"
            _counter(trace.kind, trace.outcome).inc()
            _timer(trace.kind).observe(seconds)
            if log.isEnabledFor(logging.INFO):
                log.info(
                    "update %s (%s) handled by %s in %.1f ms: %s",
                    trace.update_id,
                    trace.kind,
                    trace.handler,
                    seconds * 1000,
                    trace.outcome,
                    extra={"duration_ms": round(seconds * 1000, 3), "outcome": trace.outcome},
                )
            CURRENT.reset(token)


@functools.cache
def _counter(kind: str, outcome: str) -> Any:
    """The ``bot_updates`` series of a kind and outcome (both from small fixed sets): looked
    up once, not through ``labels()``'s lock and checks on every update."""
    return metrics.UPDATES.labels(kind, outcome)


@functools.cache
def _timer(kind: str) -> Any:
    """The ``bot_update_seconds`` series of a kind, looked up once."""
    return metrics.UPDATE_SECONDS.labels(kind)


Callback = Callable[[Any, Any], Coroutine[Any, Any, Any]]
_MARK = "_names_itself_in_the_trace"


def _name_of(callback: Callable[..., Any]) -> str:
    return f"{callback.__module__.rpartition('.')[2]}.{callback.__qualname__}"


def handled_by(callback: Callable[..., Any]) -> None:
    """Name ``callback`` as the handler of the current update: a dispatcher (the admin
    gate) calls it for the handler it picked, so the trace names that one, not itself."""
    trace = CURRENT.get()
    if trace is not None:
        trace.handler = _name_of(callback)


def _named(callback: Callback) -> Callback:
    name = _name_of(callback)

    @functools.wraps(callback)
    async def named(update: Any, context: Any) -> Any:
        trace = CURRENT.get()
        if trace is not None:
            trace.handler = name
        return await callback(update, context)

    named.__dict__[_MARK] = True
    return named


def name_handlers(app: Application) -> None:  # type: ignore[type-arg]
    """Make every registered handler name itself in the trace of the update it takes."""
    for handlers in app.handlers.values():
        for handler in handlers:
            if isinstance(handler, BaseHandler) and _MARK not in vars(handler.callback):
                handler.callback = _named(handler.callback)
