"""Shared steps of the review tests: a seller walked to submission, the outbox drained,
the notices an admin received, and their buttons."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, func, select

from bot.db.models import Application, Delivery
from flows.tracks import MARKET_OF_TRACK
from tests.bot.sellers.test_seller_journeys import JOURNEYS
from tests.fakebotapi import Call
from tests.harness import BotHarness
from tests.updates import TelegramUser


def crossborder(code: str) -> list[Any]:
    """The UK cross-border journey with ``code`` as its invite code (step 4)."""
    steps = list(JOURNEYS["uk_crossborder"])
    steps[4] = lambda bot, user: bot.say(user, code)
    return steps


async def submit_crossborder(
    bot: BotHarness, seller: TelegramUser, *, locale: str, code: str, start: str = "/start"
) -> int:
    """A seller (who opened ``start``) walks the cross-border track and submits; the id."""
    return await submit_journey(
        bot, seller, locale=locale, track="uk_crossborder", steps=crossborder(code), start=start
    )


async def submit_journey(
    bot: BotHarness,
    seller: TelegramUser,
    *,
    locale: str,
    track: str,
    steps: list[Any],
    start: str = "/start",
) -> int:
    """A seller (who opened ``start``) walks ``track`` with ``steps`` and submits; the id.

    The photos' file ids are made known to the fake Bot API, as Telegram knows every file
    a user sent, so the review notices can send them on by id."""
    for file_id in ("legal-rep-id", "ktp", "product-photo-1"):
        bot.api.add_file(file_id, b"\xff\xd8 jpeg")
    await bot.say(seller, start)
    await bot.tap(seller, locale)
    for value in (MARKET_OF_TRACK[track], track):  # a cohort may have chosen them already
        if value in _button_values(bot, seller):
            await bot.tap(seller, value)
    for step in steps:
        await step(bot, seller)
    await bot.tap(seller, "done")
    await bot.tap(seller, "submit")
    snapshot = bot.seller(seller)
    assert snapshot.state == "submitted", snapshot
    return snapshot.application_id


def _button_values(bot: BotHarness, user: TelegramUser) -> list[str]:
    keyboard = bot.last_keyboard(user)["reply_markup"]["inline_keyboard"]
    return [button["callback_data"].rsplit("|", 1)[-1] for row in keyboard for button in row]


async def drained(engine: Engine, *, timeout: float = 15.0) -> None:
    """Wait until the outbox has nothing pending or in flight."""

    def unsent() -> int:
        with Session(engine) as session:
            return int(
                session.exec(
                    select(func.count())
                    .select_from(Delivery)
                    .where(col(Delivery.status).in_(("pending", "sending")))
                ).one()
            )

    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while await asyncio.to_thread(unsent):
        assert loop.time() < deadline, "outbox not drained"
        await asyncio.sleep(0.05)


def received(bot: BotHarness, user: TelegramUser, since: int = 0) -> list[Call]:
    """What the bot sent to ``user`` (replies and outbox deliveries) after call ``since``."""
    return [call for call in bot.api.sent_to(user.id) if bot.api.calls.index(call) >= since]


def texts(calls: list[Call]) -> str:
    return "\n".join(
        str(call.params.get("text") or call.params.get("caption") or "") for call in calls
    )


def review_button(calls: list[Call], op: str) -> tuple[str, int]:
    """The callback data of the last ``adm_r|<op>|…`` button among ``calls``, and its message."""
    for call in reversed(calls):
        result = call.result if isinstance(call.result, dict) else {}
        for row in (result.get("reply_markup") or {}).get("inline_keyboard", []):
            for button in row:
                if button.get("callback_data", "").startswith(f"adm_r|{op}|"):
                    return button["callback_data"], int(result["message_id"])
    raise LookupError(f"no adm_r|{op} button in {[c.method for c in calls]}")


def application(engine: Engine, application_id: int) -> Application:
    with Session(engine) as session:
        found = session.get(Application, application_id)
        assert found is not None
        session.expunge(found)
        return found
