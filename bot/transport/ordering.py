"""Per-seller ordering: one seller's updates one at a time, different sellers concurrently,
and one flooding seller never in the others' way.

PTB's ``concurrent_updates(True)`` would let two fast taps of one seller race each
other. Here each update waits on the lock of its sender; locks are a fixed set of
stripes (sender id modulo the stripe count), so memory stays bounded however many
sellers write, and two sellers rarely share a stripe. ``asyncio.Lock`` wakes waiters
in arrival order, so a seller's updates are handled in the order Telegram sent them.

Fairness (issue 18). PTB's ``process_update`` takes its concurrency slot *before* calling
``do_process_update``, so a seller's queued updates, all waiting on their one lock, used to
hold every slot: one user sending 200 messages a second made the other sellers wait up to
a minute. So PTB's own semaphore is made wide and the bounded slots are taken here, *after*
the seller's lock: a seller holds at most one slot, however many of their updates wait.
And a sender may have at most ``queue_limit`` updates waiting or running; a further one is
dropped unprocessed (the webhook still answers 200, so Telegram does not send it again),
and ``on_flood`` is called once per flood so the sender can be told. A person typing never
gets near the limit; the flood's backlog stays short, and in webhook mode its requests
never hold all of Telegram's connections.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable, Coroutine
from inspect import CORO_CREATED, getcoroutinestate
from typing import Any

from telegram import Bot, Update
from telegram.ext import BaseUpdateProcessor

from bot.platform.i18n import telegram_locale
from bot.transport.context import translator
from bot.transport.tracing import UpdateTracer

log = logging.getLogger(__name__)

FloodNotice = Callable[[Update], Awaitable[None]]
QUEUE_LIMIT = 64
"""Updates one sender may have waiting or running (a person never has more than a few)."""


def sender_key(update: object) -> int | None:
    """Who an update is from (user, else chat); None for updates without a sender."""
    if not isinstance(update, Update):
        return None
    if update.effective_user is not None:
        return update.effective_user.id
    if update.effective_chat is not None:
        return update.effective_chat.id
    return None


class SellerOrderedUpdateProcessor(BaseUpdateProcessor):
    """Runs updates concurrently except that one sender's updates are serialized."""

    def __init__(
        self,
        max_concurrent_updates: int,
        *,
        stripes: int = 4096,
        queue_limit: int = QUEUE_LIMIT,
        on_flood: FloodNotice | None = None,
        tracer: UpdateTracer | None = None,
    ) -> None:
        # PTB's semaphore is taken before the seller's lock: wide open, so it never binds.
        super().__init__(sys.maxsize)
        self._slot_count = max_concurrent_updates
        self._slots = asyncio.Semaphore(max_concurrent_updates)
        self._running = 0
        self._locks = tuple(asyncio.Lock() for _ in range(stripes))
        self._queued: dict[int, int] = {}
        self._flooding: set[int] = set()
        self.queue_limit = queue_limit
        self.on_flood = on_flood
        self.dropped = 0
        self._tracer = tracer or UpdateTracer()

    @property
    def max_concurrent_updates(self) -> int:
        """How many updates run at once (the slots taken after the seller's lock)."""
        return getattr(self, "_slot_count", sys.maxsize)  # PTB reads it in ``__init__``

    @property
    def current_concurrent_updates(self) -> int:
        """Updates holding a slot now."""
        return self._running

    def lock_for(self, update: object) -> asyncio.Lock | None:
        """The lock an update must hold, or None when it has no sender."""
        key = sender_key(update)
        return None if key is None else self._locks[key % len(self._locks)]

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        await self._tracer.run(update, self._in_turn(update, coroutine))

    async def _in_turn(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = sender_key(update)
        if key is None:
            await self._in_slot(coroutine)
            return
        if self._queued.get(key, 0) >= self.queue_limit:
            await self._drop(key, update, coroutine)
            return
        self._queued[key] = self._queued.get(key, 0) + 1
        try:
            async with self._locks[key % len(self._locks)]:
                await self._in_slot(coroutine)
        except asyncio.CancelledError:
            _close(coroutine)  # cancelled (shutdown) before its turn came
            raise
        finally:
            self._queued[key] -= 1
            if not self._queued[key]:
                del self._queued[key]
                self._flooding.discard(key)  # the flood is over: a next one is told again

    async def _in_slot(self, coroutine: Awaitable[Any]) -> None:
        async with self._slots:
            self._running += 1
            try:
                await coroutine
            finally:
                self._running -= 1

    async def _drop(self, key: int, update: object, coroutine: Awaitable[Any]) -> None:
        """Skip an update of a sender over the limit; tell them once per flood."""
        _close(coroutine)
        self.dropped += 1
        if key in self._flooding or self.on_flood is None or not isinstance(update, Update):
            return
        self._flooding.add(key)
        log.warning("a sender is flooding: %d updates queued, dropping the rest", self.queue_limit)
        try:
            await self.on_flood(update)
        except Exception:  # a notice that could not be sent changes nothing
            log.warning("the flood notice could not be sent", exc_info=True)

    async def initialize(self) -> None:
        """Nothing to allocate: the locks exist from construction."""

    async def shutdown(self) -> None:
        """Nothing to free."""


def _close(coroutine: Awaitable[Any]) -> None:
    """Close a coroutine that never started, so nothing warns that it was never awaited."""
    if isinstance(coroutine, Coroutine) and getcoroutinestate(coroutine) == CORO_CREATED:
        coroutine.close()


def flood_notice(bot: Bot, *, default_locale: str) -> FloodNotice:
    """``on_flood`` for the running bot: one short message in the sender's language.

    Telegram's language, not the one chosen in the bot: reading the database for a flood
    is what the limit is there to avoid.
    """

    async def notify(update: Update) -> None:
        chat, user = update.effective_chat, update.effective_user
        if chat is None or chat.type != "private":
            return  # in a group the notice would be noise for everybody
        locale = telegram_locale(user.language_code if user else None, default=default_locale)
        t = translator(locale)
        await bot.send_message(chat.id, t("flood_skipped"))

    return notify
