"""The outbox survives its database: the sender starts again after any database error, and
``/readyz`` says when nobody is sending.

Before: one ``pg_terminate_backend`` on the bot's connections (the server staying up) made
the sender log "lost the sender lock; stopping" and never send again, with ``/healthz``
and ``/readyz`` still 200: broadcasts, review notices and reminders stayed ``pending``.
Now every delivery is sent exactly once across the outage, outcomes the sender could not
record are recorded when the database is back (not sent again), and ``/readyz`` is 503
while deliveries are due and no sender has held the lock for the documented bound.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from bot.db.engine import make_engine
from bot.outbox import store
from bot.outbox.lock import SenderLock
from bot.outbox.service import OutboxService
from bot.outbox.store import Message
from bot.transport.web import make_web_app
from tests.bot.db.test_lost_connections import kill_pooled_connections
from tests.bot.outbox.outbox_helpers import (
    delivered,
    fast_limiter,
    running_sender,
    until_done,
    with_config,
)
from tests.fakebotapi import FakeBotAPI
from tests.harness import running_bot

RESTARTING = with_config(restart_first_seconds=0.05, restart_max_seconds=0.2)


def messages(count: int) -> list[Message]:
    return [Message(chat_id=chat, text=f"<b>News</b> {chat}") for chat in range(1, count + 1)]


async def sent_at_least(api: FakeBotAPI, count: int, *, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while sum(delivered(api).values()) < count:
        assert time.monotonic() < deadline, f"only {sum(delivered(api).values())} sent"
        await asyncio.sleep(0.005)


def failing(
    real: Callable[..., Any], calls: range, log: list[int] | None = None
) -> Callable[..., Any]:
    """``real``, except that the calls numbered in ``calls`` (from 0) raise a database error."""
    counter = iter(range(1_000_000))

    def call(*args: Any, **kwargs: Any) -> Any:
        number = next(counter)
        if number in calls:
            if log is not None:
                log.append(number)
            raise OperationalError("SELECT …", {}, Exception("server closed the connection"))
        return real(*args, **kwargs)

    return call


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_connections_killed_mid_broadcast_cost_no_delivery_and_duplicate_none(
    database_url: str, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    count = 300
    broadcast_id = store.enqueue(engine, messages(count))
    sender_engine = make_engine(database_url)
    try:
        async with (
            FakeBotAPI() as api,
            running_sender(
                sender_engine, api, limiter=fast_limiter(400), config=RESTARTING
            ) as sender,
        ):
            sender.wake()
            await sent_at_least(api, count // 3)
            assert kill_pooled_connections(database_url) >= 2  # the lock's and the pool's
            engine.dispose()  # this test's own pooled connections died too
            done = await until_done(engine, broadcast_id, timeout=30)
    finally:
        sender_engine.dispose()
    assert delivered(api) == {chat: 1 for chat in range(1, count + 1)}
    assert (done.sent, done.failed, done.blocked) == (count, 0, 0)
    assert store.status_counts(engine, broadcast_id) == {"sent": count}
    assert "starting again" in caplog.text or "taking it again" in caplog.text


async def test_a_sender_whose_claims_fail_starts_again_with_backoff_and_sends_everything_once(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    failures: list[int] = []
    monkeypatch.setattr(store, "claim", failing(store.claim, range(2, 5), failures))
    broadcast_id = store.enqueue(engine, messages(60))
    async with FakeBotAPI() as api:
        config = with_config(batch_size=10, restart_first_seconds=0.05, restart_max_seconds=0.2)
        async with running_sender(engine, api, config=config) as sender:
            sender.wake()
            done = await until_done(engine, broadcast_id)
    assert failures == [2, 3, 4]
    assert caplog.text.count("the sender stopped on OperationalError; starting again") == 3
    assert "in 0.1s" in caplog.text  # the wait doubled between failures
    assert delivered(api) == {chat: 1 for chat in range(1, 61)}
    assert done.sent == 60


async def test_outcomes_that_could_not_be_recorded_are_recorded_later_not_sent_again(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store, "record", failing(store.record, range(1, 4)))
    broadcast_id = store.enqueue(engine, messages(40))
    async with FakeBotAPI() as api, running_sender(engine, api, config=RESTARTING) as sender:
        sender.wake()
        done = await until_done(engine, broadcast_id)
    assert delivered(api) == {chat: 1 for chat in range(1, 41)}
    assert (done.sent, done.total) == (40, 40)  # every outcome counted once


def test_recording_the_same_outcomes_twice_counts_them_once(engine: Engine) -> None:
    broadcast_id = store.enqueue(engine, messages(3))
    claimed = store.claim(engine, limit=10)
    outcomes = [store.SendResult(d, "sent", message_id=d.id) for d in claimed]
    store.record(engine, outcomes)
    store.record(engine, outcomes)  # a commit whose answer was lost, tried again
    assert store.status_counts(engine, broadcast_id) == {"sent": 3}
    assert store.has_due(engine) is False


@pytest.fixture
def lock_unreachable(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[bool]]:
    """While the flag is up, taking the sender lock fails as a dead database does."""
    down = [True]
    real = SenderLock.try_acquire

    def try_acquire(self: SenderLock) -> bool:
        if down[0]:
            raise OperationalError("SELECT pg_try_advisory_lock", {}, Exception("no server"))
        return real(self)

    monkeypatch.setattr(SenderLock, "try_acquire", try_acquire)
    yield down


async def test_readyz_is_503_while_deliveries_wait_and_no_sender_held_the_lock_for_the_bound(
    engine: Engine, lock_unreachable: list[bool]
) -> None:
    async with running_bot(engine) as bot:
        app = bot.app
        assert app is not None
        service = OutboxService(app, engine, stall_seconds=0.3)
        service.sender._config = RESTARTING  # restart quickly once the lock is reachable
        web = make_web_app(app, engine, webhook_path=None, secret=None,
                           checks={"outbox": service.ready})  # fmt: skip
        service.start()
        try:
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=web), base_url="http://bot.test"
            ) as client:

                async def ready() -> tuple[int, Any]:
                    response = await client.get("/readyz")
                    return response.status_code, response.json()

                assert await ready() == (200, {"database": True, "outbox": True})  # grace
                await asyncio.sleep(0.4)
                # past the bound, but nothing is due: nothing is late
                assert await ready() == (200, {"database": True, "outbox": True})
                broadcast_id = store.enqueue(engine, messages(3))
                assert await ready() == (503, {"database": True, "outbox": False})
                lock_unreachable[0] = False  # the database is back: the sender takes over
                await until_done(engine, broadcast_id)
                assert await ready() == (200, {"database": True, "outbox": True})
        finally:
            await service.stop()
    assert delivered(bot.api) == {1: 1, 2: 1, 3: 1}


async def test_a_bulk_429_reaches_the_senders_policy_and_is_not_retried_by_the_reply_retrier(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # PTB warns building a RetryAfter otherwise
    monkeypatch.setenv("OUTBOX_RETRY_BASE_SECONDS", "0.05")
    async with running_bot(engine) as bot:
        app = bot.app
        assert app is not None
        limiter = app.bot_data["outbox_limiter"]
        told: list[tuple[int | None, float]] = []
        real_retry_after = limiter.retry_after
        monkeypatch.setattr(
            limiter,
            "retry_after",
            lambda chat, s: (told.append((chat, s)), real_retry_after(chat, s)),
        )
        bot.api.fail_next("sendMessage", error_code=429, retry_after=1, chat_id=7)
        bot.api.fail_next("sendMessage", error_code=502, chat_id=8, times=2)
        broadcast_id = store.enqueue(engine, [Message(chat_id=7, text="a"),
                                              Message(chat_id=8, text="b")])  # fmt: skip
        service = OutboxService(app, engine)
        service.start()
        try:
            await until_done(engine, broadcast_id, timeout=20)
        finally:
            await service.stop()
        rows = {chat: row for chat, row in _deliveries(engine, broadcast_id).items()}
    assert [chat for chat, _ in told] == [7]  # the sender saw the 429 and told the limiter
    # the two 502s were the sender's two failed attempts (backoff, a new slot each), not
    # retries hidden inside one attempt
    assert (rows[8].status, rows[8].attempts) == ("sent", 3)
    assert (rows[7].status, rows[7].attempts) == ("sent", 1)  # a 429 is not an attempt
    assert delivered(bot.api) == {7: 1, 8: 1}


def _deliveries(engine: Engine, broadcast_id: int) -> dict[int, Any]:
    from sqlmodel import Session, col, select

    from bot.db.models import Delivery

    with Session(engine) as session:
        rows = session.exec(select(Delivery).where(col(Delivery.broadcast_id) == broadcast_id))
        return {row.chat_id: row for row in rows}


async def test_readyz_stays_200_while_a_sender_waits_long_for_a_groups_turns(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # one worker, small batches, one message a second to the group: the sender's queue
    # stays full for seconds while more deliveries are due, and it holds the lock all along
    for name, value in (("OUTBOX_CONCURRENCY", "1"), ("OUTBOX_BATCH_SIZE", "2"),
                        ("GROUP_MESSAGES_PER_MINUTE", "1"), ("GROUP_WINDOW_SECONDS", "0.5"),
                        ("OUTBOX_POLL_SECONDS", "0.05")):  # fmt: skip
        monkeypatch.setenv(name, value)
    group = -100_555
    async with running_bot(engine) as bot:
        app = bot.app
        assert app is not None
        service = OutboxService(app, engine, stall_seconds=0.3)
        web = make_web_app(app, engine, webhook_path=None, secret=None,
                           checks={"outbox": service.ready})  # fmt: skip
        ids = [store.enqueue(engine, [Message(chat_id=group, text=f"#{n}")]) for n in range(6)]
        service.start()
        answers: list[tuple[int, bool]] = []
        try:
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=web), base_url="http://bot.test"
            ) as client:
                started = time.monotonic()
                for _ in range(15):
                    status = (await client.get("/readyz")).status_code
                    late = time.monotonic() - started > 0.5 and store.has_due(engine)
                    answers.append((status, late))
                    await asyncio.sleep(0.1)
                for broadcast_id in ids:
                    await until_done(engine, broadcast_id, timeout=20)
        finally:
            await service.stop()
    assert {status for status, _ in answers} == {200}
    assert any(late for _, late in answers)  # asked past the bound while deliveries were due
