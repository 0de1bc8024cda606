"""The one sender: drains the outbox under the limits and records every outcome.

One process per database sends at a time (``SenderLock``); it claims batches of due
deliveries, hands them to ``concurrency`` workers that each wait for a slot from the
``SendLimiter`` (bulk lane) and send, and commits the outcomes in batches every
``flush_seconds``. Errors, as Telegram answers them (PTB's exception in brackets):

| answer | what happens |
|---|---|
| 429 (``RetryAfter``) | the delivery waits ``retry_after`` and is retried; not an attempt |
| 403 (``Forbidden``) | ``blocked``, never retried; ``Seller.blocked`` set for the chat |
| 400 group → supergroup (``ChatMigrated``) | the hook runs (cohort link), resent there |
| 400 other (``BadRequest``, e.g. chat not found) | ``failed`` with Telegram's reason |
| timeout, 5xx (``TimedOut``, ``NetworkError``) | doubling backoff; ``failed`` after |
|   | ``max_attempts`` tries in all |

A timed-out send may still have reached the chat: its retry is the one duplicate that
the crash bound in ``bot.outbox.store`` allows for, too.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, update
from sqlmodel import Session, col
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.ext import ExtBot

from bot.db.models import Cohort, utcnow
from bot.outbox import store
from bot.outbox.limiter import PASS_THROUGH, Lane, SendLimiter, retry_after_seconds
from bot.outbox.lock import SenderLock
from bot.outbox.store import Claimed, SendResult
from bot.platform.metrics import SENDER_LOCK_HELD

log = logging.getLogger(__name__)

__all__ = ["ChatMigratedHook", "OutboxSender", "SenderConfig", "update_cohort_link"]

ChatMigratedHook = Callable[[int, int], Awaitable[None]]
"""Called with (old chat id, new chat id) when a group has become a supergroup."""


@dataclass(frozen=True)
class SenderConfig:
    batch_size: int = 100
    concurrency: int = 16
    max_attempts: int = 5
    retry_base_seconds: float = 2.0
    poll_seconds: float = 1.0
    flush_seconds: float = 0.05
    paid_broadcast: bool = False


def update_cohort_link(engine: Engine) -> ChatMigratedHook:
    """The default hook: cohorts linked to the old group now point at the supergroup."""

    def move(old: int, new: int) -> None:
        with Session(engine) as session, session.begin():
            session.execute(
                update(Cohort).where(col(Cohort.group_chat_id) == old).values(group_chat_id=new)
            )

    async def hook(old: int, new: int) -> None:
        await asyncio.to_thread(move, old, new)

    return hook


class OutboxSender:
    """``await run()`` until ``stop()``; ``wake()`` after enqueueing to skip the poll wait."""

    def __init__(
        self,
        engine: Engine,
        bot: Bot,
        limiter: SendLimiter,
        config: SenderConfig = SenderConfig(),
        *,
        on_chat_migrated: ChatMigratedHook | None = None,
    ) -> None:
        self._engine = engine
        self._bot = bot
        self._limiter = limiter
        self._config = config
        self._on_chat_migrated = on_chat_migrated or update_cohort_link(engine)
        self._stopping = asyncio.Event()
        self._wakeup = asyncio.Event()
        self._outcomes: list[SendResult] = []
        self._queue: asyncio.Queue[Claimed] = asyncio.Queue()
        self._busy = 0

    def wake(self) -> None:
        self._wakeup.set()

    async def stop(self) -> None:
        """Ask ``run`` to finish: sends in flight complete, the rest stays in the outbox."""
        self._stopping.set()
        self._wakeup.set()

    async def run(self) -> None:
        """Stand by until this process holds the sender lock, recover, then drain."""
        lock = SenderLock(self._engine)
        try:
            while not await asyncio.to_thread(lock.try_acquire):
                if await self._sleep(self._config.poll_seconds):
                    return
            SENDER_LOCK_HELD.set(1)
            recovered = await asyncio.to_thread(store.recover, self._engine)
            if recovered:
                log.warning("outbox: %d deliveries in flight at a crash are retried", recovered)
            await self._drain(lock)
        finally:
            SENDER_LOCK_HELD.set(0)
            await asyncio.to_thread(lock.release)

    # -- plumbing ----------------------------------------------------------------------------

    async def _sleep(self, seconds: float) -> bool:
        """Wait up to ``seconds`` or until woken; True when stopping."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wakeup.wait(), seconds)
        self._wakeup.clear()
        return self._stopping.is_set()

    async def _drain(self, lock: SenderLock) -> None:
        workers = [asyncio.create_task(self._worker()) for _ in range(self._config.concurrency)]
        flusher = asyncio.create_task(self._flusher())
        batch = self._config.batch_size
        try:
            while not self._stopping.is_set():
                if self._queue.qsize() > batch // 2:
                    await self._sleep(0.05)
                    continue
                if not await asyncio.to_thread(lock.held):
                    log.error("outbox: lost the sender lock; stopping")
                    break
                claimed = await asyncio.to_thread(store.claim, self._engine, limit=batch)
                for delivery in claimed:
                    self._queue.put_nowait(delivery)
                if not claimed and await self._sleep(self._config.poll_seconds):
                    break
        finally:
            unstarted = []
            while not self._queue.empty():
                unstarted.append(self._queue.get_nowait())
            # sends in flight finish (bounded wait); a cancelled one stays ``sending``, and the
            # next sender's recovery retries it: the documented duplicate bound
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 10.0
            while self._busy and loop.time() < deadline:
                await asyncio.sleep(0.01)
            for worker in workers:
                worker.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
            flusher.cancel()
            await asyncio.gather(flusher, return_exceptions=True)
            self._outcomes.extend(
                SendResult(d, "pending", None, counts_attempt=False) for d in unstarted
            )
            await asyncio.to_thread(store.record, self._engine, self._take_outcomes())

    def _take_outcomes(self) -> list[SendResult]:
        taken, self._outcomes = self._outcomes, []
        return taken

    async def _flusher(self) -> None:
        while True:
            await asyncio.sleep(self._config.flush_seconds)
            if self._outcomes:
                await asyncio.to_thread(store.record, self._engine, self._take_outcomes())

    async def _worker(self) -> None:
        while True:
            delivery = await self._queue.get()
            self._busy += 1
            try:
                await self._limiter.acquire(delivery.chat_id, Lane.BULK)
                outcome = await self._send(delivery)
            except Exception as error:  # a bug, not Telegram: fail it loudly, keep draining
                log.exception("outbox: delivery %d failed unexpectedly", delivery.id)
                outcome = SendResult(delivery, "failed", f"internal error: {type(error).__name__}")
            finally:
                self._busy -= 1
            if outcome is not None:
                self._outcomes.append(outcome)

    async def _send(self, delivery: Claimed) -> SendResult | None:
        config = self._config
        try:
            message = await self._deliver(delivery)
        except RetryAfter as error:
            seconds = retry_after_seconds(error)
            self._limiter.retry_after(delivery.chat_id, seconds)
            when = utcnow() + dt.timedelta(seconds=seconds)
            return SendResult(delivery, "pending", str(error), retry_at=when, counts_attempt=False)
        except ChatMigrated as error:
            old, new = delivery.chat_id, int(error.new_chat_id)
            log.info("outbox: group moved to a supergroup; resending there")
            await self._on_chat_migrated(old, new)
            await asyncio.to_thread(store.move_chat, self._engine, delivery.id, new)
            return None
        except Forbidden as error:
            return SendResult(delivery, "blocked", error.message)
        except BadRequest as error:
            return SendResult(delivery, "failed", error.message)
        except NetworkError as error:  # TimedOut, 5xx, connection errors
            if delivery.attempts + 1 >= config.max_attempts:
                return SendResult(delivery, "failed", f"{type(error).__name__}: {error.message}")
            backoff = config.retry_base_seconds * 2**delivery.attempts
            when = utcnow() + dt.timedelta(seconds=backoff)
            return SendResult(delivery, "pending", error.message, retry_at=when)
        except TelegramError as error:
            return SendResult(delivery, "failed", f"{type(error).__name__}: {error.message}")
        return SendResult(delivery, "sent", message_id=message.message_id)

    async def _deliver(self, delivery: Claimed) -> Message:
        extra: dict[str, Any] = {}
        if self._config.paid_broadcast:
            extra["allow_paid_broadcast"] = True
        if isinstance(self._bot, ExtBot) and self._bot.rate_limiter is not None:
            extra["rate_limit_args"] = PASS_THROUGH  # this send already has its slot
        common: dict[str, Any] = {
            "chat_id": delivery.chat_id,
            "parse_mode": delivery.parse_mode,
            "reply_markup": _keyboard(delivery.buttons),
            **extra,
        }
        if delivery.photo_file_id:
            return await self._bot.send_photo(
                photo=delivery.photo_file_id, caption=delivery.text or None, **common
            )
        if delivery.document_file_id:
            return await self._bot.send_document(
                document=delivery.document_file_id, caption=delivery.text or None, **common
            )
        return await self._bot.send_message(text=delivery.text, **common)


def _keyboard(buttons: list[Any]) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    b["text"], url=b.get("url"), callback_data=b.get("callback_data")
                )
                for b in row
            ]
            for row in buttons
        ]
    )
