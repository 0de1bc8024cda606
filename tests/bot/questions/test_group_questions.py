"""Questions in a cohort's group: one answer when the bot is addressed, else silence."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine

from bot.questions.group import FLOOD_ANSWERS
from tests.bot.providers.test_providers import link_by_mention, new_cohort, provider_from_cli
from tests.bot.questions.question_helpers import OWNER
from tests.harness import BotHarness, running_bot
from tests.updates import TelegramChat, TelegramUser

GROUP = TelegramChat.group(-4701, "英国跨境一批对接群")
SITI = TelegramUser(8201, "Siti", language_code="id")
WANG = TelegramUser(8202, "Wang", language_code="zh-hans")


def mention(bot: BotHarness, user: TelegramUser, text: str) -> dict[str, Any]:
    """``@<bot> text`` typed in the group, with Telegram's mention entity."""
    handle = f"@{bot.api.bot_username}"
    entities = [{"type": "mention", "offset": 0, "length": len(handle)}]
    return bot.updates.message_text(user, f"{handle} {text}", chat=GROUP, entities=entities)


def to_group(calls: list[Any]) -> list[str]:
    return [
        str(c.params["text"]) for c in calls if c.method == "sendMessage" and c.chat_id == GROUP.id
    ]


async def linked_group(bot: BotHarness, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    provider_from_cli(engine, monkeypatch, "星河出海服务", OWNER.id)
    cohort, _ = await new_cohort(bot, OWNER, "uk track=uk_crossborder 英国跨境一批")
    await bot.push(bot.updates.bot_added_to_group(OWNER, GROUP))
    bot.api.set_member(GROUP.id, OWNER.id, "creator")
    await link_by_mention(bot, OWNER, GROUP, cohort)


async def test_a_mention_gets_one_answer_in_the_askers_language_and_chat_stays_quiet(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running_bot(engine) as bot:
        await linked_group(bot, engine, monkeypatch)
        # not addressed: silence, however much it reads like a question
        plain = bot.updates.message_text(SITI, "perlu nomor HP Inggris?", chat=GROUP)
        assert to_group(await bot.push(plain)) == []

        asked = mention(bot, SITI, "perlu nomor HP Inggris?")
        answers = to_group(await bot.push(asked))
        assert len(answers) == 1 and "nomor HP Inggris" in answers[0] and "+44 7" in answers[0]
        assert to_group(await bot.push(asked)) == []  # delivered again: not answered again

        # a reply to the bot's message is addressed to it too; Chinese for a Chinese member
        bot_message = next(c for c in reversed(bot.api.calls) if c.chat_id == GROUP.id).result
        update = bot.updates.message_text(WANG, "价格上限是多少？", chat=GROUP)
        update["message"]["reply_to_message"] = bot_message
        (answer,) = to_group(await bot.push(update))
        assert "134.50" in answer or "134.5" in answer


async def test_a_group_is_answered_at_most_a_few_times_a_minute(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running_bot(engine) as bot:
        await linked_group(bot, engine, monkeypatch)
        answered = 0
        for _ in range(FLOOD_ANSWERS + 3):
            answered += len(to_group(await bot.push(mention(bot, WANG, "需要英国手机号吗"))))
    assert answered == FLOOD_ANSWERS


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_group_linked_to_no_cohort_gets_no_answer(engine: Engine) -> None:
    async with running_bot(engine) as bot:
        await bot.push(bot.updates.bot_added_to_group(WANG, GROUP))
        assert to_group(await bot.push(mention(bot, WANG, "需要英国手机号吗？"))) == []
