"""The outbox in the running bot: one limiter shared with the Application, one sender task.

``limiter_for(settings)`` is built once per Application: the Application's requests use it
on the reply lane (``ReplyRateLimiter``), the sender on the bulk lane, so together they stay
under the bot-wide limit and a reply never waits behind a broadcast.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from sqlalchemy import Engine
from telegram.ext import Application

from bot.outbox.limiter import SendLimiter
from bot.outbox.sender import OutboxSender, SenderConfig
from bot.platform.settings import Settings

log = logging.getLogger(__name__)

__all__ = ["OutboxService", "limiter_for", "sender_config"]


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

    def __init__(self, app: Application[Any, Any, Any, Any, Any, Any], engine: Engine) -> None:
        settings: Settings = app.bot_data["services"].settings
        self.sender = OutboxSender(
            engine, app.bot, app.bot_data["outbox_limiter"], sender_config(settings)
        )
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="outbox-sender")

    async def _run(self) -> None:
        try:
            await self.sender.run()
        except Exception:
            log.exception("outbox sender stopped on an error")

    async def stop(self) -> None:
        if self._task is None:
            return
        await self.sender.stop()
        await self._task
        self._task = None
