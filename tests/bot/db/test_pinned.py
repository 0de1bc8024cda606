"""The seller store's own threads and kept-open connections (``bot.db.pinned``)."""

from __future__ import annotations

import asyncio
import threading

import pytest
from sqlalchemy import Engine, text

from bot.db.pinned import POSTGRES_THREADS, PinnedConnections
from bot.db.prepared import Prepared
from tests.bot.db.test_lost_connections import kill_pooled_connections

_BACKENDS = Prepared(
    text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
)


def test_sqlite_has_one_writer_thread_and_postgresql_several(engine: Engine) -> None:
    pinned = PinnedConnections(engine)
    assert pinned.threads == (1 if engine.dialect.name == "sqlite" else POSTGRES_THREADS)


async def test_work_runs_off_the_loop_in_order_and_its_errors_reach_the_caller(
    engine: Engine,
) -> None:
    pinned = PinnedConnections(engine, threads=1)
    seen: list[tuple[int, str]] = []

    def work(n: int) -> int:
        seen.append((n, threading.current_thread().name))
        if n == 3:
            raise KeyError(n)
        return n * 10

    results = await asyncio.gather(*(pinned.run(work, n) for n in range(6)), return_exceptions=True)
    assert results[:3] == [0, 10, 20] and isinstance(results[3], KeyError)
    assert [n for n, _ in seen] == list(range(6))  # one thread: in the order asked
    assert {name for _, name in seen} == {"seller-db-1"}
    engine.dispose()


async def test_a_caller_that_gave_up_before_its_turn_has_nothing_run(engine: Engine) -> None:
    pinned = PinnedConnections(engine, threads=1)
    gate = threading.Event()
    ran: list[str] = []
    first = asyncio.ensure_future(pinned.run(gate.wait))
    await asyncio.sleep(0.05)
    second = asyncio.ensure_future(pinned.run(ran.append, "second"))
    await asyncio.sleep(0)
    second.cancel()
    gate.set()
    await first
    await pinned.run(ran.append, "third")
    assert ran == ["third"]
    engine.dispose()


def test_a_transaction_left_without_commit_is_rolled_back(engine: Engine) -> None:
    pinned = PinnedConnections(engine)
    statement = Prepared(text("INSERT INTO provider (name, created_at) VALUES (:n, :at)"))
    with pinned.transaction() as tx:
        statement.rowcount(tx.connection, {"n": "kept", "at": "2026-12-07 00:00:00"})
        tx.commit()
    with pytest.raises(RuntimeError), pinned.transaction() as tx:
        statement.rowcount(tx.connection, {"n": "dropped", "at": "2026-12-07 00:00:00"})
        raise RuntimeError
    with engine.connect() as connection:
        names = connection.execute(text("SELECT name FROM provider")).scalars().all()
    assert names == ["kept"]
    engine.dispose()


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_dispose_closes_the_kept_connections(engine: Engine) -> None:
    pinned = PinnedConnections(engine)
    with pinned.transaction() as first, pinned.transaction() as second:
        assert _BACKENDS.rows(first.connection, {})[0][0] >= 2
        assert second.connection is not first.connection
    engine.dispose()  # both idle now: closed, not handed to the engine's old pool
    with engine.connect() as connection:
        assert _BACKENDS.rows(connection, {})[0][0] == 1  # only this one


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_connection_found_dead_is_replaced_by_the_next_transaction(
    engine: Engine, database_url: str
) -> None:
    pinned = PinnedConnections(engine)
    with pinned.transaction() as tx:
        assert _BACKENDS.rows(tx.connection, {})[0][0] >= 1
    kill_pooled_connections(database_url)
    with pytest.raises(Exception) as lost, pinned.transaction() as tx:
        _BACKENDS.rows(tx.connection, {})
    assert getattr(lost.value, "connection_invalidated", False)
    with pinned.transaction() as tx:
        assert _BACKENDS.rows(tx.connection, {})[0][0] >= 1
    engine.dispose()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_sqlite_commits_never_checkpoint_the_log_a_thread_of_its_own_does(
    engine: Engine,
) -> None:
    pinned = PinnedConnections(engine, checkpoint_every=0.05)
    statement = Prepared(text("INSERT INTO provider (name, created_at) VALUES (:n, :at)"))

    def write(n: int) -> int:
        with pinned.transaction() as tx:
            statement.rowcount(tx.connection, {"n": f"p{n}", "at": "2026-12-07 00:00:00"})
            autocheckpoint = tx.connection.exec_driver_sql("PRAGMA wal_autocheckpoint")
            tx.commit()
            return int(autocheckpoint.scalar_one())

    assert {await pinned.run(write, n) for n in range(50)} == {0}  # the writer's: never
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 5
    while pinned.checkpoints < 2:
        assert loop.time() < deadline, "no checkpoint ran"
        await asyncio.sleep(0.02)
    with engine.connect() as connection:  # the pool's connections keep SQLite's default
        assert connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one() == 1000
    engine.dispose()
    assert PinnedConnections(engine).checkpoints == 0  # without ``checkpoint_every``: none
