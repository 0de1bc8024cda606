"""Two bot processes, one database: the same sellers' updates go to both workers.

As DESIGN.md's scale-out has it: several webhook workers behind a load balancer share the
database, and a seller's updates are safe through the version column. Here two real
``python -m bot run`` processes (webhook mode, two ports) serve ten sellers at once: each
seller's consecutive updates go to alternate workers, and some sellers tap every button
twice at the same moment, one copy to each worker (a double tap, or a redelivery landing on
the other worker). Afterwards the database must show every seller exactly where their
answers lead: every answer stored once, one step event per step, and ``version`` equal to
1 + the number of writes (each accepted answer writes once and records one step).
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.db.engine import make_engine
from bot.db.models import StepEvent
from bot.transport.web import SECRET_HEADER
from flows.tracks import track_steps
from tests.fakebotapi import Call, FakeBotAPI
from tests.processes import BotProcess, running_processes
from tests.snapshots import all_sellers
from tests.updates import TelegramUser, UpdateFactory

SELLERS = 10
FIRST_USER_ID = 870_001
TIMEOUT = 10.0  # for one update's reply; the whole test takes a few seconds


@dataclass(frozen=True)
class Answer:
    """One answer a seller gives: a tap (``a|<step>|<value>``), text, a photo or a PDF."""

    step: str
    kind: str
    value: str
    stored: Any  # what the seller's answers hold afterwards (a file by its file_id)


def tap(step: str, value: str) -> Answer:
    return Answer(step, "tap", value, value)


SCRIPTS: dict[str, list[Answer]] = {
    "id_individual": [
        tap("market", "id"), tap("track", "id_individual"),
        Answer("nik", "text", "3174 0550 1290 0001", "3174055012900001"),
        Answer("tax_id", "text", "01.855.081.4-412.000", "018550814412000"),
        Answer("ktp_photo", "photo", "ktp", "ktp"),
        Answer("phone", "text", "0812-3456-7890", "+6281234567890"),
    ],
    "id_business": [
        tap("market", "id"), tap("track", "id_business"),
        Answer("company_name", "text", "PT Maju Jaya Abadi", "PT Maju Jaya Abadi"),
        Answer("nib", "text", "9120001234567", "9120001234567"),
        Answer("company_npwp", "text", "0018550814412000", "0018550814412000"),
        Answer("representative_ktp", "photo", "rep-ktp", "rep-ktp"),
        Answer("phone", "text", "+62 812 3456 7890", "+6281234567890"),
    ],
    "uk_individual": [
        tap("market", "uk"), tap("track", "uk_individual"),
        Answer("id_document", "photo", "passport", "passport"),
        Answer("selfie_with_id", "photo", "selfie", "selfie"),
        Answer("address_proof", "pdf", "council-tax.pdf", "council-tax.pdf"),
        Answer("phone", "text", "07400 123456", "+447400123456"),
    ],
}  # fmt: skip
TRACKS = list(SCRIPTS)
LANGUAGES = ("en", "zh_Hans", "id")
TELEGRAM_LANGUAGE = {"en": "en", "zh_Hans": "zh-hans", "id": "id"}


@dataclass(frozen=True)
class Plan:
    """One seller: who, which language and track, and whether they double-tap."""

    user: TelegramUser
    language: str
    track: str
    double_taps: bool

    @property
    def answers(self) -> list[Answer]:
        return [tap("language", self.language), *SCRIPTS[self.track]]

    @property
    def states(self) -> list[str]:
        """The states the seller passes through: the steps up to the products step."""
        steps = [step.id for step in track_steps(self.track)]
        return steps[: steps.index("products") + 1]


def plans() -> list[Plan]:
    return [
        Plan(
            user=TelegramUser(FIRST_USER_ID + n, f"Seller{n}", TELEGRAM_LANGUAGE[LANGUAGES[n % 3]]),
            language=LANGUAGES[n % 3],
            track=TRACKS[n % len(TRACKS)],
            double_taps=n % 2 == 0,
        )
        for n in range(SELLERS)
    ]


class Traffic:
    """Sends a seller's updates to the workers and waits until each has been handled."""

    def __init__(
        self, api: FakeBotAPI, workers: tuple[BotProcess, ...], client: httpx.AsyncClient
    ) -> None:
        self.api = api
        self.workers = workers
        self.client = client
        self.updates = UpdateFactory.for_api(api)
        self.secret = ""

    async def post(self, worker: BotProcess, update: dict[str, Any]) -> None:
        response = await self.client.post(
            worker.local_webhook_url, json=update, headers={SECRET_HEADER: self.secret}
        )
        assert response.status_code == 200, f"{worker.name}: {response.status_code}"

    async def send(self, make: Callable[[], dict[str, Any]], to: list[BotProcess]) -> int:
        """POST an update made by ``make`` to each of ``to`` at once (a double tap is two
        updates, each with its own update id); the index of the calls that follow."""
        before = len(self.api.calls)
        await asyncio.gather(*(self.post(worker, make()) for worker in to))
        return before

    async def calls(self, match: Callable[[Call], bool], count: int, after: int) -> list[Call]:
        """Wait until ``count`` calls since index ``after`` match."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + TIMEOUT
        while True:
            found = [call for call in self.api.calls[after:] if match(call)]
            if len(found) >= count:
                return found
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"{len(found)} of {count} expected calls after {TIMEOUT}s")
            last = len(self.api.calls)
            await self.api.wait_for(lambda _call: True, after=last, timeout=remaining)

    def keyboard_message_id(self, user: TelegramUser) -> int:
        """The bot's latest message with buttons in the seller's chat."""
        for call in reversed(self.api.sent_to(user.id)):
            if call.inline_keyboard:
                message_id: int = call.result["message_id"]
                return message_id
        raise LookupError(f"no keyboard sent to {user.id}")

    def message_update(self, user: TelegramUser, answer: Answer) -> dict[str, Any]:
        if answer.kind == "photo":
            return self.updates.photo(user, answer.value, f"u-{answer.value}")
        if answer.kind == "pdf":
            return self.updates.document(
                user, answer.value, answer.value, "application/pdf", 20_000
            )
        return self.updates.message_text(user, answer.value)

    async def start(self, plan: Plan, worker: int) -> None:
        """``/start``; a double-tapper's first message reaches both workers at once."""
        to = list(self.workers) if plan.double_taps else [self.workers[worker % 2]]
        before = await self.send(lambda: self.updates.message_text(plan.user, "/start"), to)
        await self.calls(self._message_to(plan.user), len(to), before)

    async def answer(self, plan: Plan, answer: Answer, worker: int) -> None:
        """One answer, handled to the end before the seller's next one is sent."""
        user = plan.user
        if answer.kind != "tap":
            before = await self.send(
                lambda: self.message_update(user, answer), [self.workers[worker % 2]]
            )
            await self.calls(self._message_to(user), 1, before)
            return
        message_id = self.keyboard_message_id(user)
        query_ids: list[str] = []

        def tap() -> dict[str, Any]:
            update = self.updates.callback(user, f"a|{answer.step}|{answer.value}", message_id)
            query_ids.append(update["callback_query"]["id"])
            return update

        to = list(self.workers) if plan.double_taps else [self.workers[worker % 2]]
        before = await self.send(tap, to)
        # Each tap ends with answerCallbackQuery (after the reply, if it was accepted).
        answered = await self.calls(
            lambda call: any(self._answer_of(q)(call) for q in query_ids), len(to), before
        )
        accepted = [call for call in answered if not call.params.get("text")]
        assert len(accepted) == 1, f"{user.id} {answer}: {len(accepted)} copies applied"
        replies = [call for call in self.api.calls[before:] if self._message_to(user)(call)]
        assert len(replies) == 1, f"{user.id} {answer}: {len(replies)} replies"

    async def stale_tap(self, plan: Plan, answer: Answer) -> None:
        """An old button tapped again on both workers: refused by both, nothing sent."""
        update = self.updates.callback(
            plan.user, f"a|{answer.step}|{answer.value}", self.keyboard_message_id(plan.user)
        )
        query_id = update["callback_query"]["id"]
        before = await self.send(lambda: update, list(self.workers))  # one update, twice
        answered = await self.calls(self._answer_of(query_id), 2, before)
        assert all(call.params.get("text") for call in answered), "a stale tap was applied"

    async def walk(self, plan: Plan, first_worker: int) -> None:
        worker = first_worker
        await self.start(plan, worker)
        for answer in plan.answers:
            worker += 1
            await self.answer(plan, answer, worker)
        if plan.double_taps:
            await self.stale_tap(plan, plan.answers[2])  # the track button, once more

    @staticmethod
    def _answer_of(query_id: str) -> Callable[[Call], bool]:
        return lambda call: (
            call.method == "answerCallbackQuery"
            and call.params.get("callback_query_id") == query_id
        )

    @staticmethod
    def _message_to(user: TelegramUser) -> Callable[[Call], bool]:
        return lambda call: call.method == "sendMessage" and call.chat_id == user.id


@pytest.fixture
def shared_engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
async def traffic(database_url: str, tmp_path: Path) -> AsyncIterator[Traffic]:
    async with FakeBotAPI() as api:
        workers = tuple(
            BotProcess(
                name=f"worker-{name}", token=api.token, api_url=api.url,
                database_url=database_url, log_dir=tmp_path,
                extra_env={"RATE_LIMIT_PER_SECOND": "1000"},
            )
            for name in "ab"
        )  # fmt: skip
        async with (
            running_processes(*workers),
            httpx.AsyncClient(timeout=TIMEOUT) as client,
        ):
            traffic = Traffic(api, workers, client)
            registered = await api.wait_for(lambda call: call.method == "setWebhook")
            traffic.secret = registered.params["secret_token"]
            yield traffic
            for worker in workers:
                log = worker.stderr
                assert "Traceback" not in log and " ERROR " not in log, worker.report()


def expected_answers(plan: Plan) -> dict[str, Any]:
    answers = {answer.step: answer.stored for answer in plan.answers}
    return answers


def comparable(answers: dict[str, Any]) -> dict[str, Any]:
    """Stored answers with each file reduced to its file id (as ``Answer.stored`` names it)."""
    return {
        key: value["file_id"] if isinstance(value, dict) and "file_id" in value else value
        for key, value in answers.items()
    }


async def test_two_workers_sharing_the_database_neither_lose_nor_duplicate_progress(
    traffic: Traffic, shared_engine: Engine
) -> None:
    sellers = plans()
    await asyncio.gather(*(traffic.walk(plan, n) for n, plan in enumerate(sellers)))

    with Session(shared_engine) as session:
        stored = all_sellers(session)
        assert [seller.telegram_user_id for seller in stored] == [p.user.id for p in sellers]
        for plan, seller in zip(sellers, stored, strict=True):
            label = f"seller {plan.user.id} ({plan.track}, double taps: {plan.double_taps})"
            events = session.exec(
                select(StepEvent)
                .where(StepEvent.application_id == seller.application_id)
                .order_by(col(StepEvent.id))
            ).all()
            path = [(event.from_state, event.to_state) for event in events]
            assert path == list(itertools.pairwise(plan.states)), label
            assert seller.state == "products", label
            assert (seller.track, seller.locale) == (plan.track, plan.language), label
            assert seller.market == SCRIPTS[plan.track][0].value, label
            assert comparable(seller.answers) == expected_answers(plan), label
            assert seller.version == 1 + len(plan.answers) == 1 + len(events), label

    for plan in sellers:  # one reply per update handled, none for refused copies
        replies = [c for c in traffic.api.sent_to(plan.user.id) if c.method == "sendMessage"]
        starts = 2 if plan.double_taps else 1
        assert len(replies) == starts + len(plan.answers), plan.user.id
