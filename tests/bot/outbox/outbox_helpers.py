"""Running the outbox sender in a test: a real ``Bot`` over HTTP to the fake Bot API."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import replace

from sqlalchemy import Engine
from sqlmodel import Session, col, select
from telegram import Bot
from telegram.request import HTTPXRequest

from bot.db.models import Broadcast, Delivery
from bot.outbox.limiter import SendLimiter
from bot.outbox.sender import ChatMigratedHook, OutboxSender, SenderConfig
from tests.fakebotapi import FakeBotAPI

# Rates scaled up, waits scaled down, so a test takes well under a second of sending.
FAST = SenderConfig(
    batch_size=50, concurrency=8, retry_base_seconds=0.05, poll_seconds=0.05, max_attempts=3
)


def fast_limiter(per_second: float = 500.0) -> SendLimiter:
    return SendLimiter(per_second, chat_interval=0.05, group_limit=20, group_period=1.0)


def bot_for(api: FakeBotAPI, *, pool: int = 16, read_timeout: float = 5.0) -> Bot:
    request = HTTPXRequest(connection_pool_size=pool, read_timeout=read_timeout)
    return Bot(api.token, base_url=api.base_url, base_file_url=api.base_file_url, request=request)


@contextlib.asynccontextmanager
async def running_sender(
    engine: Engine,
    api: FakeBotAPI,
    *,
    limiter: SendLimiter | None = None,
    config: SenderConfig = FAST,
    read_timeout: float = 5.0,
    on_chat_migrated: ChatMigratedHook | None = None,
) -> AsyncIterator[OutboxSender]:
    """A sender draining ``engine``'s outbox until the block ends."""
    limiter = limiter or fast_limiter()
    async with bot_for(api, pool=config.concurrency, read_timeout=read_timeout) as bot:
        sender = OutboxSender(engine, bot, limiter, config, on_chat_migrated=on_chat_migrated)
        task = asyncio.create_task(sender.run())
        try:
            yield sender
        finally:
            await sender.stop()
            await asyncio.wait_for(task, 15)
            await limiter.aclose()


async def until_done(engine: Engine, broadcast_id: int, *, timeout: float = 15.0) -> Broadcast:
    """The broadcast once it is ``done`` (fails the test after ``timeout``).

    Reads in a worker thread: the fake Bot API shares this event loop, and a blocked loop
    would bunch up the arrival times it records.
    """

    def read() -> Broadcast:
        with Session(engine) as session:
            found = session.get(Broadcast, broadcast_id)
            assert found is not None
            return found

    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while (found := await asyncio.to_thread(read)).status != "done":
        if loop.time() > deadline:
            with Session(engine) as session:
                rows = session.exec(select(Delivery).where(col(Delivery.status) != "sent")).all()
            raise AssertionError(f"broadcast {broadcast_id} not done: {found}; unsent: {rows}")
        await asyncio.sleep(0.05)
    return found


def delivered(api: FakeBotAPI) -> Counter[int]:
    """How many messages each chat received (successful sends only)."""
    return Counter(
        call.chat_id
        for call in api.calls
        if call.ok and call.method in ("sendMessage", "sendPhoto", "sendDocument")
    )


def with_config(**changes: object) -> SenderConfig:
    return replace(FAST, **changes)  # type: ignore[arg-type]
