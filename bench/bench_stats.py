"""``/stats`` over 100,000 applications and 1.5 million step events, on SQLite and PostgreSQL.

The data is made by set-based inserts (one ``INSERT … SELECT`` over a recursive counter per
table), all in one cohort: the worst case, where ``/stats`` aggregates every row. Each
application walks 15 events through the ``uk_business`` steps (one edit back to the phone
step on the way); a fifth stop early, a tenth are rejected with two reason codes. The fill
also stores what the writers store as they go: each event's ``seconds`` in its from-state,
and each application's ``state_since``, ``furthest_state`` and ``rejections``.

Measured (median of 3): the database part of ``/stats`` (``funnel.figures``), the charts
(``funnel_png`` + ``daily_png``) and both together; the baseline is one full
``SELECT count(*) FROM stepevent`` (what reading the events once costs on that database).
Targets on PostgreSQL: database ≤ 1 s, with the charts ≤ 2 s.

``STATS_BENCH_SHORT=1`` (or ``--short``) uses 2,000 applications, for CI. Printed as JSON
lines ``{"name", "value", "unit", "baseline", "ratio"}``.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Engine, text
from sqlmodel import Session

from bench import results
from bot.db.engine import make_engine
from bot.db.migrate import upgrade
from bot.reports import funnel
from bot.reports.charts import daily_png, funnel_png
from bot.reports.funnel import Figures, Scope
from bot.reports.funnel_text import funnel_steps
from tests.processes import empty_database

APPLICATIONS = 100_000
SHORT = 2_000
EVENTS_PER_APPLICATION = 15
TRACK = "uk_business"
NOW = dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC)
PATH = [
    "language", "market", "track", "company_name", "company_number", "company_confirm",
    "incorporation_date", "incorporation_certificate", "representative_id", "phone",
    "products", "review", "phone", "review", "submitted", "approved",
]  # fmt: skip
T = TypeVar("T")


def _counter(count: int, *more: str) -> str:
    tables = ", ".join(
        [f"n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {count})", *more]
    )
    return f"WITH RECURSIVE {tables} "


def _at(postgres: bool, seconds: str) -> str:
    """A timestamp ``seconds`` (an SQL expression) after 1 Sep 2026, in each dialect."""
    if postgres:
        return f"(TIMESTAMPTZ '2026-09-01 00:00:00+00' + ({seconds}) * INTERVAL '1 second')"
    return f"datetime('2026-09-01 00:00:00', '+' || ({seconds}) || ' seconds')"


def _stopper(j: int) -> tuple[str, str]:
    """Event ``j`` of an application that stops at the products: back and forth to the phone."""
    if j <= 10:
        return PATH[j - 1], PATH[j]
    return ("products", "phone") if j % 2 else ("phone", "products")


def fill(engine: Engine, applications: int) -> int:
    """A provider, a cohort, ``applications`` sellers and applications, 15 events each."""
    postgres = engine.dialect.name == "postgresql"
    upgrade(engine)
    started = "(i * 77) % 7776000"  # spread over 90 days
    created, updated = _at(postgres, started), _at(postgres, f"{started} + 86400 * (i % 20)")
    steps = ", ".join(
        f"({j}, '{PATH[j - 1]}', '{'rejected' if j == 15 else PATH[j]}', '{_stopper(j)[0]}', "
        f"'{_stopper(j)[1]}')"
        for j in range(1, EVENTS_PER_APPLICATION + 1)
    )
    submitted = _at(postgres, f"{started} + 8000")
    event_at = _at(postgres, f"{started} + j * j * 37 + (i % 97) * j")
    spent = "(2 * j - 1) * 37 + i % 97"  # event j's time minus event j - 1's (or the start)
    last = EVENTS_PER_APPLICATION
    last_event = _at(postgres, f"{started} + {last * last} * 37 + (i % 97) * {last}")
    reasons = """'{"rejection_reasons": ["blurry", "phone"]}'"""
    answers = f"CASE WHEN i % 10 = 1 THEN {reasons} ELSE '{{}}' END"
    if postgres:
        answers = f"CAST({answers} AS JSON)"
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO provider (id, name, created_at) VALUES (1, 'P', :t)"), {"t": NOW}
        )
        connection.execute(
            text(
                "INSERT INTO cohort (id, provider_id, market, name, join_token, track, archived, "
                "rules, product_rules, created_at) VALUES (1, 1, 'uk', 'Bench', 'c_bench', "
                f"'{TRACK}', false, '{{}}', '{{}}', :t)"
            ),
            {"t": NOW},
        )
        connection.execute(
            text(
                _counter(applications) + "INSERT INTO seller (id, telegram_user_id, chat_id, "
                "locale, blocked, created_at) "
                f"SELECT i, 100000000 + i, 100000000 + i, 'en', false, {created} FROM n"
            )
        )
        state = (
            "CASE WHEN i % 5 = 0 THEN 'phone' WHEN i % 10 = 1 THEN 'rejected' ELSE 'approved' END"
        )
        furthest = (
            "CASE WHEN i % 5 = 0 THEN 'products' WHEN i % 10 = 1 THEN 'submitted' "
            "ELSE 'approved' END"
        )
        connection.execute(
            text(
                _counter(applications) + "INSERT INTO application (id, seller_id, market, track, "
                "state, answers, cohort_id, version, created_at, updated_at, submitted_at, "
                "state_since, furthest_state, rejections) "
                f"SELECT i, i, 'uk', '{TRACK}', {state}, "
                f"{answers}, 1, 15, {created}, {updated}, "
                f"CASE WHEN i % 5 = 0 THEN NULL ELSE {submitted} END, {last_event}, {furthest}, "
                "CASE WHEN i % 10 = 1 THEN 1 ELSE 0 END FROM n"
            )
        )
        connection.execute(
            text(
                _counter(applications, f"s(j, f, t, sf, st) AS (VALUES {steps})")
                + "INSERT INTO stepevent (application_id, from_state, to_state, actor, created_at, "
                "seconds) SELECT i, CASE WHEN i % 5 = 0 THEN s.sf ELSE s.f END, "
                "CASE WHEN i % 5 = 0 THEN s.st WHEN s.j = 15 AND i % 10 != 1 THEN 'approved' "
                f"ELSE s.t END, 'seller', {event_at}, {spent} FROM n, s"
            )
        )
        events = connection.execute(text("SELECT count(*) FROM stepevent")).scalar_one()
    if postgres:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    else:
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))
    return int(events)


def _median(run: Callable[[], T], repeats: int = 3) -> tuple[float, T]:
    samples, values = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        values.append(run())
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), values[-1]


def _line(name: str, seconds: float, baseline: float) -> None:
    results.emit(name, seconds * 1000, "ms", baseline * 1000)


def _charts(figures: Figures) -> int:
    day = NOW.date()
    steps = funnel_steps(figures)
    daily = daily_png(cohort="Bench", day=day, days=figures.days, language="en")
    return len(funnel_png(track=TRACK, cohort="Bench", day=day, steps=steps, language="en")) + len(
        daily
    )


def measure(backend: str, applications: int, directory: Path) -> Figures:
    """Fill a new database of ``backend`` and print the figures; returns the last ``Figures``."""
    with empty_database(backend, directory) as url:
        engine = make_engine(url)
        try:
            begin = time.perf_counter()
            events = fill(engine, applications)
            print(
                f"stats bench, {backend}: {applications:,} applications, {events:,} events "
                f"filled in {time.perf_counter() - begin:.1f} s",
                flush=True,
            )

            def scan() -> int:
                with engine.connect() as connection:
                    return int(
                        connection.execute(text("SELECT count(*) FROM stepevent")).scalar_one()
                    )

            def stats() -> Figures:
                with Session(engine) as session:
                    return funnel.figures(
                        session,
                        scope=Scope(cohort_id=1),
                        cohort_track=TRACK,
                        now=NOW,
                        stalled_days=7,
                    )

            baseline, _ = _median(scan)
            database, figures = _median(stats)
            charts, _ = _median(lambda: _charts(figures))
            label = f"{applications:,} applications, {events:,} events"
            _line(f"/stats {backend}: database, {label} (vs one count(*) scan)", database, baseline)
            _line(f"/stats {backend}: charts (vs one count(*) scan)", charts, baseline)
            _line(
                f"/stats {backend}: database + charts (vs one count(*) scan)",
                database + charts,
                baseline,
            )
            return figures
        finally:
            engine.dispose()


def main(*, short: bool | None = None, backends: tuple[str, ...] = ("sqlite", "postgres")) -> None:
    if short is None:
        short = os.environ.get("STATS_BENCH_SHORT") == "1" or "--short" in sys.argv
    print("\nstats: /stats figures and charts over one big cohort", flush=True)
    with tempfile.TemporaryDirectory() as directory:
        for backend in backends:
            measure(backend, SHORT if short else APPLICATIONS, Path(directory))


if __name__ == "__main__":
    main()
