"""One update at a time through the real Application: latency, SQL and database overhead.

Sellers walk the UK cross-border track (``bench_flow.WALK``) one update at a time, so the
latency is the bot's own, not a queue's. Three figures per database, all from one run:

- **p50 / p99 of one update** (a clean pass, nothing instrumented), against the echo bot's
  p99 on the same request double.
- **SQL statements per accepted update**, counted with SQLAlchemy's
  ``before_cursor_execute`` event over every transaction that recorded its update.
- **database overhead**: the wall time of an accepted answer's transaction (the seller
  store's unit of work: lock, redelivery check, reads, flow step, writes, commit) against
  the very same statements, with the same parameters, through the raw driver (``sqlite3`` /
  ``psycopg``) right after it, on the same database.

100 sellers (``BENCH_SHORT=1``: 10).
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import statistics
import threading
import time
from collections.abc import Iterator
from typing import Any

import psycopg
from sqlalchemy import Engine, event, make_url

from bench import bench_flow
from bench.databases import BACKENDS, migrated_database, postgres_reachable
from bench.results import emit, short
from bot.offline.local_api import LocalBotAPI
from bot.sellers import store as sellers

Statement = tuple[str, Any, bool]


class RawReplay:
    """Captures each seller transaction's statements and replays accepted ones raw."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.local = threading.local()
        self.counts: list[int] = []
        self.orm: list[float] = []
        self.raw: list[float] = []
        self.collisions = 0
        self._connection: Any = None

    def listen(self, engine: Engine) -> None:
        @event.listens_for(engine, "before_cursor_execute")
        def capture(_c: Any, _cur: Any, statement: str, params: Any, _x: Any, many: bool) -> None:
            captured = getattr(self.local, "statements", None)
            if captured is not None:
                captured.append((statement, params, many))

    def _connect(self) -> Any:
        url = make_url(self.url)
        if url.get_backend_name() == "sqlite":
            connection = sqlite3.connect(url.database or "", timeout=30, check_same_thread=False)
            for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON"):
                connection.execute(f"PRAGMA {pragma}")
            return connection
        return psycopg.connect(url.set(drivername="postgresql").render_as_string(False))

    def replay(self, statements: list[Statement]) -> float | None:
        """Seconds to run ``statements`` in one raw transaction (fresh update ids).

        None when a replayed insert collides with the row the bot's own transaction just
        stored (a seller's first contact, an upload): such units are left out.
        """
        if self._connection is None:
            self._connection = self._connect()
        start = time.perf_counter()
        cursor = self._connection.cursor()
        try:
            for statement, params, many in statements:
                if "INSERT INTO processedupdate" in statement and "WITH saved" not in statement:
                    params = _fresh_update_id(params)
                if many:
                    cursor.executemany(statement, params)
                else:
                    cursor.execute(statement, _fresh_folded(statement, params))
                    if cursor.description is not None:
                        cursor.fetchall()
        except (sqlite3.IntegrityError, psycopg.errors.IntegrityError):
            self._connection.rollback()
            self.collisions += 1
            return None
        self._connection.commit()
        return time.perf_counter() - start

    @contextlib.contextmanager
    def installed(self) -> Iterator[None]:
        """Time every seller store unit; replay the accepted ones."""
        original = sellers.SellerStore._run_sync

        def timed(store: Any, *args: Any) -> Any:
            self.local.statements = []
            start = time.perf_counter()
            try:
                return original(store, *args)
            finally:
                spent = time.perf_counter() - start
                statements: list[Statement] = self.local.statements
                self.local.statements = None
                # accepted: the application was saved (a refusal records its update too)
                if any("UPDATE application SET" in s for s, _, _ in statements):
                    self.counts.append(len(statements))
                    raw = self.replay(statements)
                    if raw is not None:
                        self.orm.append(spent)
                        self.raw.append(raw)

        sellers.SellerStore._run_sync = timed  # type: ignore[method-assign]
        try:
            yield
        finally:
            sellers.SellerStore._run_sync = original  # type: ignore[method-assign]
            if self._connection is not None:
                self._connection.close()


def _fresh_folded(statement: str, params: Any) -> Any:
    """PostgreSQL's folded save names the update id ``u_id`` (``repo.save_progress``)."""
    if "WITH saved" in statement and isinstance(params, dict) and "u_id" in params:
        return {**params, "u_id": params["u_id"] + 1_000_000_000}
    return params


def _fresh_update_id(params: Any) -> Any:
    offset = 1_000_000_000
    if isinstance(params, dict):
        return {**params, "update_id": params["update_id"] + offset}
    return (params[0] + offset, *params[1:])


async def one_at_a_time(
    build: bench_flow.Builder, sellers_count: int, *, first: int = 0
) -> list[float]:
    """Latencies of every update when sellers walk one after another."""
    latencies: list[float] = []
    keys = bench_flow.Keyboards()
    api = LocalBotAPI(on_send=keys)
    app = build(api)
    async with app:
        for number in range(first, first + sellers_count):
            latencies += await bench_flow.drive(app, api, keys, 1, first=number)
    engine = app.bot_data.get("bench_engine")
    if engine is not None:
        engine.dispose()
    return latencies


async def measure(sellers_count: int) -> None:
    print(f"\none update at a time: {sellers_count} sellers walk the track in turn", flush=True)
    echo = await one_at_a_time(bench_flow.echo_app, sellers_count)
    echo_p99 = bench_flow.percentile(echo, 99) * 1e3
    emit("echo bot, one update at a time, p99", echo_p99, "ms")
    for backend in BACKENDS:
        if backend == "postgresql" and not postgres_reachable():
            print("no PostgreSQL at BENCH_POSTGRES_URL: PostgreSQL figures skipped")
            continue
        with migrated_database(backend) as url:
            latencies = await one_at_a_time(bench_flow.bot_app(url), sellers_count)
            replay = RawReplay(url)
            build = bench_flow.bot_app(url)

            def instrumented(
                api: LocalBotAPI, build: bench_flow.Builder = build, replay: RawReplay = replay
            ) -> Any:
                app = build(api)
                replay.listen(app.bot_data["bench_engine"])
                return app

            with replay.installed():
                await one_at_a_time(instrumented, max(2, sellers_count // 5), first=sellers_count)
        p50 = bench_flow.percentile(latencies, 50) * 1e3
        emit(f"{backend}, one update at a time, p50", p50, "ms")
        p99 = bench_flow.percentile(latencies, 99) * 1e3
        emit(f"{backend}, one update at a time, p99 ÷ echo p99", p99, "ms", echo_p99)
        emit(
            f"{backend}, SQL statements per accepted update, mean",
            statistics.mean(replay.counts),
            "statements",
        )
        emit(
            f"{backend}, SQL statements per accepted update, max", max(replay.counts), "statements"
        )
        orm, raw = statistics.median(replay.orm), statistics.median(replay.raw)
        print(f"  ({len(replay.raw)} transactions replayed, {replay.collisions} left out)")
        emit(f"{backend}, accepted answer's transaction ÷ raw driver", orm * 1e3, "ms", raw * 1e3)


async def main() -> None:
    await measure(10 if short() else 100)


if __name__ == "__main__":
    asyncio.run(main())
