"""Whole updates through the real Application over an in-process Bot API.

Baseline: a bare PTB echo handler through the same request double (what PTB itself costs).
Measured: a seller's text answer (validate, one SQLite WAL transaction in a worker thread,
render, send) — the bot's hot path — and a read-only /status.
"""

from __future__ import annotations

import itertools
import tempfile
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import ApplicationBuilder, MessageHandler, filters

from bench.timing import per_call_async, report
from bot.app import build_application
from bot.db.engine import make_engine
from bot.db.migrate import upgrade
from bot.demo import DEMO_TOKEN, DemoUser
from bot.local_api import LocalBotAPI
from bot.settings import Settings

CALLS = 300


async def _echo_baseline(api: LocalBotAPI) -> float:
    app = ApplicationBuilder().token(DEMO_TOKEN).request(api).get_updates_request(api).build()

    async def echo(update: Update, context: Any) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(update.effective_message.text or "")

    app.add_handler(MessageHandler(filters.TEXT, echo))
    user = DemoUser(user_id=1)
    async with app:

        async def one() -> None:
            await app.process_update(Update.de_json(user.text("hello"), app.bot))

        return await per_call_async(one, calls=CALLS)


async def _seller_updates(api: LocalBotAPI, folder: Path) -> float:
    url = f"sqlite:///{folder / 'bench.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    # Telegram's 30 messages/s cap would hide the bot's own cost: lift it for the benchmark.
    settings = Settings(  # type: ignore[arg-type]
        bot_token=DEMO_TOKEN, database_url=url, rate_limit_per_second=1_000_000
    )
    app = build_application(settings, engine=engine, request=api)
    ids = itertools.count(10_000)
    async with app:

        async def walk_to_phone(user: DemoUser) -> None:
            for data in ("a|language|en", "a|market|uk", "a|track|uk_crossborder"):
                await app.process_update(Update.de_json(user.press(data, 1), app.bot))
            await app.process_update(Update.de_json(user.text("Star River Ltd"), app.bot))

        user = DemoUser(user_id=next(ids))
        await walk_to_phone(user)

        async def wrong_phone() -> None:  # validation error: read, no write, reply
            await app.process_update(Update.de_json(user.text("12345"), app.bot))

        async def status() -> None:
            await app.process_update(Update.de_json(user.text("/status"), app.bot))

        refused = await per_call_async(wrong_phone, calls=CALLS)
        shown = await per_call_async(status, calls=CALLS)

        async def accepted() -> None:  # a fresh seller per call: read, validate, write, reply
            fresh = DemoUser(user_id=next(ids))
            await app.process_update(Update.de_json(fresh.press("a|language|en", 1), app.bot))

        written = await per_call_async(accepted, calls=CALLS)
    engine.dispose()
    report("seller: refused answer (read + validate + reply)", refused)
    report("seller: /status (read + summary + reply)", shown)
    return written


async def main() -> None:
    print("\nupdates through the Application (in-process Bot API, SQLite WAL)")
    api = LocalBotAPI()
    baseline = await _echo_baseline(api)
    report("baseline: bare PTB echo handler", baseline)
    with tempfile.TemporaryDirectory() as folder:
        written = await _seller_updates(api, Path(folder))
    report(
        "seller: accepted answer (create + write + step event)", written, baseline, "echo baseline"
    )
    print(f"{'throughput of accepted answers, one process':<58} {1 / written:9.0f} updates/s")
    if api.unserved:  # a figure with failing Bot API calls in it would be wrong
        raise SystemExit(f"the bot called Bot API methods not played locally: {api.unserved}")
