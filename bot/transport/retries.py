"""Bounded retries for the bot's Bot API calls: replies survive short Telegram faults.

Why a rate limiter and not a retrying ``BaseRequest``: PTB hands a ``BaseRateLimiter``
each call with its Bot API method and parameters, after PTB has turned the HTTP outcome
into its error types (``RetryAfter`` for 429, ``NetworkError`` for 5xx, ``TimedOut``,
with the httpx exception as the cause). So the policy can depend on the method, and
polling (``getUpdates``, which PTB's updater already retries in its own loop) is left
alone. A request wrapper would see raw status codes but not which call it serves.

Why not the pacing limiter's own retries: ``AIORateLimiter``'s cover 429 only
(``max_retries``, default 0), and while one request waits out its ``retry_after`` it pauses
*every* request of the bot (PTB issue #5338), so one chat's flood limit stalls all sellers.
Here the inner limiter only paces, with its retries off: in the bot that is the outbox's
``ReplyRateLimiter`` (``max_retries=0``, the reply lane of the shared ``SendLimiter``,
``bot.app``); without one given, an ``AIORateLimiter`` with ``max_retries=0``. A 429 makes
only the request that got it wait.

Bulk sends are not retried here. The outbox sender marks its requests
``rate_limit_args=PASS_THROUGH``: it took their slot from the ``SendLimiter`` itself and
has its own retry policy (a 429 moves that chat's turn and, in a burst, pauses the bulk
lane; a 5xx is retried later with backoff, each retry taking a new slot). Retrying them
here as well would resend without a slot, hide every 429 from that policy, and hold a
sender worker for up to 45 s. So such a request is made once and its error raised.

What is retried, up to ``attempts`` times with doubling delays (capped): by default 8
attempts, 1 s doubling to 10 s, about 45 s in all, so a 30 s outage is ridden out. The
seller's later updates wait behind the retrying one (per-seller order is kept).

- 429: after Telegram's ``retry_after`` (capped at ``max_retry_after``).
- 5xx answers and failures to connect: Telegram did not act on the request.
- A timeout or a connection lost after the request was sent is *ambiguous*: Telegram
  may have delivered the message and only the answer was lost. Idempotent calls (edits,
  ``answerCallbackQuery``, reads, settings) are retried; a ``send*`` is not, because
  resending would show the seller the same reply twice. It is logged as possibly
  undelivered instead.

An edit Telegram answers 400 "message is not modified" already shows what was asked (an
admin tapped the page they are on, or a filter already ticked): it is answered as done
(``True``, as Telegram answers an inline message's edit), here once for every edit of
every handler, instead of each handler catching it.

Anything else (400, 403, an invalid token) is not a passing fault and is raised at once.
When the retries are spent, the last error is raised; the caller logs it (see
``bot.sellers.dialog.send``) and never answers it with another message.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import httpx
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import AIORateLimiter, BaseRateLimiter

from bot.platform import metrics

log = logging.getLogger(__name__)
__all__ = [
    "LIFECYCLE",
    "PASS_THROUGH",
    "RetryingRateLimiter",
    "is_delivery_fault",
    "is_send",
    "retryable",
]

Sleep = Callable[[float], Awaitable[None]]
Result = bool | dict[str, Any] | list[dict[str, Any]]
# httpx failures that happen before the request reaches Telegram: always safe to repeat.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def is_send(endpoint: str) -> bool:
    """A call that puts a new message in a chat: repeating it could duplicate the message."""
    return endpoint.lower().startswith(("send", "forward", "copy"))


def is_delivery_fault(error: BaseException | None) -> bool:
    """Telegram could not be reached or would not take a message for reasons that are not
    a bug of ours (``BadRequest`` is one: the request itself was wrong)."""
    return isinstance(error, NetworkError | RetryAfter | Forbidden) and not isinstance(
        error, BadRequest
    )


def retryable(error: Exception, endpoint: str) -> bool:
    """Whether another attempt can help and cannot duplicate what the seller sees."""
    if isinstance(error, RetryAfter):
        return True
    if not isinstance(error, NetworkError) or isinstance(error, BadRequest):
        return False  # BadRequest, Forbidden, InvalidToken, Conflict: the same again
    cause = error.__cause__
    if not isinstance(cause, httpx.HTTPError):
        return True  # PTB raised it for a 5xx answer: Telegram did not act on the call
    if isinstance(cause, _NOT_SENT):
        return True
    return not is_send(endpoint)  # sent, but the answer was lost: Telegram may have acted


def is_unmodified(error: Exception, endpoint: str) -> bool:
    """An edit to what the message already shows: nothing to do, nothing went wrong."""
    return (
        isinstance(error, BadRequest)
        and endpoint.lower().startswith("edit")
        and "message is not modified" in error.message.lower()
    )


def _retry_after_seconds(error: RetryAfter) -> float:
    # ``retry_after`` is int or timedelta depending on PTB's deprecation switch; read the
    # timedelta PTB keeps, as its own AIORateLimiter does.
    value = error._retry_after
    return float(value.total_seconds()) + 0.1


PASS_THROUGH = -1
"""``rate_limit_args`` of a request whose caller paces and retries it itself (the outbox
sender's): no limiter waits for it, none retries it."""


async def _counted(call: Callable[[], Awaitable[Result]], endpoint: str) -> Result:
    """One attempt; a Telegram error is counted (``bot_telegram_errors``) and raised."""
    try:
        return await call()
    except TelegramError as error:
        retry_after = _retry_after_seconds(error) if isinstance(error, RetryAfter) else None
        metrics.bot_api_error(endpoint, error, retry_after)
        raise


LIFECYCLE = frozenset({"getUpdates", "getMe", "setWebhook", "deleteWebhook", "close", "logOut"})
"""Calls retried by the updater's loop or the start-up schedule, never here as well."""


class RetryingRateLimiter(BaseRateLimiter[int]):
    """The bot-wide pace of ``AIORateLimiter`` plus bounded, method-aware retries."""

    def __init__(
        self,
        overall_max_rate: float,
        *,
        attempts: int = 8,
        first_delay: float = 1.0,
        max_delay: float = 10.0,
        max_retry_after: float = 60.0,
        sleep: Sleep = asyncio.sleep,
        inner: BaseRateLimiter[int] | None = None,
    ) -> None:
        # ``inner`` paces the calls (the outbox's shared limiter puts replies first); it
        # must not retry itself: the retries, and their policy, are this class's.
        self._inner = inner or AIORateLimiter(overall_max_rate=overall_max_rate, max_retries=0)
        self.attempts = attempts
        self.first_delay = first_delay
        self.max_delay = max_delay
        self.max_retry_after = max_retry_after
        self._sleep = sleep

    @property
    def inner(self) -> BaseRateLimiter[int]:
        """The limiter that paces the calls (retries are this class's)."""
        return self._inner

    async def initialize(self) -> None:
        await self._inner.initialize()

    async def shutdown(self) -> None:
        await self._inner.shutdown()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        """Run the call through the inner limiter; retry passing faults (module doc)."""
        call = functools.partial(
            self._inner.process_request, callback, args, kwargs, endpoint, data, rate_limit_args
        )
        if endpoint in LIFECYCLE or rate_limit_args == PASS_THROUGH:
            # polling and start-up have retry loops of their own; so has the outbox
            return await _counted(call, endpoint)
        delay = self.first_delay
        for attempt in range(1, self.attempts + 1):
            try:
                return await _counted(call, endpoint)
            except (RetryAfter, NetworkError) as error:
                if is_unmodified(error, endpoint):
                    return True
                if not retryable(error, endpoint):
                    if is_delivery_fault(error) and is_send(endpoint):
                        log.warning(
                            "%s may have been delivered; not sent again: %s",
                            endpoint,
                            type(error).__name__,
                        )
                    raise
                if attempt == self.attempts:
                    log.warning(
                        "%s failed %d times, giving up: %s",
                        endpoint,
                        attempt,
                        type(error).__name__,
                    )
                    raise
                wait = delay
                if isinstance(error, RetryAfter):
                    wait = min(_retry_after_seconds(error), self.max_retry_after)
                log.info(
                    "%s failed (%s); attempt %d of %d in %.2fs",
                    endpoint,
                    type(error).__name__,
                    attempt + 1,
                    self.attempts,
                    wait,
                )
                await self._sleep(wait)
                delay = min(delay * 2, self.max_delay)
        raise AssertionError("unreachable")
