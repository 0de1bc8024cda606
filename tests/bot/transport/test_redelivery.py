"""Redelivery by identity, across two OS processes sharing the database.

Two real ``python -m bot run`` workers each receive EVERY update of several sellers'
bursts (as if Telegram redelivered everything to the other worker). Each worker takes a
seller's updates in order, without waiting for the bot's replies. Bursts mix valid answers,
refused ones, ``/back`` (a write whose double application would show) and ``/status``.
Afterwards each seller is exactly where the burst applied once, in order, leads, and each
update was answered once (a refusal too: issue 18): no valid answer lost (the order check
of ``seller.last_update_id`` dropped most of them), none applied twice. Then update ids
start again from 1, as Telegram does after a week of silence: the seller's next message
is applied, not taken for a redelivery.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from bot.db.engine import make_engine
from bot.db.models import ProcessedUpdate, StepEvent
from bot.transport.web import SECRET_HEADER
from tests.fakebotapi import Call, FakeBotAPI
from tests.processes import BotProcess, running_processes
from tests.snapshots import seller_snapshot
from tests.updates import TelegramUser, UpdateFactory

SELLERS = 5
FIRST_USER_ID = 880_001
TIMEOUT = 20.0
NIK, TAX_ID, PHONE = "3174055012900001", "01.855.081.4-412.000", "0812-3456-7890"


@dataclass(frozen=True)
class Step:
    """One update of the burst and whether, applied in order, it writes."""

    kind: str  # "text" or "photo"
    value: str
    writes: bool


BURST = [
    Step("text", "12", False),  # not a NIK
    Step("text", NIK, True),  # → tax_id
    Step("text", "/back", True),  # → nik
    Step("text", NIK, True),  # → tax_id
    Step("text", "abc", False),  # not a tax id
    Step("text", TAX_ID, True),  # → ktp_photo
    Step("text", "hello", False),  # a photo is wanted
    Step("photo", "ktp-1", True),  # → phone
    Step("text", "/back", True),  # → ktp_photo
    Step("photo", "ktp-2", True),  # → phone (the second photo replaces the first)
    Step("text", "/status", False),
    Step("text", "123", False),  # not a phone number
    Step("text", PHONE, True),  # → products
]
WRITES = sum(step.writes for step in BURST)
PATH = [
    ("nik", "tax_id"), ("tax_id", "nik"), ("nik", "tax_id"), ("tax_id", "ktp_photo"),
    ("ktp_photo", "phone"), ("phone", "ktp_photo"), ("ktp_photo", "phone"), ("phone", "products"),
]  # fmt: skip
SETUP = [("language", "en"), ("market", "id"), ("track", "id_individual")]


class Workers:
    """Posts updates to the two workers and waits for the bot's messages."""

    def __init__(self, api: FakeBotAPI, workers: tuple[BotProcess, ...], secret: str) -> None:
        self.api = api
        self.workers = workers
        self.secret = secret
        self.client = httpx.AsyncClient(timeout=TIMEOUT)
        self.updates = UpdateFactory.for_api(api)

    async def post(self, worker: BotProcess, update: dict[str, Any]) -> None:
        response = await self.client.post(
            worker.local_webhook_url, json=update, headers={SECRET_HEADER: self.secret}
        )
        assert response.status_code == 200, f"{worker.name}: {response.status_code}"

    def messages(self, user: TelegramUser) -> list[Call]:
        return [call for call in self.api.sent_to(user.id) if call.method == "sendMessage"]

    async def until(self, done: Callable[[], bool], what: str) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + TIMEOUT
        while not done():
            if loop.time() > deadline:
                raise TimeoutError(what)
            await asyncio.sleep(0.05)

    async def one_by_one(self, user: TelegramUser, update: dict[str, Any]) -> None:
        """One update to the first worker, handled before returning."""
        before = len(self.messages(user))
        await self.post(self.workers[0], update)
        await self.until(lambda: len(self.messages(user)) > before, f"no reply to {user.id}")

    async def set_up(self, user: TelegramUser) -> None:
        """``/start`` and the three buttons up to the NIK question, one worker, in turn."""
        await self.one_by_one(user, self.updates.message_text(user, "/start"))
        for step, value in SETUP:
            keyboard = next(c for c in reversed(self.messages(user)) if c.inline_keyboard)
            message_id = keyboard.result["message_id"]
            update = self.updates.callback(user, f"a|{step}|{value}", message_id)
            await self.one_by_one(user, update)

    def make(self, user: TelegramUser, step: Step) -> dict[str, Any]:
        if step.kind == "photo":
            return self.updates.photo(user, step.value, f"u-{step.value}")
        return self.updates.message_text(user, step.value)

    async def burst(self, user: TelegramUser) -> None:
        """Every update of the burst to both workers; each worker gets them in order."""
        updates = [self.make(user, step) for step in BURST]

        async def feed(worker: BotProcess) -> None:
            for update in updates:
                await self.post(worker, update)

        await asyncio.gather(*(feed(worker) for worker in self.workers))


@pytest.fixture
def shared_engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
async def workers(database_url: str, tmp_path: Path) -> AsyncIterator[Workers]:
    async with FakeBotAPI() as api:
        processes = tuple(
            BotProcess(
                name=f"worker-{name}", token=api.token, api_url=api.url,
                database_url=database_url, log_dir=tmp_path,
                extra_env={"RATE_LIMIT_PER_SECOND": "1000"},
            )
            for name in "ab"
        )  # fmt: skip
        async with running_processes(*processes):
            registered = await api.wait_for(lambda call: call.method == "setWebhook")
            found = Workers(api, processes, registered.params["secret_token"])
            try:
                yield found
            finally:
                await found.client.aclose()
            for process in processes:
                assert "Traceback" not in process.stderr, process.report()


async def test_two_workers_given_every_update_apply_each_once_and_lose_none(
    workers: Workers, shared_engine: Engine
) -> None:
    users = [TelegramUser(FIRST_USER_ID + n, f"Burst{n}", "en") for n in range(SELLERS)]
    await asyncio.gather(*(workers.set_up(user) for user in users))
    replies_before = {user.id: len(workers.messages(user)) for user in users}

    await asyncio.gather(*(workers.burst(user) for user in users))

    # Every update is answered once (its copy is skipped), a refusal or /status too.
    expected = len(BURST)
    for user in users:
        await workers.until(
            lambda user=user: len(workers.messages(user)) - replies_before[user.id] >= expected,
            f"{user.id}: {len(workers.messages(user)) - replies_before[user.id]} of {expected}",
        )
    await asyncio.sleep(0.5)  # nothing more may follow
    with Session(shared_engine) as session:
        for user in users:
            seller = seller_snapshot(session, user.id)
            events = session.exec(
                select(StepEvent)
                .where(StepEvent.application_id == seller.application_id)
                .order_by(col(StepEvent.id))
            ).all()
            path = [(event.from_state, event.to_state) for event in events]
            assert path[len(SETUP) :] == PATH, user.id
            assert seller.state == "products", user.id
            assert seller.answers["ktp_photo"]["file_id"] == "ktp-2", user.id
            assert seller.answers["nik"] == NIK, user.id
            assert seller.version == 1 + len(SETUP) + WRITES, user.id
            assert len(workers.messages(user)) - replies_before[user.id] == expected, user.id
        recorded = session.exec(select(func.count()).select_from(ProcessedUpdate)).one()
        assert recorded == SELLERS * (1 + len(SETUP) + len(BURST))  # /start, taps, burst

    # Telegram starts numbering again (a week of silence; the demo on every run).
    restarted = UpdateFactory.for_api(workers.api)
    seller = users[0]
    before = len(workers.messages(seller))
    back = restarted.message_text(seller, "/back")
    assert back["update_id"] == 1
    await workers.post(workers.workers[1], back)
    await workers.until(lambda: len(workers.messages(seller)) > before, "the /back was dropped")
    with Session(shared_engine) as session:
        stored = seller_snapshot(session, seller.id)
        assert stored.state == "phone"
