"""The send limiter: bot-wide pace, per-chat and per-group turns, replies ahead of bulk.

Asserted on counts and order (and generous time bounds), not tight wall-clock numbers.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest
from telegram.error import RetryAfter

from bot.outbox.limiter import Lane, ReplyRateLimiter, SendLimiter
from tests.fakebotapi.traffic import busiest_second


@pytest.fixture(autouse=True)
def _retry_after_as_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


async def grant_times(
    limiter: SendLimiter, chats: list[int], lane: Lane = Lane.BULK
) -> list[float]:
    loop = asyncio.get_running_loop()
    times: list[float] = []

    async def one(chat: int) -> None:
        await limiter.acquire(chat, lane)
        times.append(loop.time())

    await asyncio.gather(*(one(chat) for chat in chats))
    return times


async def test_no_second_holds_more_than_the_bot_wide_limit_even_from_a_standing_start() -> None:
    limiter = SendLimiter(50)
    times = await grant_times(limiter, list(range(1, 121)))
    await limiter.aclose()
    assert len(times) == 120
    assert busiest_second(times) <= 50
    assert max(times) - min(times) >= 2.0  # 120 sends at 50/s: no burst at the start


async def test_a_direct_reply_takes_the_next_slot_while_a_broadcast_waits() -> None:
    limiter = SendLimiter(20)
    order: list[str] = []

    async def bulk(chat: int) -> None:
        await limiter.acquire(chat, Lane.BULK)
        order.append("bulk")

    async def reply() -> None:
        await limiter.acquire(999, Lane.REPLY)
        order.append("reply")

    bulk_sends = [asyncio.create_task(bulk(chat)) for chat in range(1, 41)]
    await asyncio.sleep(0.3)  # the broadcast is under way, most of it still waiting
    started = len(order)
    await reply()
    assert order.index("reply") <= started + 1  # at most one bulk slot in between
    assert order.count("bulk") < 40
    await asyncio.gather(*bulk_sends)
    await limiter.aclose()
    assert limiter.granted == {Lane.REPLY: 1, Lane.BULK: 40}


async def test_bulk_sends_to_one_chat_are_a_chat_interval_apart() -> None:
    limiter = SendLimiter(1000, chat_interval=0.2)
    sevens, eight = await asyncio.gather(grant_times(limiter, [7, 7, 7]), grant_times(limiter, [8]))
    await limiter.aclose()
    sevens.sort()
    assert sevens[1] - sevens[0] >= 0.19 and sevens[2] - sevens[1] >= 0.19
    assert eight[0] - sevens[0] < 0.1  # another chat does not wait for chat 7


async def test_a_group_gets_at_most_its_limit_per_window() -> None:
    limiter = SendLimiter(1000, chat_interval=0.0, group_limit=3, group_period=0.5)
    times = sorted(await grant_times(limiter, [-5] * 4))
    await limiter.aclose()
    assert times[3] - times[0] >= 0.49


async def test_a_429_for_one_chat_delays_that_chat_only() -> None:
    limiter = SendLimiter(1000, chat_interval=0.0)
    await limiter.acquire(1)
    limiter.retry_after(1, 0.5)
    loop = asyncio.get_running_loop()
    start = loop.time()
    await limiter.acquire(2)
    other = loop.time() - start
    await limiter.acquire(1)
    same = loop.time() - start
    await limiter.aclose()
    assert other < 0.25 <= same


async def test_the_reply_limiter_retries_a_429_for_that_request_alone() -> None:
    limiter = ReplyRateLimiter(SendLimiter(1000), max_retries=2)
    calls: list[int] = []

    async def flooded_once(chat: int) -> Any:
        calls.append(chat)
        if chat == 1 and calls.count(1) == 1:
            raise RetryAfter(dt.timedelta(seconds=0.3))
        return {"ok": chat}

    async def send(chat: int) -> Any:
        return await limiter.process_request(
            flooded_once, (chat,), {}, "sendMessage", {"chat_id": chat}, None
        )

    first = asyncio.create_task(send(1))
    await asyncio.sleep(0.05)
    assert await asyncio.wait_for(send(2), 0.2) == {"ok": 2}  # not held by chat 1's wait
    assert await first == {"ok": 1}
    assert calls == [1, 2, 1]
    await limiter.shutdown()


async def test_a_free_slot_with_nobody_waiting_is_granted_without_a_loop_turn() -> None:
    limiter = SendLimiter(30)
    turns: list[int] = []
    loop = asyncio.get_running_loop()
    loop.call_soon(turns.append, 1)
    await limiter.acquire(42, Lane.REPLY)  # the first send of a quiet bot: free at once
    assert turns == [] and limiter.granted[Lane.REPLY] == 1
    started = loop.time()
    for chat in range(43, 46):  # the pacer's slots come 1/30 s apart: these wait for theirs
        await limiter.acquire(chat, Lane.REPLY)
    assert turns == [1] and limiter.granted[Lane.REPLY] == 4
    assert loop.time() - started >= 2 / 30
    await limiter.aclose()
