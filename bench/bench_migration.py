"""How long migration 0004 (sellers → applications, uploads → rows) takes for many sellers.

Fills a database at revision 0002 with ``SELLERS`` sellers (a quarter just started, the
rest part-way with two uploaded files and two products, a tenth submitted), then times
``upgrade(head)``. Not part of ``make bench`` (it takes a while); run it by hand:

    .venv/bin/python -m bench.bench_migration [sellers] [sqlite|postgres]...
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

from bot.db.engine import make_engine
from bot.db.migrate import upgrade
from tests.processes import empty_database

SELLERS = 100_000
BATCH = 5_000
NOW = dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC)


def _file(file_id: str) -> dict[str, Any]:
    return {
        "file_id": file_id, "file_unique_id": f"u{file_id}", "kind": "photo",
        "mime_type": "image/jpeg", "size": 120_000, "file_name": "",
    }  # fmt: skip


def _seller(n: int) -> dict[str, Any]:
    answers: dict[str, Any] = {"language": "en"}
    state, track, market = "market", None, None
    if n % 4:
        track, market, state = "uk_individual", "uk", "products" if n % 10 else "submitted"
        answers |= {
            "market": "uk", "track": track, "id_document": _file(f"id{n}"),
            "selfie_with_id": _file(f"s{n}"), "phone": "+447400123456",
            "products": [
                {"title": f"Item {n}", "price": "9.99", "currency": "GBP", "images": [f"p{n}"],
                 "package_cm": [10, 10, 5], "weight_kg": "0.5"},
                {"title": f"Item {n}b", "price": "19.00", "currency": "GBP", "images": [],
                 "package_cm": None, "weight_kg": None},
            ],
        }  # fmt: skip
    return {
        "id": n, "telegram_user_id": 10_000_000 + n, "chat_id": 10_000_000 + n, "locale": "en",
        "market": market, "track": track, "state": state, "answers": json.dumps(answers),
        "version": 7, "blocked": False, "created_at": NOW, "last_activity_at": NOW,
        "submitted_at": NOW if state == "submitted" else None,
    }  # fmt: skip


def fill(engine: Engine, sellers: int) -> None:
    """``sellers`` sellers and five step events each, at revision 0002."""
    upgrade(engine, "0002")
    seller_sql = text(
        "INSERT INTO seller (id, telegram_user_id, chat_id, locale, market, track, state, "
        "answers, version, blocked, created_at, last_activity_at, submitted_at) VALUES "
        "(:id, :telegram_user_id, :chat_id, :locale, :market, :track, :state, :answers, "
        ":version, :blocked, :created_at, :last_activity_at, :submitted_at)"
    )
    event_sql = text(
        "INSERT INTO stepevent (seller_id, from_state, to_state, actor, created_at) "
        "VALUES (:seller_id, 'a', 'b', 'seller', :created_at)"
    )
    with engine.begin() as connection:
        for start in range(1, sellers + 1, BATCH):
            ids = range(start, min(start + BATCH, sellers + 1))
            connection.execute(seller_sql, [_seller(n) for n in ids])
            connection.execute(
                event_sql, [{"seller_id": n, "created_at": NOW} for n in ids for _ in range(5)]
            )


def measure(backend: str, sellers: int) -> float:
    with (
        tempfile.TemporaryDirectory() as directory,
        empty_database(backend, Path(directory)) as url,
    ):
        engine = make_engine(url)
        try:
            fill(engine, sellers)
            start = time.perf_counter()
            upgrade(engine)
            elapsed = time.perf_counter() - start
            with engine.connect() as connection:
                counts = {
                    table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
                    for table in ("application", "document", "product", "stepevent")
                }
        finally:
            engine.dispose()
    print(f"migration 0004, {backend}: {sellers:,} sellers in {elapsed:.1f} s  {counts}")
    return elapsed


def main() -> None:
    sellers = int(sys.argv[1]) if len(sys.argv) > 1 else SELLERS
    for backend in sys.argv[2:] or ("sqlite", "postgres"):
        measure(backend, sellers)


if __name__ == "__main__":
    main()
