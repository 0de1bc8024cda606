"""Webhook with the right secret: 200 means the update is safe, anything else is refused.

Oversized bodies get 413 without being read whole, invalid updates 400 and are not
processed, and an update the database could not take gets 503 so Telegram delivers it
again, and is then applied once.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from bot.db.engine import make_engine
from bot.db.models import Seller
from bot.transport.web import MAX_BODY_BYTES
from tests.bot.transport.test_webhook import ANN, WEBHOOK_PATH, Bot, seller_count, webhook_bot
from tests.fakebotapi import Call
from tests.snapshots import SellerSnapshot, snapshot

CHUNK = 64 * 1024
UNREACHABLE = {
    "sqlite": "sqlite:////nonexistent-folder/bot.sqlite3",
    "postgres": "postgresql+psycopg://postgres@127.0.0.1:9/nowhere?connect_timeout=2",
}


@pytest.fixture
async def bot(engine: Engine) -> AsyncIterator[Bot]:
    async with webhook_bot(engine) as harness:
        yield harness
    assert not harness.errors, f"a handler raised {harness.errors[0]!r}"


class Body:
    """A 100 MB body streamed in chunks, counting how many the server asked for."""

    def __init__(self, total: int = 100 * 1024 * 1024) -> None:
        self.total = total
        self.sent = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while self.sent * CHUNK < self.total:
            self.sent += 1
            yield b" " * CHUNK


def seller_row(engine: Engine, user: Any) -> SellerSnapshot:
    with Session(engine) as session:
        seller = session.exec(select(Seller).where(Seller.telegram_user_id == user.id)).one()
        return snapshot(session, seller)


def _messages(bot: Bot) -> list[Call]:
    return [call for call in bot.api.calls if call.method == "sendMessage"]


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_body_over_1_mb_gets_413_without_being_read_whole(bot: Bot, declared: bool) -> None:
    body = Body()
    headers = {"X-Telegram-Bot-Api-Secret-Token": bot.secret}
    if declared:
        headers["Content-Length"] = str(body.total)
    response = await bot.client.post(WEBHOOK_PATH, content=body, headers=headers)
    assert response.status_code == 413
    assert body.sent * CHUNK <= MAX_BODY_BYTES + 2 * CHUNK  # stopped at the limit
    if declared:
        assert body.sent <= 1  # refused on the header alone
    follow_up = await bot.post(bot.updates.message_text(ANN, "/start"), secret=bot.secret)
    assert follow_up.status_code == 200


def _nested(depth: int) -> bytes:
    return b'{"update_id": 1, "message": ' + b'{"a": ' * depth + b"1" + b"}" * (depth + 1)


def _update(**fields: Any) -> bytes:
    return json.dumps({"update_id": 7, **fields}).encode()


CHAT = {"id": 5101, "type": "private"}
FROM = {"id": 5101, "is_bot": False, "first_name": "Ann"}
MESSAGE = {"message_id": 1, "date": 1700000000, "chat": CHAT, "from": FROM, "text": "/start"}


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"[" * 100_000 + b"]" * 100_000, id="array-nested-100000-deep"),
        pytest.param(_nested(100_000), id="object-nested-100000-deep"),
        pytest.param(b'{"update_id": "abc", "message": {}}', id="update-id-a-string"),
        pytest.param(_update(update_id=True, message=MESSAGE), id="update-id-a-bool"),
        pytest.param(_update(update_id=-1, message=MESSAGE), id="update-id-negative"),
        pytest.param(_update(message={**MESSAGE, "chat": None}), id="message-without-chat"),
        pytest.param(_update(message={**MESSAGE, "chat": {"id": "5101"}}), id="chat-id-a-string"),
        pytest.param(_update(message={**MESSAGE, "text": 42}), id="text-a-number"),
        pytest.param(_update(message={**MESSAGE, "from": {"id": 1}}), id="from-without-fields"),
        pytest.param(
            _update(message={**MESSAGE, "photo": [{"file_id": 1}]}), id="photo-without-fields"
        ),
        pytest.param(
            _update(callback_query={"id": "1", "chat_instance": "1", "data": "a|market|uk"}),
            id="callback-without-from",
        ),
        pytest.param(_update(message=MESSAGE, edited_message=MESSAGE), id="two-kinds"),
        pytest.param(_update(update_id=2**70, message=MESSAGE), id="update-id-past-64-bits"),
        pytest.param(
            _update(message={**MESSAGE, "chat": {"id": 2**70, "type": "private"}}),
            id="chat-id-past-64-bits",
        ),
        pytest.param(
            _update(message={**MESSAGE, "from": {**FROM, "id": -(2**64)}}),
            id="user-id-past-64-bits",
        ),
    ],
)
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_what_is_not_a_valid_update_gets_400_and_is_not_processed(
    bot: Bot, engine: Engine, body: bytes
) -> None:
    response = await bot.post(body, secret=bot.secret)
    assert response.status_code == 400
    assert _messages(bot) == [] and seller_count(engine, ANN) == 0
    follow_up = await bot.post(bot.updates.message_text(ANN, "/start"), secret=bot.secret)
    assert follow_up.status_code == 200  # same connection, still served


async def test_200_comes_only_after_the_update_was_applied_and_answered(
    bot: Bot, engine: Engine
) -> None:
    response = await bot.post(bot.updates.message_text(ANN, "/start"), secret=bot.secret)
    assert response.status_code == 200
    assert seller_count(engine, ANN) == 1  # no waiting: processed before the answer
    assert len(_messages(bot)) == 1


async def test_during_a_database_outage_updates_get_503_then_redelivered_apply_once(
    engine: Engine, database_url: str
) -> None:
    async with webhook_bot(engine) as before:
        assert (
            await before.post(before.updates.message_text(ANN, "/start"), secret=before.secret)
        ).status_code == 200
        tap = before.updates.callback(ANN, "a|language|en", 1)
    backend = "sqlite" if database_url.startswith("sqlite") else "postgres"
    stopped = make_engine(UNREACHABLE[backend])
    try:
        async with webhook_bot(engine, store_engine=stopped) as down:
            for _ in range(2):
                response = await down.post(tap, secret=down.secret)
                assert response.status_code == 503
            assert _messages(down) == [], "no reply and no apology: Telegram will resend"
            assert down.errors and all(isinstance(e, OperationalError) for e in down.errors)
    finally:
        stopped.dispose()
    async with webhook_bot(engine) as back:  # the database is back; Telegram redelivers
        for _ in range(2):
            response = await back.post(tap, secret=back.secret)
            assert response.status_code == 200
        assert len(_messages(back)) == 1, "applied and answered once"
        assert not back.errors
    seller = seller_row(engine, ANN)
    assert (seller.state, seller.version) == ("market", 2)
