"""A PostgreSQL connection that dies in the pool (the server restarted, an idle timeout, a
failover) costs no update and no apology.

The engine pings only connections that rested (``bot.db.engine``), so one that died moments
ago is found by its first statement; the seller store and the admins' units then run
again on a fresh connection. Each test kills every pooled connection with
``pg_terminate_backend``, as a server restart does.
"""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import Connection, Engine, func, make_url, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, select

from bot.db.engine import make_engine
from bot.db.models import StepEvent
from bot.db.units import Database
from bot.providers import access
from tests.harness import running_bot
from tests.updates import TelegramUser

pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
NEVER = 1e9  # seconds: no ping, so the dead connection is met by a statement
NIK = "3174055012900001"


def kill_pooled_connections(url: str) -> int:
    """Terminate every other session on the test database; how many there were."""
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as connection:
        killed = connection.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()
    return int(killed[0]) if killed else 0


@pytest.fixture
def unpinged(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url, ping_after=NEVER)
    yield engine
    engine.dispose()


def select_one(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT 1")).scalar_one())


def test_a_rested_connection_that_died_is_replaced_before_its_first_statement(
    database_url: str,
) -> None:
    engine = make_engine(database_url, ping_after=0.0)
    try:
        assert select_one(engine) == 1
        assert kill_pooled_connections(database_url) >= 1
        assert select_one(engine) == 1
    finally:
        engine.dispose()


def test_without_the_ping_the_first_statement_meets_the_dead_connection(
    database_url: str, unpinged: Engine
) -> None:
    select_one(unpinged)
    kill_pooled_connections(database_url)
    with pytest.raises(DBAPIError) as lost:
        select_one(unpinged)
    assert lost.value.connection_invalidated
    assert select_one(unpinged) == 1  # the pool reconnected


def test_an_admin_unit_runs_again_on_a_fresh_connection(
    database_url: str, unpinged: Engine
) -> None:
    database = Database(unpinged)
    runs: list[int] = []

    def work(session: Session) -> int:
        runs.append(1)
        return int(session.exec(select(func.count()).select_from(StepEvent)).one())

    assert database.run_sync(work) == 0
    kill_pooled_connections(database_url)
    assert database.run_sync(work) == 0
    assert len(runs) == 3  # once, then twice: the dead connection's attempt and the new one


async def test_the_admin_check_reads_again_on_a_fresh_connection(
    database_url: str, unpinged: Engine
) -> None:
    database = Database(unpinged)
    runs: list[int] = []

    def is_admin(connection: Connection) -> bool:
        runs.append(1)
        return access.is_admin(connection, 42)

    assert await database.read(is_admin) is False  # its kept-open connection is now open
    assert kill_pooled_connections(database_url) >= 1
    assert await database.read(is_admin) is False
    assert len(runs) == 3  # once, then twice: the dead connection's attempt and the new one


async def test_a_seller_answer_on_a_dead_connection_is_applied_once_without_an_apology(
    database_url: str, unpinged: Engine
) -> None:
    seller = TelegramUser(id=771_001, first_name="Sari", language_code="id")
    async with running_bot(unpinged) as bot:
        await bot.begin(seller, "id", "id", "id_individual")
        before = bot.seller(seller)
        assert before.state == "nik"
        assert kill_pooled_connections(database_url) >= 1
        reply = await bot.say(seller, NIK)  # the harness fails on any handler error
        after = bot.seller(seller)
    assert after.state != "nik"
    assert after.answers["nik"] == NIK
    assert after.version == before.version + 1
    assert "NPWP" in reply
    with Session(unpinged) as session:
        moves = session.exec(
            select(func.count())
            .select_from(StepEvent)
            .where(StepEvent.application_id == after.application_id, StepEvent.from_state == "nik")
        ).one()
    assert moves == 1
