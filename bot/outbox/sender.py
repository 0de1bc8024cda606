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

**Supervised.** ``run`` never ends on a database error: a dropped connection (a server
restart, ``pg_terminate_backend``, a failover), a lost lock or any failing statement ends
one round; the sender waits (``restart_first_seconds``, doubling up to
``restart_max_seconds``), takes the lock again and carries on. Outcomes it could not
record are kept in memory and recorded first, before ``recover`` would put their rows
back to ``pending``, so a delivery Telegram took is not sent again because the database
blinked. ``lock_seen_at`` says when this process last saw a sender hold the lock (its own
or another process's), for ``/readyz`` (``bot.outbox.service``).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, update
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, col
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaDocument,
    InputMediaPhoto,
    Message,
    WebAppInfo,
)
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
    restart_first_seconds: float = 0.5
    restart_max_seconds: float = 30.0
    """After a database error: the first wait before taking the lock again, and its cap."""


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
        self._restart_delay = config.restart_first_seconds
        self.lock_seen_at: float | None = None
        """``time.monotonic()`` when a sender (this one or another process's) last held the
        lock as far as this one saw; None before it first looked."""

    def wake(self) -> None:
        self._wakeup.set()

    async def stop(self) -> None:
        """Ask ``run`` to finish: sends in flight complete, the rest stays in the outbox."""
        self._stopping.set()
        self._wakeup.set()

    async def run(self) -> None:
        """Until ``stop()``: hold the sender lock and drain; after a database error (or a
        lost lock), wait with backoff and start again."""
        while not self._stopping.is_set():
            lock = SenderLock(self._engine)
            try:
                await self._serve(lock)
            except Exception as error:
                log.warning(
                    "outbox: the sender stopped on %s; starting again in %.1fs",
                    type(error).__name__,
                    self._restart_delay,
                    exc_info=not isinstance(error, DBAPIError),  # a bug: show where
                )
            finally:
                SENDER_LOCK_HELD.set(0)
                with contextlib.suppress(Exception):
                    await asyncio.to_thread(lock.release)
            if self._stopping.is_set() or await self._sleep(self._restart_delay):
                break
            self._restart_delay = min(self._restart_delay * 2, self._config.restart_max_seconds)
        # stopping: whatever could not be recorded before is tried once more
        with contextlib.suppress(Exception):
            await self._flush()

    async def _serve(self, lock: SenderLock) -> None:
        """One round: stand by until this process holds the lock, settle what the last
        round left, then drain until stopped or the lock is lost."""
        while not await asyncio.to_thread(lock.try_acquire):
            self.lock_seen_at = time.monotonic()  # another process's sender holds it
            if await self._sleep(self._config.poll_seconds):
                return
        self.lock_seen_at = time.monotonic()
        SENDER_LOCK_HELD.set(1)
        await self._flush()  # outcomes kept from a round that ended on an error: first
        recovered = await asyncio.to_thread(store.recover, self._engine)
        if recovered:
            log.warning("outbox: %d deliveries in flight at a crash are retried", recovered)
        await self._drain(lock)

    # -- plumbing ----------------------------------------------------------------------------

    async def _sleep(self, seconds: float) -> bool:
        """Wait up to ``seconds`` or until woken; True when stopping."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wakeup.wait(), seconds)
        self._wakeup.clear()
        return self._stopping.is_set()

    async def _drain(self, lock: SenderLock) -> None:
        workers = [asyncio.create_task(self._worker()) for _ in range(self._config.concurrency)]
        flushing = asyncio.Event()
        flusher = asyncio.create_task(self._flusher(flushing))
        batch = self._config.batch_size
        try:
            while not self._stopping.is_set():
                if flusher.done():
                    flusher.result()  # the flusher's database error ends this round
                busy = self._queue.qsize() > batch // 2
                checked = time.monotonic() - (self.lock_seen_at or 0.0)
                if busy and checked < self._config.poll_seconds:
                    await self._sleep(0.05)
                    continue
                # before each claim, and each poll while the queue stays full (a broadcast
                # waiting for group turns): the lock is checked, and seen held for /readyz
                if not await asyncio.to_thread(lock.held):
                    log.warning("outbox: lost the sender lock; taking it again")
                    break
                self.lock_seen_at = time.monotonic()
                if busy:
                    continue
                claimed = await asyncio.to_thread(store.claim, self._engine, limit=batch)
                self._restart_delay = self._config.restart_first_seconds  # healthy again
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
            # the flusher finishes the record it may be in (never cancelled mid-record, so
            # two records of one outcome never overlap), then stops
            flushing.set()
            await asyncio.gather(flusher, return_exceptions=True)
            self._outcomes.extend(
                SendResult(d, "pending", None, counts_attempt=False) for d in unstarted
            )
            await self._flush()  # a database error here keeps them for the next round

    async def _flush(self) -> None:
        """Record the outcomes gathered so far; on an error they stay for the next try
        (``store.record`` skips any it already recorded, so trying again is safe)."""
        taken, self._outcomes = self._outcomes, []
        if not taken:
            return
        try:
            await asyncio.to_thread(store.record, self._engine, taken)
        except BaseException:
            self._outcomes[:0] = taken
            raise

    async def _flusher(self, done: asyncio.Event) -> None:
        while not done.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), self._config.flush_seconds)
            await self._flush()

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
        if delivery.media:  # an album has no text of its own and no buttons
            album = await self._bot.send_media_group(
                chat_id=delivery.chat_id, media=album_of(delivery.media), **extra
            )
            return album[0]
        if delivery.photo_file_id:
            return await self._bot.send_photo(
                photo=delivery.photo_file_id, caption=delivery.text or None, **common
            )
        if delivery.document_file_id:
            return await self._bot.send_document(
                document=delivery.document_file_id, caption=delivery.text or None, **common
            )
        return await self._bot.send_message(text=delivery.text, **common)


def album_of(media: list[Any]) -> list[InputMediaPhoto | InputMediaDocument]:
    """Stored album items as PTB's input media (captions are plain text)."""
    return [
        InputMediaPhoto(item["media"], caption=item.get("caption") or None)
        if item.get("type") == "photo"
        else InputMediaDocument(item["media"], caption=item.get("caption") or None)
        for item in media
    ]


def _keyboard(buttons: list[Any]) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    b["text"],
                    url=b.get("url"),
                    callback_data=b.get("callback_data"),
                    web_app=WebAppInfo(b["web_app"]) if b.get("web_app") else None,
                )
                for b in row
            ]
            for row in buttons
        ]
    )
