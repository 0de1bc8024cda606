"""Where admins find the desk: their own menu button, a button under ``/queue`` in their
private chat; sellers never see it, and without ``WEBAPP_URL`` nothing changes."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import Engine

from tests.bot.desk.desk_helpers import DeskHarness
from tests.bot.providers.test_providers import OWNER_A, provider_from_cli
from tests.fakebotapi import Call, FakeBotAPI
from tests.harness import BotHarness, running_bot
from tests.updates import TelegramUser

SELLER = TelegramUser(8301, "Ana", language_code="id")


@contextlib.asynccontextmanager
async def desk_bot(engine: Engine) -> AsyncIterator[DeskHarness]:
    async with FakeBotAPI() as api:
        bot = DeskHarness(api, engine)
        await bot.start()
        try:
            yield bot
        finally:
            await bot.stop()


def web_app_buttons(calls: list[Call]) -> list[dict[str, object]]:
    return [
        button
        for call in calls
        for row in (call.params.get("reply_markup") or {}).get("inline_keyboard", [])
        for button in row
        if "web_app" in button
    ]


def menu_of(bot: BotHarness, chat_id: int) -> dict[str, object] | None:
    menus = bot.api.menu_buttons
    found = menus.get(chat_id) or menus.get(str(chat_id))  # type: ignore[call-overload]
    return found if isinstance(found, dict) else None


async def test_admins_get_the_menu_button_and_queue_button_sellers_nothing(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider_from_cli(engine, monkeypatch, "星河出海服务", OWNER_A.id)
    async with desk_bot(engine) as bot:
        menu = menu_of(bot, OWNER_A.id)  # set at start-up (an owner made by the command line)
        assert menu is not None and menu["type"] == "web_app", bot.api.menu_buttons
        assert menu["web_app"] == {"url": "https://desk.example.com/desk/"}
        await bot.say(OWNER_A, "/help")  # and again, in the language they use
        assert menu_of(bot, OWNER_A.id) == {
            "type": "web_app",
            "text": "审核台",
            "web_app": {"url": "https://desk.example.com/desk/"},
        }
        queue = await bot.push(bot.updates.message_text(OWNER_A, "/queue"))
        assert [b["web_app"] for b in web_app_buttons(queue)] == [
            {"url": "https://desk.example.com/desk/"}
        ]
        seller = await bot.push(bot.updates.message_text(SELLER, "/start"))
        await bot.push(bot.updates.message_text(SELLER, "/queue"))
        assert web_app_buttons(seller) == [] and menu_of(bot, SELLER.id) is None
        assert web_app_buttons(bot.api.sent_to(SELLER.id)) == []


async def test_without_webapp_url_nothing_changes(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider_from_cli(engine, monkeypatch, "星河出海服务", OWNER_A.id)
    async with running_bot(engine) as bot:
        queue = await bot.push(bot.updates.message_text(OWNER_A, "/queue"))
        assert web_app_buttons(queue) == []
        assert menu_of(bot, OWNER_A.id) is None
