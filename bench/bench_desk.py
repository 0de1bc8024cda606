"""The review desk's pages at 100,000 applications, on SQLite and PostgreSQL.

Two providers, 50 cohorts (40 of the first provider's, 2,000 applications each), one
application in ten waiting for review (a third of those resubmitted), most others
approved; three step events each. Every page is asked for through the desk's real ASGI
routes (``bot.desk.web.Desk``: the ``initData`` check, the admin check, the query, the
HTML), in-process over ``httpx``; the Telegram side (file downloads) is not part of it.

Measured (median of 5, after one warm-up): the queue (waiting, oldest first), the queue
filtered by cohort and market, the approved ones, one application, a cohort page, and
its funnel chart (a picture, not a page). Target: every page under 300 ms. The baseline
is one ``SELECT count(*) FROM application`` on that database.

``BENCH_SHORT=1`` uses 5,000 applications. Printed as JSON lines.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import Engine, text
from starlette.applications import Starlette

from bench import results
from bot.db.engine import make_engine
from bot.db.migrate import upgrade
from bot.db.units import Database
from bot.desk.init_data import sign
from bot.desk.limits import PerUserLimit
from bot.desk.web import Desk
from bot.platform.settings import Settings
from tests.processes import empty_database

APPLICATIONS = 100_000
SHORT = 5_000
COHORTS = 50
OWNER = 900_000_001
TOKEN = "123456789:AAEhBOweik6ad9r_QXMENQjcrGbqCr4K-ro"
TARGET_MS = 300.0
NOW = dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC)
TRACK = "uk_business"


@dataclass
class _Bot:
    username: str = "BenchBot"


def _counter(count: int) -> str:
    return f"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {count}) "


def _at(postgres: bool, seconds: str) -> str:
    if postgres:
        return f"(TIMESTAMPTZ '2026-09-01 00:00:00+00' + ({seconds}) * INTERVAL '1 second')"
    return f"datetime('2026-09-01 00:00:00', '+' || ({seconds}) || ' seconds')"


def fill(engine: Engine, applications: int) -> None:
    postgres = engine.dialect.name == "postgresql"
    upgrade(engine)
    started = "(i * 77) % 7776000"
    created = _at(postgres, started)
    submitted = _at(postgres, f"{started} + 8000")
    answers = """'{"company_name": "Company ' || i || ' Ltd", "phone": "+447400123456"}'"""
    if postgres:
        answers = f"CAST({answers} AS JSON)"
    state = "CASE WHEN i % 10 = 3 THEN 'submitted' WHEN i % 10 < 7 THEN 'approved' ELSE 'phone' END"
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO provider (id, name, created_at) VALUES (1, 'P', :t), (2, 'Q', :t)"),
            {"t": NOW},
        )
        connection.execute(
            text(
                _counter(COHORTS)
                + "INSERT INTO cohort (id, provider_id, market, name, join_token, "
                "track, archived, rules, product_rules, created_at) SELECT i, "
                "CASE WHEN i <= 40 THEN 1 ELSE 2 END, CASE WHEN i % 2 = 0 THEN 'uk' ELSE 'id' END, "
                "'Cohort ' || i, 'c_bench_' || i, NULL, false, '{}', '{}', :t FROM n"
            ),
            {"t": NOW},
        )
        connection.execute(
            text(
                "INSERT INTO admin (telegram_user_id, provider_id, role, locale, notify_reviews, "
                "created_at) VALUES (:owner, 1, 'owner', 'en', true, :t)"
            ),
            {"owner": OWNER, "t": NOW},
        )
        connection.execute(
            text(
                _counter(applications) + "INSERT INTO seller (id, telegram_user_id, chat_id, "
                "locale, blocked, created_at) "
                f"SELECT i, 100000000 + i, 100000000 + i, 'en', false, {created} FROM n"
            )
        )
        connection.execute(
            text(
                _counter(applications) + "INSERT INTO application (id, seller_id, market, track, "
                "state, answers, cohort_id, version, created_at, updated_at, submitted_at, "
                "decided_at, state_since, furthest_state, rejections) "
                f"SELECT i, i, CASE WHEN (i % {COHORTS} + 1) % 2 = 0 THEN 'uk' ELSE 'id' END, "
                f"'{TRACK}', {state}, {answers}, i % {COHORTS} + 1, 3, {created}, {submitted}, "
                f"CASE WHEN i % 10 < 7 THEN {submitted} END, "
                f"CASE WHEN i % 10 < 3 THEN {submitted} END, {submitted}, {state}, "
                "CASE WHEN i % 30 = 3 THEN 1 ELSE 0 END FROM n"
            )
        )
        for j, (before, after) in enumerate(
            (("language", "market"), ("market", "track"), ("track", "company_name")), start=1
        ):
            at = _at(postgres, f"{started} + {j * 60}")
            connection.execute(
                text(
                    _counter(applications) + "INSERT INTO stepevent (application_id, from_state, "
                    f"to_state, actor, created_at, seconds) SELECT i, '{before}', '{after}', "
                    f"'seller', {at}, 60 FROM n"
                )
            )
    if postgres:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    else:
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))


async def _timed(http: httpx.AsyncClient, path: str, headers: dict[str, str]) -> float:
    samples = []
    for attempt in range(6):
        start = time.perf_counter()
        answer = await http.get(path, headers=headers)
        elapsed = time.perf_counter() - start
        assert answer.status_code == 200, (path, answer.status_code, answer.text[:200])
        if attempt:  # the first is the warm-up
            samples.append(elapsed)
    return statistics.median(samples) * 1000


async def measure(backend: str, applications: int, directory: Path) -> None:
    with empty_database(backend, directory) as url:
        engine = make_engine(url)
        try:
            begin = time.perf_counter()
            await asyncio.to_thread(fill, engine, applications)
            print(
                f"desk bench, {backend}: {applications:,} applications filled in "
                f"{time.perf_counter() - begin:.1f} s",
                flush=True,
            )
            settings = Settings(bot_token=TOKEN, webapp_url="https://desk.example.com")  # type: ignore[arg-type]
            desk = Desk(
                settings=settings,
                db=Database(engine),
                bot=_Bot(),  # type: ignore[arg-type]
                limit=PerUserLimit(burst=10_000),
            )
            app = Starlette(routes=desk.routes())
            raw = sign(
                {"id": OWNER, "language_code": "en"}, token=TOKEN, auth_date=int(time.time())
            )
            headers = {"Authorization": f"tma {raw}"}
            start = time.perf_counter()
            with engine.connect() as connection:
                connection.execute(text("SELECT count(*) FROM application")).scalar_one()
            baseline = (time.perf_counter() - start) * 1000
            waiting = applications // 2 // 10 * 10 + 3  # one submitted application, mid-table
            pages = {
                "queue (waiting, oldest first)": "/desk/api/queue",
                "queue (cohort 4, UK)": "/desk/api/queue?cohort=4&market=uk",
                "queue (approved)": "/desk/api/queue?state=approved",
                "one application": f"/desk/api/applications/{waiting}",
                "a cohort (funnel, stalled, codes, link)": "/desk/api/cohorts/4",
                "a cohort's funnel chart (picture)": "/desk/api/cohorts/4/funnel.png",
            }
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://desk") as http:
                for name, path in pages.items():
                    ms = await _timed(http, path, headers)
                    label = f"desk {backend}: {name}, {applications:,} applications"
                    results.emit(f"{label} (vs one count(*))", ms, "ms", baseline)
                    if "picture" not in name and ms > TARGET_MS:
                        print(f"  over the {TARGET_MS:.0f} ms target: {name}", flush=True)
        finally:
            engine.dispose()


def main(*, short: bool = False, backends: tuple[str, ...] = ("sqlite", "postgres")) -> None:
    print("\ndesk: the review desk's pages at scale", flush=True)
    with tempfile.TemporaryDirectory() as directory:
        for backend in backends:
            asyncio.run(measure(backend, SHORT if short else APPLICATIONS, Path(directory)))


if __name__ == "__main__":
    main(short=results.short())
