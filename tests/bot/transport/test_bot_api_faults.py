"""Telegram faults: every update applied once, every reply delivered once or logged, no
false apology.

The real ``Application`` polls a fake Bot API that, for a window, answers every call
(``getUpdates`` included) with 500s, 502s, timeouts, or applies the call and loses the
answer (``tests.fakebotapi.faults``). Time is compressed: the window and the bot's retry
delays are about 1/15 of production's (a 30 s outage against 8 attempts, 1 s…10 s apart).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import warnings
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import Application
from telegram.request import HTTPXRequest
from telegram.warnings import PTBDeprecationWarning

from bot.app import build_application
from bot.db.models import Application as ApplicationRow
from bot.db.models import Seller, StepEvent
from bot.platform.settings import Settings
from bot.transport.context import translator
from bot.transport.retries import RetryingRateLimiter, retryable
from tests.fakebotapi import settle
from tests.fakebotapi.faults import FaultMode, FaultyBotAPI
from tests.updates import TelegramUser, UpdateFactory

SELLERS = tuple(TelegramUser(8100 + n, f"Seller{n}", "en") for n in range(4))
SCRIPT = ("a|language|en", "a|market|uk", "a|track|uk_business", "Acme Trading Ltd")
PATH = [("language", "market"), ("market", "track"), ("track", "company_name"),
        ("company_name", "company_number")]  # fmt: skip
WINDOW = 2.0  # "30 s" of faults


class Running:
    def __init__(self, api: FaultyBotAPI, app: Application) -> None:  # type: ignore[type-arg]
        self.api = api
        self.app = app
        self.updates = UpdateFactory.for_api(api)
        self.errors: list[BaseException] = []

    def push(self, user: TelegramUser, step: str) -> None:
        if step.startswith("a|"):
            self.api.push_update(self.updates.callback(user, step, 1))
        else:
            self.api.push_update(self.updates.message_text(user, step))


@pytest.fixture
async def running(engine: Engine) -> AsyncIterator[Running]:
    async with FaultyBotAPI() as api:
        settings = Settings(
            bot_token=api.token,  # type: ignore[arg-type]
            bot_api_url=api.url,
            database_url=str(engine.url),
        )
        request = HTTPXRequest(connect_timeout=1.0, read_timeout=1.0, pool_timeout=2.0)
        limiter = RetryingRateLimiter(30, attempts=8, first_delay=0.1, max_delay=0.6)
        app = build_application(settings, engine=engine, request=request, rate_limiter=limiter)
        harness = Running(api, app)

        async def record(_update: object, context: Any) -> None:
            harness.errors.append(context.error)

        app.add_error_handler(record)
        await app.initialize()
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        try:
            yield harness
        finally:
            await app.updater.stop()
            await app.stop()
            await app.shutdown()


def _replies(api: FaultyBotAPI, user: TelegramUser) -> list[str]:
    return [call.text or "" for call in api.sent_to(user.id) if call.method == "sendMessage"]


@pytest.mark.parametrize("mode", ["500", "502", "timeout", "lost"])
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_through_a_fault_window_updates_apply_once_and_replies_arrive_once_or_are_logged(
    running: Running, engine: Engine, mode: FaultMode, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot")
    api, app = running.api, running.app
    for user in SELLERS:
        running.push(user, "/start")
    await settle(app, api, timeout=20)

    api.start_faults(mode, seconds=WINDOW)
    for step in SCRIPT:  # sent while Telegram misbehaves, the first as the fault begins
        for user in SELLERS:
            running.push(user, step)
        await asyncio.sleep(WINDOW / len(SCRIPT))
    await settle(app, api, timeout=60)
    assert api.faulted_calls > 0

    with Session(engine) as session:
        for user in SELLERS:
            seller = session.exec(select(Seller).where(Seller.telegram_user_id == user.id)).one()
            application = session.get(ApplicationRow, seller.current_application_id)
            assert application is not None
            events = session.exec(
                select(StepEvent)
                .where(StepEvent.application_id == application.id)
                .order_by(col(StepEvent.id))
            ).all()
            assert [(e.from_state, e.to_state) for e in events] == PATH, user
            assert application.state == "company_number"

    undelivered = [r for r in caplog.records if "not confirmed delivered" in r.getMessage()]
    apology = translator("en")("error_internal")
    for user in SELLERS:
        replies = _replies(api, user)
        assert apology not in replies
        assert len(replies) == len(set(replies)), "a reply was delivered twice"
    delivered = sum(len(_replies(api, user)) for user in SELLERS)
    expected = len(SELLERS) * (len(SCRIPT) + 1)
    assert delivered <= expected
    assert delivered + len(undelivered) >= expected, "a reply was lost without a log line"
    if mode in ("500", "502"):  # retried past the window: each attempt waits at least that
        assert (delivered, len(undelivered)) == (expected, 0)
    if mode == "lost":  # Telegram acted on every call; none was sent again
        assert delivered == expected
    assert all(isinstance(error, NetworkError) for error in running.errors), running.errors


def _retry_after(seconds: int) -> RetryAfter:
    with warnings.catch_warnings():  # PTB 22 warns on every RetryAfter until PTB_TIMEDELTA
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        return RetryAfter(dt.timedelta(seconds=seconds))


def _sent_and_lost() -> NetworkError:
    try:
        raise httpx.ReadTimeout("read")
    except httpx.ReadTimeout as cause:
        error = TimedOut()
        error.__cause__ = cause
        return error


def _not_sent() -> NetworkError:
    error = NetworkError("httpx.ConnectError: refused")
    error.__cause__ = httpx.ConnectError("refused")
    return error


@pytest.mark.parametrize(
    ("error", "endpoint", "expected"),
    [
        (_retry_after(3), "sendMessage", True),
        (NetworkError("Bad Gateway"), "sendMessage", True),  # a 5xx answer
        (_not_sent(), "sendMessage", True),
        (_sent_and_lost(), "sendMessage", False),  # Telegram may have sent it: no duplicate
        (_sent_and_lost(), "sendDocument", False),
        (_sent_and_lost(), "editMessageReplyMarkup", True),  # doing it twice is harmless
        (_sent_and_lost(), "answerCallbackQuery", True),
        (BadRequest("Message is too long"), "sendMessage", False),
        (Forbidden("bot was blocked by the user"), "sendMessage", False),
    ],
)
def test_what_is_retried(error: Exception, endpoint: str, expected: bool) -> None:
    assert retryable(error, endpoint) is expected


async def test_a_429_waits_retry_after_for_that_request_only_and_retries_are_bounded() -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    limiter = RetryingRateLimiter(1000, attempts=3, first_delay=0.5, sleep=sleep)
    calls = 0

    async def flooded(*_args: Any) -> bool:
        nonlocal calls
        calls += 1
        raise _retry_after(7)

    await limiter.initialize()
    with pytest.raises(RetryAfter):
        await limiter.process_request(flooded, (), {}, "sendMessage", {"chat_id": 1}, None)
    assert calls == 3 and len(waits) == 2 and all(6.9 < wait < 8 for wait in waits)

    async def five_hundred(*_args: Any) -> bool:
        raise NetworkError("Internal Server Error")

    waits.clear()
    with pytest.raises(NetworkError):
        await limiter.process_request(five_hundred, (), {}, "editMessageText", {}, None)
    assert waits == [0.5, 1.0]  # doubling backoff
    await limiter.shutdown()
