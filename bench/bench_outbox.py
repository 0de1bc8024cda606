"""The outbox over real HTTP on 127.0.0.1: rate achieved, busiest second, lost, duplicated.

Two runs, as issue 9 asks: 10,000 recipients in paid-broadcast mode (1,000/s) and 600 at
30/s, each with 1 % of sends answered 429 (``retry_after`` 1 s) and 0.5 % of chats having
blocked the bot (403). The fake Bot API runs in its own process (``bench.fake_server``) and
records every send as it arrives; the sender runs here against a SQLite (WAL) outbox.

Figures, one JSON line each (``{"name", "value", "unit", "baseline", "ratio"}``):

- **rate**: sends that arrived ÷ time, while the broadcast still had first attempts to
  send (the retries of the last second's 429s trail after it), against the limit.
- **busiest second**: the most sends that arrived in any one-second window (sliding),
  against the limit; **windows over** counts the arrivals that made a window exceed it.
- **lost**: recipients who had not blocked the bot and got nothing; **duplicated**:
  messages beyond the first to one recipient. Both must be 0.

``OUTBOX_BENCH_SHORT=1`` (or ``python -m bench.bench_outbox --short``) runs 1,000 and 90
recipients instead, for CI. Also measured, as evidence for not using it: PTB's
``AIORateLimiter`` at 30/s, no network, its busiest second from a standing start.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from telegram import Bot
from telegram.ext import AIORateLimiter
from telegram.request import HTTPXRequest

from bench import results
from bot.db.engine import make_engine
from bot.db.migrate import upgrade
from bot.outbox import store
from bot.outbox.limiter import SendLimiter
from bot.outbox.sender import OutboxSender, SenderConfig
from bot.outbox.store import Message
from tests.fakebotapi import DEFAULT_TOKEN
from tests.fakebotapi.traffic import busiest_second

FIRST_CHAT = 5_000_000


@dataclass(frozen=True)
class Run:
    name: str
    recipients: int
    per_second: int
    paid: bool


def emit(name: str, value: float, unit: str, baseline: float | None = None) -> None:
    results.emit(name, value, unit, baseline)


async def _send_all(run: Run, url: str, folder: Path) -> float:
    engine = make_engine(f"sqlite:///{folder / f'{run.name}.sqlite3'}")
    upgrade(engine)
    chats = range(FIRST_CHAT, FIRST_CHAT + run.recipients)
    broadcast_id = store.enqueue(
        engine, [Message(chat_id=c, text=f"<b>News</b> {c}") for c in chats]
    )
    # httpcore walks every pooled connection on every request: a small pool is cheaper
    concurrency = 16 if run.paid else 8
    config = SenderConfig(
        batch_size=max(50, run.per_second // 2),
        concurrency=concurrency,
        poll_seconds=0.05,
        paid_broadcast=run.paid,
    )
    limiter = SendLimiter(run.per_second)
    request = HTTPXRequest(connection_pool_size=concurrency, read_timeout=10)
    cpu = time.process_time()  # this process only (the fake server runs in its own)
    async with Bot(DEFAULT_TOKEN, base_url=f"{url}/bot", request=request) as bot:
        sender = OutboxSender(engine, bot, limiter, config)
        task = asyncio.create_task(sender.run())
        while True:
            counts = await asyncio.to_thread(store.status_counts, engine, broadcast_id)
            if not counts.get("pending") and not counts.get("sending"):
                break
            await asyncio.sleep(0.2)
        await sender.stop()
        await task
    await limiter.aclose()
    engine.dispose()
    return (time.process_time() - cpu) / run.recipients


def measure(run: Run, folder: Path) -> dict[str, float]:
    faults = {"flood_share": 0.01, "blocked_share": 0.005, "retry_after": 1, "seed": 9}
    result = folder / f"{run.name}.json"
    command = [
        sys.executable,
        "-m",
        "bench.fake_server",
        json.dumps({"faults": faults}),
        str(result),
    ]
    pipes: dict[str, Any] = {"stdin": subprocess.PIPE, "stdout": subprocess.PIPE, "text": True}
    with subprocess.Popen(command, **pipes) as server:
        assert server.stdout is not None and server.stdin is not None
        try:
            url = server.stdout.readline().strip()
            cpu_per_message = asyncio.run(_send_all(run, url, folder))
            server.stdin.write("stop\n")
            server.stdin.flush()
            server.wait(30)
        finally:
            if server.poll() is None:
                server.kill()
    seen: dict[str, Any] = json.loads(result.read_text())
    return report(run, seen, cpu_per_message)


def report(run: Run, seen: dict[str, Any], cpu_per_message: float) -> dict[str, float]:
    arrivals = sorted(t for t, _ in seen["arrivals"])
    first_attempts: dict[int, float] = {}
    for moment, chat in seen["arrivals"]:
        first_attempts.setdefault(chat, moment)
    backlog_end = max(first_attempts.values())
    during = [t for t in arrivals if t <= backlog_end]
    rate = (len(during) - 1) / (backlog_end - arrivals[0])
    busiest = busiest_second(arrivals)
    over = _arrivals_over(arrivals, run.per_second)
    delivered = Counter({int(chat): n for chat, n in seen["delivered"].items()})
    blocked = set(seen["blocked"])
    expected = set(range(FIRST_CHAT, FIRST_CHAT + run.recipients)) - blocked
    lost = len(expected - set(delivered))
    duplicated = sum(n - 1 for n in delivered.values() if n > 1)
    prefix = f"outbox {run.name}: {run.recipients} recipients at {run.per_second}/s"
    emit(f"{prefix}, rate", rate, "messages/s", run.per_second)
    emit(f"{prefix}, busiest second", busiest, "messages", run.per_second)
    emit(f"{prefix}, arrivals over the limit", over, "messages", None)
    emit(f"{prefix}, lost", lost, "recipients", None)
    emit(f"{prefix}, duplicated", duplicated, "messages", None)
    # What one core could sustain: the sender's own CPU (event loop + database threads).
    emit(f"{prefix}, sender CPU per message", cpu_per_message * 1e6, "µs", None)
    injected = seen["injected"]
    print(
        f"# {prefix}: injected 429 ×{injected.get('429', 0)}, 403 ×{injected.get('403', 0)} "
        f"({len(blocked)} chats); refused by limits: {seen['refusals'] or 0}",
        flush=True,
    )
    return {"rate": rate, "busiest": busiest, "over": over, "lost": lost, "duplicated": duplicated}


def _arrivals_over(arrivals: list[float], limit: int) -> int:
    """How many arrivals came when ``limit`` had already arrived within the last second."""
    over, start = 0, 0
    for end, moment in enumerate(arrivals):
        while arrivals[start] <= moment - 1.0:
            start += 1
        over += end - start + 1 > limit
    return over


async def aio_rate_limiter_burst(per_second: int = 30, calls: int = 90) -> int:
    """PTB's AIORateLimiter from a standing start: sends in its busiest second."""
    limiter = AIORateLimiter(overall_max_rate=per_second, group_max_rate=0)
    times: list[float] = []

    async def send() -> bool:
        times.append(time.monotonic())
        return True

    await asyncio.gather(
        *(limiter.process_request(send, (), {}, "sendMessage", {"chat_id": c}, None)
          for c in range(1, calls + 1))
    )  # fmt: skip
    return busiest_second(times)


def main(*, short: bool | None = None) -> None:
    os.environ.setdefault("PTB_TIMEDELTA", "true")  # PTB 22 warns on every RetryAfter otherwise
    if short is None:
        short = (
            results.short() or os.environ.get("OUTBOX_BENCH_SHORT") == "1" or "--short" in sys.argv
        )
    runs = [
        Run("paid", 1_000 if short else 10_000, 1000, paid=True),
        Run("free", 90 if short else 600, 30, paid=False),
    ]
    print("\noutbox: broadcasts over HTTP to the fake Bot API (1% 429, 0.5% 403)", flush=True)
    with tempfile.TemporaryDirectory() as folder:
        for run in runs:
            measure(run, Path(folder))
    burst = asyncio.run(aio_rate_limiter_burst())
    emit("baseline: PTB AIORateLimiter at 30/s, busiest second", burst, "messages", 30)


if __name__ == "__main__":
    main()
