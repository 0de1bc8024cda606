"""Memory: the bot's RSS with 100,000 stored and 10,000 active sellers, over 3 rounds.

A child process (so nothing else this command did is in its RSS) stores the sellers in
one bulk insert, starts the real Application on the in-process Bot API and, each round,
has every active seller answer once (accepted on the first round, refused after: both
paths). RSS after each round must stay flat; baseline: the RSS before the first round.

``BENCH_SHORT=1``: 10,000 stored, 1,000 active.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

from sqlalchemy import insert

from bench.databases import BACKENDS, migrated_database, postgres_reachable
from bench.results import emit, short
from bot.db.engine import make_engine
from bot.db.models import Application, Seller, utcnow

ROUNDS = 3
FIRST_USER = 50_000_000


def rss_mb() -> float:
    """This process's resident set size, in MB (Linux ``/proc``)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * 4096 / 1e6


def seed(url: str, stored: int) -> None:
    """``stored`` sellers, each at the company-name step of the cross-border track."""
    engine = make_engine(url)
    now = utcnow()
    answers = {"language": "en", "market": "uk", "track": "uk_crossborder"}
    with engine.begin() as connection:
        for start in range(0, stored, 10_000):
            numbers = range(start, min(stored, start + 10_000))
            connection.execute(
                insert(Seller),
                [
                    dict(id=n + 1, telegram_user_id=FIRST_USER + n, chat_id=FIRST_USER + n,
                         locale="en", current_application_id=n + 1, blocked=False,
                         created_at=now)
                    for n in numbers
                ],
            )  # fmt: skip
            connection.execute(
                insert(Application),
                [
                    dict(id=n + 1, seller_id=n + 1, market="uk", track="uk_crossborder",
                         state="company_name", answers=answers, version=1,
                         created_at=now, updated_at=now)
                    for n in numbers
                ],
            )  # fmt: skip
    if engine.dialect.name == "postgresql":  # explicit ids: move the sequences past them
        with engine.begin() as connection:
            for table in ("seller", "application"):
                connection.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {stored + 1})"
                )
    engine.dispose()


async def child(url: str, active: int) -> list[float]:
    """RSS before and after each round of every active seller answering once."""
    from telegram import Update

    from bench.bench_flow import bot_app
    from bot.offline.demo_user import DemoUser
    from bot.offline.local_api import LocalBotAPI

    api = LocalBotAPI()
    app = bot_app(url)(api)
    users = [DemoUser(user_id=FIRST_USER + n, first_update_id=n * 10 + 1) for n in range(active)]
    sizes = [rss_mb()]
    async with app:
        for _round in range(ROUNDS):
            for start in range(0, len(users), 500):  # parse as they arrive, not all at once
                batch = []
                for n in range(start, min(len(users), start + 500)):
                    update = Update.de_json(users[n].text(f"Star River {n} Ltd"), app.bot)
                    batch.append(
                        app.update_processor.process_update(update, app.process_update(update))
                    )
                await asyncio.gather(*batch)
            api.forget()  # the request double's own log is not the bot's memory
            sizes.append(rss_mb())
    app.bot_data["bench_engine"].dispose()
    return sizes


def main() -> None:
    stored, active = (10_000, 1_000) if short() else (100_000, 10_000)
    print(f"\nmemory: {stored:,} stored and {active:,} active sellers, {ROUNDS} rounds", flush=True)
    for backend in BACKENDS:
        if backend == "postgresql" and not postgres_reachable():
            print("no PostgreSQL at BENCH_POSTGRES_URL: PostgreSQL figures skipped")
            continue
        with migrated_database(backend) as url:
            seed(url, stored)
            out = subprocess.run(
                [sys.executable, "-m", "bench.bench_memory", url, str(active)],
                check=True, capture_output=True, text=True,
            )  # fmt: skip
        sizes = json.loads(out.stdout.strip().splitlines()[-1])
        for number, size in enumerate(sizes[1:], start=1):
            emit(f"{backend}, RSS after round {number} ÷ before", size, "MB", sizes[0])
        emit(f"{backend}, RSS growth round 1 → {ROUNDS}", sizes[-1] - sizes[1], "MB")


if __name__ == "__main__":
    if len(sys.argv) == 3:  # the child: python -m bench.bench_memory URL ACTIVE
        print(json.dumps(asyncio.run(child(sys.argv[1], int(sys.argv[2])))))
    else:
        main()
