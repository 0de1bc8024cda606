"""Per-seller ordering: one seller's updates one at a time, different sellers concurrently.

PTB's ``concurrent_updates(True)`` would let two fast taps of one seller race each
other. Here each update waits on the lock of its sender; locks are a fixed set of
stripes (sender id modulo the stripe count), so memory stays bounded however many
sellers write, and two sellers rarely share a stripe. ``asyncio.Lock`` wakes waiters
in arrival order, so a seller's updates are handled in the order Telegram sent them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.transport.tracing import UpdateTracer


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
        tracer: UpdateTracer | None = None,
    ) -> None:
        super().__init__(max_concurrent_updates)
        self._locks = tuple(asyncio.Lock() for _ in range(stripes))
        self._tracer = tracer or UpdateTracer()

    def lock_for(self, update: object) -> asyncio.Lock | None:
        """The lock an update must hold, or None when it has no sender."""
        key = sender_key(update)
        return None if key is None else self._locks[key % len(self._locks)]

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        await self._tracer.run(update, self._in_turn(update, coroutine))

    async def _in_turn(self, update: object, coroutine: Awaitable[Any]) -> None:
        lock = self.lock_for(update)
        if lock is None:
            await coroutine
            return
        async with lock:
            await coroutine

    async def initialize(self) -> None:
        """Nothing to allocate: the locks exist from construction."""

    async def shutdown(self) -> None:
        """Nothing to free."""
