"""The webhook side: only Telegram (holding the secret) gets updates in; health and readiness.

The ASGI app of ``bot.transport.web`` runs around the real ``Application`` (``build_application``)
talking to the fake Bot API; requests go through ``httpx.ASGITransport``. The last test
runs ``python -m bot run`` as a real process in webhook mode and stops it with SIGTERM.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, select
from starlette.applications import Starlette
from telegram.ext import Application

from bot.app import build_application
from bot.db.engine import make_engine
from bot.db.models import Seller
from bot.platform.settings import Settings
from bot.transport.web import SECRET_HEADER, make_web_app, webhook_secret
from tests.fakebotapi import DEFAULT_TOKEN, Call, FakeBotAPI
from tests.processes import BotProcess, running_processes
from tests.snapshots import seller_snapshot
from tests.updates import TelegramUser, UpdateFactory

WEBHOOK_PATH = "/telegram"
TELEGRAM_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
ANN = TelegramUser(5101, "Ann", "en")
EVE = TelegramUser(5102, "Eve", "en")


class Bot:
    """A started Application behind the webhook app, and a client for that app."""

    def __init__(
        self,
        api: FakeBotAPI,
        app: Application,  # type: ignore[type-arg]
        web: Starlette,
        client: httpx.AsyncClient,
    ) -> None:
        self.api = api
        self.app = app
        self.web = web
        self.client = client
        self.secret = webhook_secret(api.token, None)
        self.updates = UpdateFactory.for_api(api)
        self.errors: list[BaseException] = []

    async def post(self, update: Any, *, secret: str | None = None) -> httpx.Response:
        """POST an update (a dict is sent as JSON, bytes as they are) with a secret header."""
        headers = {} if secret is None else {SECRET_HEADER: secret}
        body = update if isinstance(update, bytes) else json.dumps(update).encode()
        headers["Content-Type"] = "application/json"
        return await self.client.post(WEBHOOK_PATH, content=body, headers=headers)

    async def reply_to(self, user: TelegramUser, *, after: int = 0) -> Call:
        return await self.api.wait_for(
            lambda call: call.method == "sendMessage" and call.chat_id == user.id, after=after
        )


def seller_count(engine: Engine, user: TelegramUser) -> int:
    with Session(engine) as session:
        statement = (
            select(func.count()).select_from(Seller).where(Seller.telegram_user_id == user.id)
        )
        return int(session.exec(statement).one())


@contextlib.asynccontextmanager
async def webhook_bot(engine: Engine, *, store_engine: Engine | None = None) -> AsyncIterator[Bot]:
    """The real Application behind the webhook app; ``store_engine`` is what the handlers
    use (a stopped database, say), ``engine`` what readiness checks."""
    async with FakeBotAPI() as api:
        settings = Settings(
            bot_token=api.token,  # type: ignore[arg-type]
            bot_api_url=api.url,
            database_url=engine.url.render_as_string(hide_password=False),
        )
        app = build_application(settings, engine=store_engine or engine)
        web = make_web_app(
            app, engine, webhook_path=WEBHOOK_PATH, secret=webhook_secret(api.token, None)
        )
        transport = httpx.ASGITransport(app=web, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://bot.test") as client:
            harness = Bot(api, app, web, client)

            async def fail_on_error(_update: object, context: Any) -> None:
                harness.errors.append(context.error)

            app.add_error_handler(fail_on_error)
            await app.initialize()
            await app.start()
            try:
                yield harness
            finally:
                await app.stop()
                await app.shutdown()


@pytest.fixture
async def bot(engine: Engine) -> AsyncIterator[Bot]:
    async with webhook_bot(engine) as harness:
        yield harness
    assert not harness.errors, f"a handler raised {harness.errors[0]!r}"


# -- the secret ----------------------------------------------------------------------------------


def test_the_derived_secret_is_stable_per_token_and_uses_only_telegrams_characters() -> None:
    other_token = "987654321:BBAnotherFakeTokenForTests-abcdefghij"
    secret = webhook_secret(DEFAULT_TOKEN, None)
    assert secret == webhook_secret(DEFAULT_TOKEN, None) == webhook_secret(DEFAULT_TOKEN, "")
    assert TELEGRAM_SECRET.fullmatch(secret)
    assert TELEGRAM_SECRET.fullmatch(webhook_secret(other_token, None))
    assert webhook_secret(other_token, None) != secret
    assert DEFAULT_TOKEN.split(":")[1] not in secret  # the token itself is not given away


def test_a_configured_secret_wins_over_the_derived_one() -> None:
    assert webhook_secret(DEFAULT_TOKEN, "my_Configured-secret1") == "my_Configured-secret1"


@pytest.mark.parametrize(
    "header",
    [None, "", "wrong", "x" * 64, "SECRET-UPPER"],
    ids=["missing", "empty", "wrong", "wrong-length", "right-but-upper-case"],
)
async def test_an_update_without_the_right_secret_is_refused_and_not_processed(
    bot: Bot, engine: Engine, header: str | None
) -> None:
    if header == "SECRET-UPPER":
        header = bot.secret.upper()
    refused = await bot.post(bot.updates.message_text(EVE, "/start"), secret=header)
    assert refused.status_code == 403

    # An accepted update from someone else, processed to the end, shows the refused one
    # never reached the queue (updates are handled concurrently, but this one came later).
    before = len(bot.api.calls)
    accepted = await bot.post(bot.updates.message_text(ANN, "/start"), secret=bot.secret)
    assert accepted.status_code == 200
    await bot.reply_to(ANN, after=before)
    assert bot.app.update_queue.empty()
    assert bot.api.sent_to(EVE.id) == []
    assert seller_count(engine, EVE) == 0


async def test_an_update_with_the_right_secret_is_processed_and_answered(
    bot: Bot, engine: Engine
) -> None:
    response = await bot.post(bot.updates.message_text(ANN, "/start"), secret=bot.secret)
    assert response.status_code == 200
    reply = await bot.reply_to(ANN)
    assert reply.inline_keyboard, "the first question offers the languages as buttons"
    assert seller_count(engine, ANN) == 1

    before = len(bot.api.calls)
    tap = bot.updates.callback(ANN, "a|language|en", reply.result["message_id"])
    assert (await bot.post(tap, secret=bot.secret)).status_code == 200
    await bot.reply_to(ANN, after=before)
    with Session(engine) as session:
        seller = seller_snapshot(session, ANN.id)
        assert (seller.state, seller.locale, seller.version) == ("market", "en", 2)


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"", b"\xff\xfe\x00", b'{"update_id": 1, "message": {"text": "no date"}}',
     b"{}"],
    ids=["broken-json", "empty-body", "not-utf8", "message-without-fields", "no-update-id"],
)  # fmt: skip
async def test_a_malformed_update_gets_400_and_is_not_queued(bot: Bot, body: bytes) -> None:
    response = await bot.post(body, secret=bot.secret)
    assert response.status_code == 400
    assert bot.app.update_queue.empty()


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"null", id="null"),
        pytest.param(b"[]", id="array"),
        pytest.param(b'"update"', id="string"),
        pytest.param(b"42", id="number"),
        pytest.param(b'{"update_id": 1, "message": "hi"}', id="bad-field"),
    ],
)
async def test_json_that_is_not_an_update_object_gets_400(bot: Bot, body: bytes) -> None:
    response = await bot.post(body, secret=bot.secret)
    assert response.status_code == 400
    assert bot.app.update_queue.empty()


async def test_the_webhook_only_accepts_post(bot: Bot) -> None:
    response = await bot.client.get(WEBHOOK_PATH, headers={SECRET_HEADER: bot.secret})
    assert response.status_code == 405


# -- health and readiness ------------------------------------------------------------------------


async def test_healthz_answers_200(bot: Bot) -> None:
    response = await bot.client.get("/healthz")
    assert (response.status_code, response.text) == (200, "ok")


async def test_readyz_answers_200_on_a_migrated_database(bot: Bot) -> None:
    response = await bot.client.get("/readyz")
    assert (response.status_code, response.json()) == (200, {"database": True})


async def test_readyz_answers_503_on_a_database_that_is_not_migrated(
    bot: Bot, empty_engine: Engine
) -> None:
    web = make_web_app(bot.app, empty_engine, webhook_path=WEBHOOK_PATH, secret=bot.secret)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=web), base_url="http://bot.test"
    ) as client:
        response = await client.get("/readyz")
        health = await client.get("/healthz")
    assert (response.status_code, response.json()) == (503, {"database": False})
    assert health.status_code == 200  # alive, just not ready


async def test_polling_mode_serves_only_the_health_routes(bot: Bot, engine: Engine) -> None:
    web = make_web_app(bot.app, engine, webhook_path=None, secret=None)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=web), base_url="http://bot.test"
    ) as client:
        assert (await client.get("/healthz")).status_code == 200
        update = bot.updates.message_text(ANN, "/start")
        refused = await client.post(WEBHOOK_PATH, json=update, headers={SECRET_HEADER: ""})
    assert refused.status_code == 404
    assert bot.app.update_queue.empty()


# -- the real process ----------------------------------------------------------------------------


async def test_the_bot_process_registers_its_webhook_and_answers_updates_sent_to_it(
    tmp_path: Path,
) -> None:
    database_url = f"sqlite:///{tmp_path / 'data' / 'bot.sqlite3'}"  # folder made at start-up
    async with FakeBotAPI() as api:
        process = BotProcess(
            name="bot", token=api.token, api_url=api.url, database_url=database_url,
            log_dir=tmp_path,
        )  # fmt: skip
        async with running_processes(process):
            set_webhook = await api.wait_for(lambda call: call.method == "setWebhook")
            assert set_webhook.ok
            assert set_webhook.params["url"] == process.webhook_url
            secret = set_webhook.params["secret_token"]
            assert TELEGRAM_SECRET.fullmatch(secret)
            assert secret == webhook_secret(api.token, None)  # what every worker derives

            updates = UpdateFactory.for_api(api)
            start = updates.message_text(ANN, "/start")
            async with httpx.AsyncClient(timeout=5.0) as client:
                for wrong in ({}, {SECRET_HEADER: "wrong"}):
                    refused = await client.post(process.local_webhook_url, json=start,
                                                headers=wrong)  # fmt: skip
                    assert refused.status_code == 403
                accepted = await client.post(
                    process.local_webhook_url, json=start, headers={SECRET_HEADER: secret}
                )
                assert accepted.status_code == 200
                reply = await api.wait_for(
                    lambda call: call.method == "sendMessage" and call.chat_id == ANN.id,
                    timeout=10.0,
                )
                assert reply.inline_keyboard
                assert (await client.get(f"{process.url}/readyz")).status_code == 200
            assert len(api.sent_to(ANN.id)) == 1  # the refused copies were never handled
            log = process.stderr
            assert "Traceback" not in log and " ERROR " not in log
            assert api.token.split(":")[1] not in log

    engine = make_engine(database_url)
    try:
        assert seller_count(engine, ANN) == 1
    finally:
        engine.dispose()


async def test_sigterm_finishes_the_update_in_hand_and_exits_0_saying_stopped_cleanly(
    tmp_path: Path,
) -> None:
    database_url = f"sqlite:///{tmp_path / 'bot.sqlite3'}"
    async with FakeBotAPI() as api:
        process = BotProcess(
            name="bot", token=api.token, api_url=api.url, database_url=database_url,
            log_dir=tmp_path, log_level="INFO",
        )  # fmt: skip
        async with running_processes(process):
            secret = (await api.wait_for(lambda c: c.method == "setWebhook")).params["secret_token"]
            updates = UpdateFactory.for_api(api)
            async with httpx.AsyncClient(timeout=5.0) as client:
                response = await client.post(
                    process.local_webhook_url,
                    json=updates.message_text(ANN, "/start"),
                    headers={SECRET_HEADER: secret},
                )
            assert response.status_code == 200
            exit_code = await process.terminate(timeout=15.0)  # right away: update in hand
            log = process.stderr
            assert exit_code == 0, process.report()
            assert "stopped cleanly" in log
            assert "Traceback" not in log and " ERROR " not in log
            assert len(api.sent_to(ANN.id)) == 1, "the update in hand was answered before exit"
