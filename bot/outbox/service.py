"""The outbox in the running bot: one limiter shared with the Application, one sender task.

``limiter_for(settings)`` is built once per Application: the Application's requests use it
on the reply lane (``ReplyRateLimiter``), the sender on the bulk lane, so together they stay
under the bot-wide limit and a reply never waits behind a broadcast.

``OutboxService.ready`` is the outbox's part of ``/readyz``: not ready while deliveries are
due and no sender (of any process) has held the sender lock for ``STALL_SECONDS``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from sqlalchemy import Engine
from telegram.ext import Application

from bot.outbox import store
from bot.outbox.limiter import SendLimiter
from bot.outbox.sender import OutboxSender, SenderConfig
from bot.platform.settings import Settings

log = logging.getLogger(__name__)

__all__ = ["STALL_SECONDS", "OutboxService", "limiter_for", "sender_config"]

STALL_SECONDS = 60.0
"""How long deliveries may be due while no sender holds the lock before ``/readyz`` says
503. Well above what a healthy outbox ever shows: a standby process sees the holder every
``OUTBOX_POLL_SECONDS`` (1 s), and a sender that lost its database takes the lock again
within its restart backoff (0.5 s doubling to 30 s) once the database answers. So 60 s
without a holder means the outbox is not being served, not that it is restarting."""


def limiter_for(settings: Settings) -> SendLimiter:
    per_second = (
        settings.paid_broadcast_per_second
        if settings.allow_paid_broadcast
        else settings.rate_limit_per_second
    )
    return SendLimiter(
        per_second,
        chat_interval=settings.chat_interval_seconds,
        group_limit=settings.group_messages_per_minute,
        group_period=settings.group_window_seconds,
    )


def sender_config(settings: Settings) -> SenderConfig:
    return SenderConfig(
        batch_size=settings.outbox_batch_size,
        concurrency=settings.outbox_concurrency,
        max_attempts=settings.outbox_max_attempts,
        retry_base_seconds=settings.outbox_retry_base_seconds,
        poll_seconds=settings.outbox_poll_seconds,
        paid_broadcast=settings.allow_paid_broadcast,
    )


class OutboxService:
    """Starts the sender as a background task after ``initialize``; stops it before shutdown."""

    def __init__(
        self,
        app: Application[Any, Any, Any, Any, Any, Any],
        engine: Engine,
        *,
        stall_seconds: float = STALL_SECONDS,
    ) -> None:
        settings: Settings = app.bot_data["services"].settings
        self.sender = OutboxSender(
            engine, app.bot, app.bot_data["outbox_limiter"], sender_config(settings)
        )
        self._engine = engine
        self._stall_seconds = stall_seconds
        self._started_at = 0.0
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._started_at = time.monotonic()
        self._task = asyncio.create_task(self._run(), name="outbox-sender")

    async def ready(self) -> bool:
        """False while deliveries are due and no sender has held the lock (as this
        process's sender last saw it) for ``stall_seconds``; True when this process sends
        nothing (``OUTBOX_ENABLED=false``: another process's readiness covers it)."""
        if self._task is None:
            return True
        seen = self.sender.lock_seen_at or self._started_at
        if time.monotonic() - seen <= self._stall_seconds:
            return True
        try:
            return not await asyncio.to_thread(store.has_due, self._engine)
        except Exception:  # the database check of /readyz reports the database itself
            log.warning("readiness: could not read the outbox", exc_info=True)
            return False

    async def _run(self) -> None:
        try:
            await self.sender.run()
        except Exception:  # run restarts itself after errors: this is a bug
            log.exception("outbox sender stopped on an error")

    async def stop(self) -> None:
        if self._task is None:
            return
        await self.sender.stop()
        await self._task
        self._task = None
