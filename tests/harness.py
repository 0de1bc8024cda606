"""Drives the real bot ``Application`` through the fake Bot API, as sellers would.

``BotHarness`` builds the application exactly as production does (``build_application``),
polls the fake server over HTTP on 127.0.0.1, and fails the test on any handler error.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session
from telegram.ext import Application

from bot.app import build_application, on_shutdown, on_startup
from bot.platform.settings import Settings
from bot.sellers.companies_house import CompaniesHouseClient
from tests.fakebotapi import Call, FakeBotAPI, settle
from tests.snapshots import SellerSnapshot, seller_snapshot
from tests.updates import TelegramUser, UpdateFactory


class BotHarness:
    """One running application against one fake Bot API; restartable mid-flow."""

    def __init__(
        self,
        api: FakeBotAPI,
        engine: Engine,
        *,
        companies_house: CompaniesHouseClient | None = None,
        superadmin_ids: tuple[int, ...] = (),
    ) -> None:
        self.api = api
        self.superadmin_ids = superadmin_ids
        self.engine = engine
        self.updates = UpdateFactory.for_api(api)
        self.errors: list[BaseException] = []
        self.companies_house = companies_house
        self.app: Application | None = None  # type: ignore[type-arg]

    def settings(self) -> Settings:
        return Settings(
            bot_token=self.api.token,
            bot_api_url=self.api.url,  # type: ignore[arg-type]
            database_url=self.engine.url.render_as_string(hide_password=False),
            superadmin_ids=self.superadmin_ids,
        )

    async def start(self) -> None:
        app = build_application(
            self.settings(), engine=self.engine, companies_house=self.companies_house
        )

        async def fail_on_error(update: object, context: Any) -> None:
            self.errors.append(context.error)

        app.add_error_handler(fail_on_error)
        await app.initialize()
        await on_startup(app)
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        self.app = app

    async def stop(self) -> None:
        app = self.app
        if app is None:
            return
        assert app.updater is not None
        await app.updater.stop()
        await app.stop()
        await on_shutdown(app)
        await app.shutdown()
        self.app = None

    async def push(self, update: dict[str, Any]) -> list[Call]:
        """Send one update and return every Bot API call the bot made for it."""
        assert self.app is not None
        before = len(self.api.calls)
        self.api.push_update(update)
        await settle(self.app, self.api)
        if self.errors:
            raise AssertionError(f"handler raised {self.errors[0]!r}") from self.errors[0]
        return self.api.calls[before:]

    async def say(self, user: TelegramUser, text: str) -> str:
        """Type ``text``; returns the text of the bot's reply."""
        return _reply_text(await self.push(self.updates.message_text(user, text)))

    async def begin(self, user: TelegramUser, language: str, market: str, track: str) -> str:
        """``/start``, then the language, market and track buttons; the first question."""
        await self.say(user, "/start")
        for value in (language, market, track):
            reply = await self.tap(user, value)
        return reply

    async def tap(self, user: TelegramUser, value: str) -> str:
        """Tap the button whose callback value is ``value`` on the latest keyboard."""
        message = self.last_keyboard(user)
        for row in message["reply_markup"]["inline_keyboard"]:
            for button in row:
                if button["callback_data"].rsplit("|", 1)[-1] == value:
                    update = self.updates.callback(
                        user, button["callback_data"], message["message_id"]
                    )
                    return _reply_text(await self.push(update))
        raise LookupError(f"no button {value!r} on {message['reply_markup']}")

    async def tap_data(self, user: TelegramUser, data: str, message_id: int = 1) -> list[Call]:
        """Tap a button with exactly this callback data (an old message's, say)."""
        return await self.push(self.updates.callback(user, data, message_id))

    async def photo(self, user: TelegramUser, file_id: str) -> str:
        return _reply_text(await self.push(self.updates.photo(user, file_id, file_id[-10:])))

    async def document(
        self, user: TelegramUser, name: str, mime: str, data: bytes = b"%PDF-1.4 test"
    ) -> str:
        file_id = f"doc-{name}-{len(self.api.calls)}"
        self.api.add_file(file_id, data)
        update = self.updates.document(user, file_id, name, mime, len(data))
        return _reply_text(await self.push(update))

    def last_keyboard(self, user: TelegramUser) -> dict[str, Any]:
        for call in reversed(self.api.sent_to(user.id)):
            result = call.result if isinstance(call.result, dict) else {}
            if result.get("reply_markup"):
                return result
        raise LookupError("no keyboard sent yet")

    def seller(self, user: TelegramUser) -> SellerSnapshot:
        with Session(self.engine) as session:
            return seller_snapshot(session, user.id)


async def at_products(bot: BotHarness, user: TelegramUser, language: str = "en") -> None:
    """An Indonesian individual seller, at the products step."""
    await bot.begin(user, language, "id", "id_individual")
    for answer in ("3174055012900001", "3174055012900001"):
        await bot.say(user, answer)
    await bot.photo(user, "ktp")
    await bot.say(user, "081234567890")
    assert bot.seller(user).state == "products"


def _reply_text(calls: list[Call]) -> str:
    texts = [call.text or "" for call in calls if call.method in ("sendMessage", "sendDocument")]
    notices = [
        str(call.params.get("text", ""))
        for call in calls
        if call.method == "answerCallbackQuery" and call.params.get("text")
    ]
    return "\n".join(texts + notices)


@contextlib.asynccontextmanager
async def running_bot(engine: Engine, **kwargs: Any) -> AsyncIterator[BotHarness]:
    """A fake Bot API with the bot polling it; everything stopped afterwards."""
    async with FakeBotAPI() as api:
        harness = BotHarness(api, engine, **kwargs)
        await harness.start()
        try:
            yield harness
        finally:
            await harness.stop()
