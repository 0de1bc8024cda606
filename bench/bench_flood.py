"""One seller flooding the bot: how long five other sellers wait for an answer (issue 18).

The real ``Application`` at Telegram's reply budget (30 messages/s, the default settings)
on the in-process Bot API. One seller sends 200 messages a second for 10 s (2,000 updates;
``BENCH_SHORT=1``: 3 s); meanwhile five bystanders each send ``/status``, wait for the
answer, pause 0.3 s and ask again. The figure is the bystanders' p99 from sending to the
reply, against their p99 with nobody flooding (same run, same bot). Target: ≤ 1 s.

Two ways in, as the running bot has them:

- **polling**: updates are put on the Application's ``update_queue``, as PTB's ``Updater``
  does after ``getUpdates``;
- **webhook**: Telegram's side is 100 connections posting the updates in arrival order to
  the bot's Starlette route (``bot.transport.web``), each waiting for the answer.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from telegram import Update

from bench.bench_flow import percentile
from bench.databases import BACKENDS, migrated_database, postgres_reachable
from bench.results import emit, short
from bot.app import build_application
from bot.db.engine import make_engine
from bot.offline.demo import DEMO_TOKEN
from bot.offline.demo_user import DemoUser
from bot.offline.local_api import LocalBotAPI, SentMessage
from bot.platform.settings import Settings
from bot.transport.web import make_web_app

FLOOD_PER_SECOND = 200
BYSTANDERS = 5
CONNECTIONS = 100  # Telegram's webhook ``max_connections`` at its highest
FLOODER = 900_001
Deliver = Callable[[dict[str, Any]], Awaitable[None]]


class Replies:
    """Wakes whoever waits for the next message to a chat."""

    def __init__(self) -> None:
        self.waiting: dict[int, asyncio.Future[float]] = {}
        self.flooder = 0

    def __call__(self, message: SentMessage) -> None:
        if message.chat_id == FLOODER:
            self.flooder += 1
        future = self.waiting.pop(message.chat_id, None)
        if future is not None and not future.done():
            future.set_result(time.perf_counter())

    def expect(self, chat_id: int) -> asyncio.Future[float]:
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.waiting[chat_id] = future
        return future


async def bystander(
    user: DemoUser, deliver: Deliver, replies: Replies, until: float
) -> list[float]:
    """``/status`` again and again until ``until``; each answer's latency."""
    latencies: list[float] = []
    chat_id = int(user.user["id"])
    while time.perf_counter() < until:
        answered = replies.expect(chat_id)
        start = time.perf_counter()
        await deliver(user.text("/status"))
        latencies.append(await asyncio.wait_for(answered, timeout=300) - start)
        await asyncio.sleep(0.3)
    return latencies


async def flood(deliver: Deliver, seconds: float) -> None:
    """``FLOOD_PER_SECOND`` messages a second from one seller, paced to the clock."""
    user = DemoUser(user_id=FLOODER, first_update_id=10_000_000)
    start = time.perf_counter()
    for number in itertools.count():
        due = start + number / FLOOD_PER_SECOND
        if due - start >= seconds:
            return
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        await deliver(user.text(f"spam {number}"))


async def measure(
    app: Any, deliver: Deliver, replies: Replies, seconds: float
) -> tuple[list[float], list[float]]:
    """Bystanders' latencies alone, then during a flood of ``seconds``."""
    users = [
        DemoUser(user_id=800_001 + n, first_update_id=n * 100_000 + 1) for n in range(BYSTANDERS)
    ]
    for user in (*users, DemoUser(user_id=FLOODER, first_update_id=9_000_000)):
        answered = replies.expect(int(user.user["id"]))
        await deliver(user.text("/start"))
        await asyncio.wait_for(answered, timeout=60)
    quiet_until = time.perf_counter() + min(seconds, 3.0)
    quiet = await asyncio.gather(*(bystander(u, deliver, replies, quiet_until) for u in users))
    flood_until = time.perf_counter() + seconds
    flooding = asyncio.create_task(flood(deliver, seconds))
    busy = await asyncio.gather(*(bystander(u, deliver, replies, flood_until) for u in users))
    await flooding
    return [x for xs in quiet for x in xs], [x for xs in busy for x in xs]


def bot(url: str, replies: Replies) -> tuple[Any, LocalBotAPI]:
    api = LocalBotAPI(on_send=replies)
    settings = Settings(bot_token=DEMO_TOKEN, database_url=url)  # type: ignore[arg-type]
    engine = make_engine(url)
    app = build_application(settings, engine=engine, request=api)
    app.bot_data["bench_engine"] = engine
    return app, api


async def polling(url: str, seconds: float) -> tuple[list[float], list[float], int]:
    replies = Replies()
    app, _api = bot(url, replies)
    async with app:
        await app.start()

        async def deliver(data: dict[str, Any]) -> None:
            await app.update_queue.put(Update.de_json(data, app.bot))

        try:
            quiet, busy = await measure(app, deliver, replies, seconds)
        finally:
            await app.stop()
    app.bot_data["bench_engine"].dispose()
    return quiet, busy, app.update_processor.dropped


async def webhook(url: str, seconds: float) -> tuple[list[float], list[float], int]:
    replies = Replies()
    app, _api = bot(url, replies)
    web = make_web_app(app, app.bot_data["bench_engine"], webhook_path="/hook", secret="s")
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    async with (
        app,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=web), base_url="http://bot") as client,
    ):

        async def connection() -> None:
            while True:
                data = await queue.get()
                response = await client.post(
                    "/hook", json=data, headers={"X-Telegram-Bot-Api-Secret-Token": "s"}
                )
                response.raise_for_status()

        async def deliver(data: dict[str, Any]) -> None:
            queue.put_nowait(data)

        connections = [asyncio.create_task(connection()) for _ in range(CONNECTIONS)]
        try:
            quiet, busy = await measure(app, deliver, replies, seconds)
        finally:
            for task in connections:
                task.cancel()
            await asyncio.gather(*connections, return_exceptions=True)
    app.bot_data["bench_engine"].dispose()
    return quiet, busy, app.update_processor.dropped


async def main() -> None:
    seconds = 3.0 if short() else 10.0
    print(f"\none seller at {FLOOD_PER_SECOND}/s for {seconds:g} s, {BYSTANDERS} bystanders")
    for backend in BACKENDS:
        if backend == "postgresql" and not postgres_reachable():
            print("PostgreSQL not reachable: its flood figures are skipped")
            continue
        for mode, run in (("polling", polling), ("webhook", webhook)):
            with migrated_database(backend) as url:
                quiet, busy, dropped = await run(url, seconds)
            name = f"flood {backend} {mode}"
            emit(
                f"{name}: bystanders' p99 (÷ no flood)",
                percentile(busy, 99) * 1000,
                "ms",
                percentile(quiet, 99) * 1000,
            )
            emit(f"{name}: bystanders' p50", percentile(busy, 50) * 1000, "ms")
            emit(f"{name}: flood updates dropped", dropped, "updates", FLOOD_PER_SECOND * seconds)


if __name__ == "__main__":
    asyncio.run(main())
