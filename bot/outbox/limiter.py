"""Telegram's send limits, enforced in-process, with direct replies ahead of bulk sends.

Limits (Telegram's bot FAQ; all configurable in ``Settings``): bot-wide ≤ 30 messages/s, or
up to 1,000/s for paid broadcasts (``allow_paid_broadcast``); ≤ 1 message/s to one chat for
bulk sends; ≤ 20 messages/min to one group.

Why not PTB's ``AIORateLimiter`` (python-telegram-bot 22.8; ``bench/bench_outbox.py``
measures the first point, ``docs/outbox.md`` has the figures):

- It is a leaky bucket (``aiolimiter``) that lets a full bucket through at once: 90 sends
  at ``overall_max_rate=30`` from a standing start put **59 into the first second**; its
  group limiter lets 40 through in a group's first minute (PTB #3772).
- ``max_retries`` defaults to 0: a 429 is raised, not retried.
- One 429 clears a limiter-wide event: **every** request of the bot waits ``retry_after``,
  direct replies included, and any other request finishing releases that wait early
  (PTB #5338, fixed upstream after 22.8 by PR #5339). With 1 % of sends answered 429 at
  1,000/s, that is ten bot-wide pauses a second.
- It has no notion of priority: a reply to a seller queues behind a 10,000-message broadcast.

So this module is a ``BaseRateLimiter`` of our own. ``SendLimiter`` grants send slots from
one queue per process: a **pacer** (slots ``(1 + margin) / rate`` apart, no burst) and a
**sliding window** of the last ``rate`` grants per ``1 + window_guard`` seconds (never more
than ``rate`` in any second where Telegram counts, however late the event loop wakes).
Waiters are ordered by lane: ``REPLY`` before ``BULK``, first come first served within a
lane, so a direct reply takes the very next slot even while a broadcast drains, and the
broadcast gets the slots left over. A slot free at once with nobody waiting is granted
there and then (a reply to a seller, mostly): the dispatcher task's two hops would change
nothing but cost about 3 % of a seller update's CPU. Sends to one chat are serialized
and its next turn counts from the granted slot, and a chat waits for its turn *before*
joining the bot-wide queue, so one slow chat never holds the others. A 429 moves only that
chat's next turn back by ``retry_after``; only a burst of 429s (Telegram saying the *bot*
is over its limit) pauses the bulk lane.

``ReplyRateLimiter`` puts the Application's own requests (the direct replies) on the
``REPLY`` lane of the same ``SendLimiter``. It can retry a 429 of that one request
(``max_retries``), but in the bot it runs with ``max_retries=0`` inside
``bot.transport.retries.RetryingRateLimiter``, which owns the retries of replies; requests
marked ``PASS_THROUGH`` (the sender's bulk sends, which hold their slot already) pass both
untouched.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
from collections import deque
from collections.abc import Callable, Coroutine
from enum import IntEnum
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot.transport.retries import PASS_THROUGH

log = logging.getLogger(__name__)

__all__ = ["PASS_THROUGH", "Lane", "ReplyRateLimiter", "SendLimiter", "retry_after_seconds"]


class Lane(IntEnum):
    """Who is waiting: lower goes first."""

    REPLY = 0
    BULK = 1


class SendLimiter:
    """Grants send slots under the bot-wide, per-chat and per-group limits (one event loop)."""

    def __init__(
        self,
        per_second: float,
        *,
        chat_interval: float = 1.0,
        group_limit: int = 20,
        group_period: float = 60.0,
        margin: float = 0.02,
        window_guard: float = 0.03,
        flood_threshold: int | None = None,
    ) -> None:
        self.per_second = per_second
        self._interval = (1.0 + margin) / per_second
        self._window_period = 1.0 + window_guard  # absorbs jitter between here and Telegram
        self._window: deque[float] = deque(maxlen=max(1, int(per_second)))
        self._chat_interval = chat_interval
        self._group_limit = group_limit
        self._group_period = group_period
        self._chat_next: dict[int, float] = {}
        self._chat_locks: dict[int, asyncio.Lock] = {}
        self._chat_users: dict[int, int] = {}
        self._groups: dict[int, deque[float]] = {}
        self._next_slot = 0.0
        self._paused_until = 0.0
        self._floods: deque[float] = deque()
        self._flood_threshold = flood_threshold or max(3, int(per_second * 0.05))
        self._waiting: list[tuple[int, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._wakeup: asyncio.Event | None = None
        self._dispatcher: asyncio.Task[None] | None = None
        self.granted = {Lane.REPLY: 0, Lane.BULK: 0}

    async def acquire(self, chat_id: int | None, lane: Lane = Lane.BULK) -> None:
        """Wait for this chat's turn, then for a bot-wide slot (replies first).

        Sends to one chat are serialized, and its next turn counts from the moment the slot
        was granted, so a long bot-wide queue never lets two sends to a chat bunch up.
        A reply to a private chat has no per-chat turn (a conversation may burst).
        """
        loop = asyncio.get_running_loop()
        if chat_id is None or (lane is Lane.REPLY and chat_id > 0):
            await self._slot(lane, loop)
            return
        lock = self._chat_locks.setdefault(chat_id, asyncio.Lock())
        self._chat_users[chat_id] = self._chat_users.get(chat_id, 0) + 1
        try:
            async with lock:
                while (turn := self._turn(chat_id, lane)) > loop.time():
                    await asyncio.sleep(turn - loop.time())
                await self._slot(lane, loop)
                now = loop.time()
                if lane is Lane.BULK:
                    self._chat_next[chat_id] = max(
                        self._chat_next.get(chat_id, 0.0), now + self._chat_interval
                    )
                if chat_id < 0:  # a group or supergroup
                    self._groups.setdefault(chat_id, deque(maxlen=self._group_limit)).append(now)
        finally:
            self._chat_users[chat_id] -= 1
            if not self._chat_users[chat_id]:
                del self._chat_users[chat_id], self._chat_locks[chat_id]

    def retry_after(self, chat_id: int | None, seconds: float) -> None:
        """Telegram answered 429 for ``chat_id``: its next turn waits; a burst pauses bulk."""
        now = asyncio.get_running_loop().time()
        if chat_id is not None:
            self._chat_next[chat_id] = max(self._chat_next.get(chat_id, 0.0), now + seconds)
        self._floods.append(now)
        while self._floods and self._floods[0] < now - 1.0:
            self._floods.popleft()
        if len(self._floods) >= self._flood_threshold:
            log.warning("flood wait for the whole bot: bulk sends pause %.1fs", seconds)
            self._paused_until = max(self._paused_until, now + seconds)
            self._floods.clear()

    async def aclose(self) -> None:
        """Stop the dispatcher (waiters left are cancelled)."""
        task, self._dispatcher = self._dispatcher, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        for _, _, future in self._waiting:
            future.cancel()
        self._waiting.clear()

    # -- plumbing ----------------------------------------------------------------------------

    def _turn(self, chat_id: int, lane: Lane) -> float:
        """The earliest time this chat may be sent to again."""
        turn = self._chat_next.get(chat_id, 0.0) if lane is Lane.BULK else 0.0
        window = self._groups.get(chat_id)
        if window is not None and len(window) == self._group_limit:
            turn = max(turn, window[0] + self._group_period)
        if len(self._chat_next) > 8192:  # forget turns long past
            now = asyncio.get_running_loop().time()
            self._chat_next = {c: t for c, t in self._chat_next.items() if t > now}
        return turn

    async def _slot(self, lane: Lane, loop: asyncio.AbstractEventLoop) -> None:
        now = loop.time()
        if not self._waiting and self._ready_at(lane, now) <= now:
            self._grant(lane, now)  # what the dispatcher would do at once, without its hops
            return
        future: asyncio.Future[None] = loop.create_future()
        heapq.heappush(self._waiting, (int(lane), next(self._order), future))
        self._ensure_dispatcher(loop)
        assert self._wakeup is not None
        self._wakeup.set()
        await future

    def _ensure_dispatcher(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._dispatcher is None or self._dispatcher.done():
            self._wakeup = asyncio.Event()
            self._dispatcher = loop.create_task(self._dispatch(), name="outbox-limiter")

    def _ready_at(self, lane: int, now: float) -> float:
        ready = max(now, self._next_slot)
        if len(self._window) == self._window.maxlen:
            ready = max(ready, self._window[0] + self._window_period)
        if lane == Lane.BULK:
            ready = max(ready, self._paused_until)
        return ready

    async def _dispatch(self) -> None:
        loop = asyncio.get_running_loop()
        assert self._wakeup is not None
        wakeup = self._wakeup
        while True:
            wakeup.clear()
            while self._waiting and self._waiting[0][2].done():  # cancelled waiters
                heapq.heappop(self._waiting)
            if not self._waiting:
                await wakeup.wait()
                continue
            lane = self._waiting[0][0]
            now = loop.time()
            ready = self._ready_at(lane, now)
            if ready > now:
                timer = loop.call_at(ready, wakeup.set)
                await wakeup.wait()  # a reply arriving meanwhile is looked at first
                timer.cancel()
                continue
            _, _, future = heapq.heappop(self._waiting)
            self._grant(lane, now)
            future.set_result(None)

    def _grant(self, lane: int, now: float) -> None:
        # Paced from the slot, not from a late wake-up, so lateness is caught up; the
        # window still caps any one second at ``per_second``.
        self._next_slot = max(now - self._interval, self._next_slot) + self._interval
        self._window.append(now)
        self.granted[Lane(lane)] += 1


def retry_after_seconds(error: RetryAfter) -> float:
    """``retry_after`` in seconds. PTB 22 warns on the public attribute while it moves from
    int to timedelta; its own ``AIORateLimiter`` reads the private one, as this does."""
    return error._retry_after.total_seconds()


class ReplyRateLimiter(BaseRateLimiter[int]):
    """The Application's requests (direct replies) on the ``REPLY`` lane of ``limiter``.

    A 429 is retried for that request alone, after ``retry_after`` (up to ``max_retries``,
    or ``rate_limit_args``); it does not stop other requests. Requests that do not send
    to a chat (getMe, getUpdates, setWebhook…) are not limited.
    """

    def __init__(self, limiter: SendLimiter, *, max_retries: int = 3) -> None:
        self.limiter = limiter
        self._max_retries = max_retries

    async def initialize(self) -> None:
        """Nothing to set up: the dispatcher starts with the first request."""

    async def shutdown(self) -> None:
        await self.limiter.aclose()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        if rate_limit_args == PASS_THROUGH:
            return await callback(*args, **kwargs)
        chat_id = data.get("chat_id")
        limited = chat_id is not None and endpoint != "getChat"
        chat = chat_id if isinstance(chat_id, int) else None
        retries = self._max_retries if rate_limit_args is None else rate_limit_args
        for attempt in range(retries + 1):
            if limited:
                await self.limiter.acquire(chat, Lane.REPLY)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                seconds = retry_after_seconds(error)
                self.limiter.retry_after(chat, seconds)
                if attempt == retries:
                    raise
                log.info("429 on %s; retrying this request in %.1fs", endpoint, seconds)
                await asyncio.sleep(seconds)
        raise AssertionError("unreachable")
