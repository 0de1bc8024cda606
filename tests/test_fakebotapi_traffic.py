"""The fake Bot API's flood limits and seeded faults answer as Telegram does (over HTTP)."""

from __future__ import annotations

import pytest
from telegram import Bot
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter

from tests.fakebotapi import FakeBotAPI
from tests.fakebotapi.traffic import Faults, Limits, Traffic, busiest_second


@pytest.fixture(autouse=True)
def _retry_after_as_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


async def test_limits_refuse_a_second_send_to_a_chat_too_soon_and_the_bot_over_its_rate() -> None:
    async with FakeBotAPI() as api, Bot(api.token, base_url=api.base_url) as bot:
        api.traffic = Traffic(Limits(per_second=3, chat_interval=1.0))
        await bot.send_message(1, "a")
        with pytest.raises(RetryAfter):
            await bot.send_message(1, "b")  # same chat within a second
        await bot.send_message(2, "c")
        await bot.send_message(3, "d")
        with pytest.raises(RetryAfter):
            await bot.send_message(4, "e")  # the fourth send within a second
    assert api.traffic.refusals == {"chat": 1, "bot": 1}
    assert len(api.traffic.arrivals) == 5
    assert [call.chat_id for call in api.calls_to("sendMessage") if call.ok] == [1, 2, 3]


async def test_a_group_gets_at_most_its_limit_per_window() -> None:
    async with FakeBotAPI() as api, Bot(api.token, base_url=api.base_url) as bot:
        api.traffic = Traffic(Limits(chat_interval=0.0, group_limit=2, group_window=60))
        await bot.send_message(-7, "a")
        await bot.send_message(-7, "b")
        with pytest.raises(RetryAfter):
            await bot.send_message(-7, "c")
    assert api.traffic.refusals == {"group": 1}


async def test_faults_block_chats_for_good_and_answer_migration_and_not_found() -> None:
    faults = Faults(blocked_share=0.5, not_found=frozenset({42}), migrated={-5: -1_000_005})
    async with FakeBotAPI() as api, Bot(api.token, base_url=api.base_url) as bot:
        api.traffic = Traffic(faults=faults)
        blocked = next(chat for chat in range(100, 200) if api.traffic.is_blocked(chat))
        for _ in range(2):
            with pytest.raises(Forbidden):
                await bot.send_message(blocked, "x")
        with pytest.raises(BadRequest, match="not found"):
            await bot.send_message(42, "x")
        with pytest.raises(ChatMigrated) as migrated:
            await bot.send_message(-5, "x")
    assert migrated.value.new_chat_id == -1_000_005
    assert api.traffic.injected == {403: 2, 400: 2}


async def test_an_injected_429_keeps_that_chat_flooded_until_retry_after() -> None:
    async with FakeBotAPI() as api, Bot(api.token, base_url=api.base_url) as bot:
        api.traffic = Traffic(faults=Faults(flood_share=1.0, retry_after=5))
        with pytest.raises(RetryAfter):
            await bot.send_message(1, "x")
        api.traffic.faults = Faults()  # no new floods; chat 1 still waits
        with pytest.raises(RetryAfter):
            await bot.send_message(1, "x")
        await bot.send_message(2, "x")


def test_busiest_second_counts_a_sliding_half_open_window() -> None:
    assert busiest_second([0.0, 0.5, 0.99, 1.0, 1.2]) == 4
    assert busiest_second([]) == 0
