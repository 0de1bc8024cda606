"""The error handler apologizes for real bugs, once, and never for a delivery fault."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError
from telegram import Update
from telegram.error import BadRequest, Forbidden, NetworkError, TimedOut

from bot.transport.context import translator
from bot.transport.errors import on_error, unsafe_updates

UPDATE = Update.de_json(
    {
        "update_id": 9,
        "message": {
            "message_id": 1,
            "date": 1700000000,
            "chat": {"id": 42, "type": "private"},
            "from": {"id": 42, "is_bot": False, "first_name": "Ann", "language_code": "en"},
            "text": "hello",
        },
    },
    None,
)


@dataclass
class _Bot:
    sent: list[tuple[int, str]] = field(default_factory=list)

    async def send_message(self, chat_id: int, text: str, **_: Any) -> None:
        self.sent.append((chat_id, text))


def _context(error: BaseException) -> Any:
    services = SimpleNamespace(settings=SimpleNamespace(default_locale="en"))
    return SimpleNamespace(error=error, bot=_Bot(), services=services)


APOLOGY = translator("en")("error_internal")
OUTAGE = OperationalError("SELECT 1", {}, Exception("connection refused"))


@pytest.mark.parametrize(
    "error", [KeyError("x"), AttributeError("y"), BadRequest("Message is too long")]
)
async def test_a_real_bug_gets_one_apology(error: BaseException) -> None:
    context = _context(error)
    await on_error(UPDATE, context)
    assert context.bot.sent == [(42, APOLOGY)]


@pytest.mark.parametrize(
    "error", [NetworkError("Bad Gateway"), TimedOut(), Forbidden("bot was blocked by the user")]
)
async def test_a_reply_telegram_did_not_take_is_logged_and_not_apologized_for(
    error: BaseException,
) -> None:
    context = _context(error)
    await on_error(UPDATE, context)
    assert context.bot.sent == []


async def test_a_database_outage_under_the_webhook_is_reported_there_not_to_the_seller() -> None:
    context = _context(OUTAGE)
    with unsafe_updates() as outages:
        await on_error(UPDATE, context)
    assert outages == [OUTAGE] and context.bot.sent == []
    polled = _context(OUTAGE)  # polling: the update cannot come again; ask to try again
    await on_error(UPDATE, polled)
    assert polled.bot.sent == [(42, APOLOGY)]
