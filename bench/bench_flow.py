"""Flow throughput: many sellers walking the whole UK cross-border track at once.

Every seller's updates go, interleaved with everybody else's, through the real
``Application`` and its ordered update processor (``bot.transport.ordering``) against the
in-process Bot API (``bot.offline.local_api``). Baseline, in the same run: a bare PTB echo bot
(one reply per update, PTB's own concurrent processor) on the same request double and
the same driver. Figures: updates/s, p50 and p99 of one update's latency under that
load, and the ratio to the echo bot's updates/s. SQLite (WAL) and PostgreSQL.

1,000 sellers (``BENCH_SHORT=1``: 100).
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session
from stdnum.cn import uscc
from telegram import Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    MessageHandler,
    SimpleUpdateProcessor,
    TypeHandler,
    filters,
)

from bench.databases import BACKENDS, migrated_database, postgres_reachable
from bench.results import emit, short
from bot.app import build_application
from bot.db.engine import make_engine
from bot.offline.demo import DEMO_TOKEN
from bot.offline.demo_user import DemoUser
from bot.offline.local_api import LocalBotAPI, SentMessage
from bot.platform.settings import Settings
from bot.providers.codes import store as codes

CONCURRENT = 64  # the bot's default ``concurrent_updates``; the echo bot gets the same
PDF = b"%PDF-1.4 benchmark licence"
INVITE_CODE = "TTS-UK-2026"
# The cross-border track as a seller walks it: ("text", …), ("tap", value), files.
WALK: tuple[tuple[str, str], ...] = (
    ("text", "/start"),
    ("tap", "en"),
    ("tap", "uk"),
    ("tap", "uk_crossborder"),
    ("text", "深圳市星河贸易有限公司"),
    ("uscc", ""),  # each seller's own (a code is shared by at most a few applications)
    ("pdf", "licence.pdf"),
    ("photo", "legal-rep-id"),
    ("text", "tts-uk-2026"),
    ("text", "07400 123456"),
    ("text", "Shop@Example.com"),
    ("tap", "add"),
    ("text", "Wireless Earbuds Bluetooth 5.3"),
    ("text", "£12.99"),
    ("photo", "product-photo-1"),
    ("tap", "images_done"),
    ("text", "30x20x10"),
    ("text", "0.5"),
    ("tap", "done"),
    ("tap", "submit"),
)
Builder = Callable[[LocalBotAPI], Application]  # type: ignore[type-arg]


@dataclass(frozen=True)
class Walked:
    """One run of ``WALK``: updates/s, each update's latency, the request double, and the
    process's CPU seconds per update (every thread; a PostgreSQL server's is not in it)."""

    rate: float
    latencies: list[float]
    api: LocalBotAPI
    cpu_per_update: float


class Keyboards:
    """The newest buttons the bot sent each chat (what a seller's next tap reads)."""

    def __init__(self) -> None:
        self.last: dict[int, tuple[int, list[tuple[str, str]]]] = {}

    def __call__(self, message: SentMessage) -> None:
        if message.buttons:
            self.last[message.chat_id] = (message.message_id, message.buttons)

    def tap(self, chat_id: int, value: str) -> tuple[str, int]:
        message_id, buttons = self.last.get(chat_id, (1, []))
        for _label, data in buttons:
            if data.rsplit("|", 1)[-1] == value:
                return data, message_id
        return f"a|x|{value}", message_id  # the echo bot sends no buttons


def _update(user: DemoUser, api: LocalBotAPI, keys: Keyboards, kind: str, value: str) -> Any:
    chat_id = int(user.user["id"])
    if kind == "text":
        return user.text(value)
    if kind == "tap":
        return user.press(*keys.tap(chat_id, value))
    if kind == "uscc":
        base = f"911100008021{chat_id % 100_000:05d}"
        return user.text(base + uscc.calc_check_digit(base))
    file_id = f"{value}-{chat_id}"
    if kind == "pdf":
        api.add_file(file_id, PDF)
        return user.document(file_id, value, "application/pdf", len(PDF))
    api.add_file(file_id, b"\xff\xd8\xff photo")
    return user.photo(file_id)


async def drive(
    app: Application,  # type: ignore[type-arg]
    api: LocalBotAPI,
    keys: Keyboards,
    sellers: int,
    *,
    first: int = 0,
) -> list[float]:
    """Every seller walks ``WALK`` at once; each update's latency through the processor."""
    latencies: list[float] = []
    processor = app.update_processor

    async def walk(number: int) -> None:
        user = DemoUser(user_id=1_000_000 + number, first_update_id=number * 1000 + 1)
        for kind, value in WALK:
            update = Update.de_json(_update(user, api, keys, kind, value), app.bot)
            start = time.perf_counter()
            await processor.process_update(update, app.process_update(update))
            latencies.append(time.perf_counter() - start)

    await asyncio.gather(*(walk(n) for n in range(first, first + sellers)))
    return latencies


def echo_app(api: LocalBotAPI) -> Application:  # type: ignore[type-arg]
    """A bare PTB bot that answers every update with one message."""
    app = (
        ApplicationBuilder()
        .token(DEMO_TOKEN)
        .request(api)
        .get_updates_request(api)
        .concurrent_updates(SimpleUpdateProcessor(CONCURRENT))
        .build()
    )

    async def echo(update: Update, context: Any) -> None:
        assert update.effective_chat is not None
        text = update.effective_message.text if update.effective_message else None
        await context.bot.send_message(update.effective_chat.id, text or "echo")

    app.add_handler(MessageHandler(filters.ALL, echo))
    app.add_handler(TypeHandler(Update, echo))
    return app


def seed(engine: Engine) -> None:
    """The invite code every cross-border seller of ``WALK`` gives (unlimited uses)."""
    with Session(engine) as session:
        if not codes.invite_code_exists(session, code=INVITE_CODE):
            codes.add_invite_code(session, code=INVITE_CODE, market="uk", max_uses=None)
            session.commit()


def bot_app(url: str) -> Builder:
    """The real bot on ``url`` (Telegram's 30/s cap lifted: it would hide the bot's cost)."""

    def build(api: LocalBotAPI) -> Application:  # type: ignore[type-arg]
        engine = make_engine(url)
        seed(engine)
        settings = Settings(  # type: ignore[arg-type]
            bot_token=DEMO_TOKEN, database_url=url, rate_limit_per_second=1_000_000
        )
        app = build_application(settings, engine=engine, request=api)
        app.bot_data["bench_engine"] = engine
        return app

    return build


async def run(build: Builder, sellers: int) -> Walked:
    """``sellers`` walking the track through ``build``'s bot."""
    keys = Keyboards()
    api = LocalBotAPI(on_send=keys)
    app = build(api)
    async with app:
        start, cpu = time.perf_counter(), time.process_time()
        latencies = await drive(app, api, keys, sellers)
        spent = time.perf_counter() - start
        cpu = time.process_time() - cpu
    engine = app.bot_data.get("bench_engine")
    if engine is not None:
        engine.dispose()
    if api.unserved:  # a figure with failing Bot API calls in it would be wrong
        raise SystemExit(f"the bot called Bot API methods not played locally: {api.unserved}")
    return Walked(len(latencies) / spent, latencies, api, cpu / len(latencies))


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def check_walked(api: LocalBotAPI, sellers: int) -> None:
    """Every seller reached submission (else the figure measured something else)."""
    submitted = {m.chat_id for m in api.sent if "submitted" in m.text.lower()}
    if len(submitted) < sellers:
        raise SystemExit(f"only {len(submitted)} of {sellers} sellers reached submission")


async def throughput(sellers: int) -> None:
    print(f"\nflow throughput: {sellers} sellers × {len(WALK)} updates, interleaved", flush=True)
    echo = await run(echo_app, sellers)
    emit("echo bot (PTB, same request double), throughput", echo.rate, "updates/s")
    emit("echo bot, p99 under load", percentile(echo.latencies, 99) * 1e3, "ms")
    emit("echo bot, CPU per update", echo.cpu_per_update * 1e3, "ms")
    for backend in BACKENDS:
        if backend == "postgresql" and not postgres_reachable():
            print("no PostgreSQL at BENCH_POSTGRES_URL: PostgreSQL figures skipped")
            continue
        with migrated_database(backend) as url:
            flow = await run(bot_app(url), sellers)
        check_walked(flow.api, sellers)
        emit(f"flow {backend}, throughput ÷ echo", flow.rate, "updates/s", echo.rate)
        cpu = flow.cpu_per_update * 1e3
        emit(f"flow {backend}, CPU per update (÷ echo's)", cpu, "ms", echo.cpu_per_update * 1e3)
        emit(f"flow {backend}, p50 under load", percentile(flow.latencies, 50) * 1e3, "ms")
        emit(f"flow {backend}, p99 under load", percentile(flow.latencies, 99) * 1e3, "ms")


def main() -> None:
    asyncio.run(throughput(100 if short() else 1000))


if __name__ == "__main__":
    main()
