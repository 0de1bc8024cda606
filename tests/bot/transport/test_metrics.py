"""``/metrics``: only for the holder of the metrics token, and the figures move by what happened.

The real Application runs over the fake Bot API (``running_bot``); ``/metrics`` is scraped
through ``httpx.ASGITransport`` before and after a seller's walk and a broadcast, and the
difference must be exactly what the walk and the broadcast did. The counters are
process-wide (other tests in this worker move them too), hence differences, not values.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine
from starlette.applications import Starlette

from bot.app import metrics_collectors
from bot.db.units import Database
from bot.outbox.sender import OutboxSender
from bot.transport.web import make_web_app
from tests.bot.broadcasts.broadcast_helpers import (
    OWNER_A,
    ask_and_answer,
    cohort,
    latest_draft,
    seller,
    tap,
    two_providers,
)
from tests.bot.outbox.outbox_helpers import FAST, fast_limiter, until_done
from tests.harness import BotHarness, running_bot
from tests.updates import TelegramUser

TOKEN = "scrape-me-0123456789abcdef"
ANN = TelegramUser(8101, "Ann", "en")
Samples = Mapping[tuple[str, frozenset[tuple[str, str]]], float]


def web_for(bot: BotHarness, engine: Engine, *, token: str | None = TOKEN) -> Starlette:
    assert bot.app is not None
    # ttl=0: every scrape reads the database, so the test sees the figures of this moment
    collectors = metrics_collectors(Database(engine), ttl=0)
    return make_web_app(
        bot.app, engine, webhook_path=None, secret=None, metrics_token=token, collectors=collectors
    )


async def get(web: Starlette, **headers: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=web)
    async with httpx.AsyncClient(transport=transport, base_url="http://bot") as client:
        return await client.get("/metrics", headers=headers)


async def scrape(web: Starlette) -> Samples:
    response = await get(web, Authorization=f"Bearer {TOKEN}")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def moved(after: Samples, before: Samples, name: str, **labels: str) -> float:
    return value(after, name, **labels) - value(before, name, **labels)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_without_a_token_setting_there_is_no_metrics_route(engine: Engine) -> None:
    async with running_bot(engine) as bot:
        response = await get(web_for(bot, engine, token=None), Authorization=f"Bearer {TOKEN}")
    assert response.status_code == 404


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_scraper_without_the_token_is_refused(engine: Engine) -> None:
    async with running_bot(engine) as bot:
        web = web_for(bot, engine)
        missing = await get(web)
        wrong = await get(web, Authorization="Bearer not-the-token-at-all")
        basic = await get(web, Authorization=f"Basic {TOKEN}")
    assert missing.status_code == 401 and missing.headers["www-authenticate"] == "Bearer"
    assert wrong.status_code == 403
    assert basic.status_code == 401
    for response in (missing, wrong, basic):
        assert "bot_updates" not in response.text


async def test_a_seller_walk_moves_the_update_figures_by_its_updates(engine: Engine) -> None:
    async with running_bot(engine) as bot:
        web = web_for(bot, engine)
        before = await scrape(web)
        await bot.begin(ANN, "en", "uk", "uk_business")  # /start, then three buttons
        await bot.say(ANN, "Acme Trading Ltd")
        await bot.say(ANN, "not a company number")  # refused: still handled, "ok"
        await bot.say(ANN, "sc123456")
        state = bot.seller(ANN).state
        after = await scrape(web)

    assert moved(after, before, "bot_updates_total", kind="message", outcome="ok") == 4
    assert moved(after, before, "bot_updates_total", kind="callback_query", outcome="ok") == 3
    assert moved(after, before, "bot_updates_total", kind="message", outcome="error") == 0
    assert moved(after, before, "bot_update_seconds_count", kind="message") == 4
    assert moved(after, before, "bot_update_seconds_count", kind="callback_query") == 3
    assert moved(after, before, "bot_update_seconds_sum", kind="message") > 0
    # every update wrote in at least one transaction
    assert moved(after, before, "bot_db_transaction_seconds_count", outcome="commit") >= 7
    assert value(after, "bot_applications", state=state) == 1
    assert sum(v for (name, _), v in after.items() if name == "bot_applications") == 1
    # the process's own figures come with them
    assert value(after, "process_resident_memory_bytes") > 0
    # no label carries the seller's id
    assert not [key for key in after if str(ANN.id) in str(key)]


async def test_a_broadcast_moves_the_outbox_figures_by_its_deliveries(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # PTB 22 warns on every RetryAfter otherwise
    provider_a, _ = two_providers(engine, monkeypatch)
    uk = cohort(engine, provider_a, "uk", "UK January")
    for chat in (8201, 8202, 8203):
        seller(engine, chat, uk)
    async with running_bot(engine) as bot:
        assert bot.app is not None
        web = web_for(bot, engine)
        await bot.say(OWNER_A, "/broadcast")
        draft = latest_draft(engine, OWNER_A).id or 0
        await tap(bot, OWNER_A, "co", f"{draft}.{uk}")
        await ask_and_answer(bot, OWNER_A, draft, "text:en", "Hello sellers")
        await tap(bot, OWNER_A, "cont", f"{draft}.")
        before = await scrape(web)
        await tap(bot, OWNER_A, "send", f"{draft}.")
        queued = await scrape(web)
        broadcast = latest_draft(engine, OWNER_A).broadcast_id
        assert broadcast is not None
        bot.api.fail_next("sendMessage", error_code=403, chat_id=8203)
        bot.api.fail_next("sendMessage", error_code=429, retry_after=1, chat_id=8202)
        # the running bot's sender: the Application's bot, through its retrying limiter
        sender = OutboxSender(engine, bot.app.bot, fast_limiter(), FAST)
        task = asyncio.create_task(sender.run())
        try:
            done = await until_done(engine, broadcast)
            during = await scrape(web)
        finally:
            await sender.stop()
            await asyncio.wait_for(task, 15)
        after = await scrape(web)

    assert (done.sent, done.blocked, done.failed) == (2, 1, 0)
    assert value(queued, "bot_outbox_backlog", kind="broadcast") == 3
    assert value(after, "bot_outbox_backlog", kind="broadcast") == 0
    assert moved(after, before, "bot_outbox_deliveries_total", status="sent") == 2
    assert moved(after, before, "bot_outbox_deliveries_total", status="blocked") == 1
    assert moved(after, before, "bot_outbox_deliveries_total", status="failed") == 0
    forbidden = {"method": "sendMessage", "error": "Forbidden"}
    assert moved(after, before, "bot_telegram_errors_total", **forbidden) == 1
    too_many = {"method": "sendMessage", "error": "RetryAfter"}
    assert moved(after, before, "bot_telegram_errors_total", **too_many) == 1
    assert moved(after, before, "bot_telegram_retry_after_seconds_count", method="sendMessage") == 1
    assert moved(after, before, "bot_telegram_retry_after_seconds_sum", method="sendMessage") >= 1
    assert value(during, "bot_outbox_sender_lock_held") == 1
    assert value(after, "bot_outbox_sender_lock_held") == 0
    # the admin's "send" tap was a callback handled by the composer
    assert moved(after, before, "bot_updates_total", kind="callback_query", outcome="ok") == 1
