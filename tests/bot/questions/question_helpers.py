"""Shared steps of the question tests: a provider with a UK cohort, a Chinese seller in it
mid-flow, the notices an admin got and replies to them."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.db.models import Ticket
from tests.bot.providers.review_helpers import drained, received
from tests.bot.providers.test_providers import new_cohort, provider_from_cli
from tests.fakebotapi import Call
from tests.harness import BotHarness
from tests.updates import TelegramUser

OWNER = TelegramUser(7101, "Lin", language_code="zh-hans")
OTHER_OWNER = TelegramUser(7102, "Budi", language_code="id")
ZHANG = TelegramUser(8101, "Zhang", language_code="zh-hans")


async def crossborder_seller_in_cohort(
    bot: BotHarness, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> int:
    """A provider (owned by ``OWNER``) with a UK cross-border cohort, and ``ZHANG`` in it,
    at the Unified Social Credit Code step; the cohort's id."""
    provider_from_cli(engine, monkeypatch, "星河出海服务", OWNER.id)
    cohort, token = await new_cohort(bot, OWNER, "uk track=uk_crossborder 英国跨境一批")
    await bot.say(ZHANG, f"/start {token}")
    for value in ("zh_Hans", "uk", "uk_crossborder"):
        await bot.tap(ZHANG, value)
    reply = await bot.say(ZHANG, "深圳市星河贸易有限公司")
    assert bot.seller(ZHANG).state == "uscc", (bot.seller(ZHANG), reply)
    return cohort


def tickets(engine: Engine) -> list[Ticket]:
    with Session(engine) as session:
        rows = session.exec(select(Ticket).order_by(col(Ticket.id))).all()
        for row in rows:
            session.expunge(row)
        return list(rows)


def keyboard_data(calls: list[Call], prefix: str) -> tuple[str, int]:
    """The callback data of the last button starting with ``prefix``, and its message."""
    for call in reversed(calls):
        result = call.result if isinstance(call.result, dict) else {}
        for row in (result.get("reply_markup") or {}).get("inline_keyboard", []):
            for button in row:
                if button.get("callback_data", "").startswith(prefix):
                    return button["callback_data"], int(result["message_id"])
    raise LookupError(f"no {prefix} button in {[c.method for c in calls]}")


async def notice_to(bot: BotHarness, engine: Engine, admin: TelegramUser, since: int) -> Call:
    """The ticket notice the outbox delivered to ``admin`` after call ``since``."""
    await drained(engine)
    found = [c for c in received(bot, admin, since) if "🙋" in str(c.params.get("text", ""))]
    assert found, [c.params.get("text") for c in received(bot, admin, since)]
    return found[-1]


async def reply_to(
    bot: BotHarness, user: TelegramUser, message: dict[str, Any], text: str
) -> list[Call]:
    """``user`` replies to the bot's ``message`` in their private chat."""
    update = bot.updates.message_text(user, text)
    update["message"]["reply_to_message"] = message
    return await bot.push(update)
