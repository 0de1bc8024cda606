"""Throw-away databases for the benchmarks: a SQLite file, or a PostgreSQL database dropped after.

PostgreSQL is the server at ``BENCH_POSTGRES_URL`` (default: 127.0.0.1:5432, trust auth);
when it cannot be reached the PostgreSQL figures are skipped, with a line saying so.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import make_url, text

from bot.db.engine import make_engine
from bot.db.migrate import upgrade

POSTGRES_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
BACKENDS = ("sqlite", "postgresql")


def postgres_reachable() -> bool:
    """Whether the benchmark's PostgreSQL server answers."""
    admin = make_engine(POSTGRES_URL)
    try:
        with admin.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:  # any failure to connect means "no server here"
        return False
    finally:
        admin.dispose()


@contextlib.contextmanager
def migrated_database(backend: str) -> Iterator[str]:
    """The URL of a new database at the newest schema, removed afterwards."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
            _upgrade(url)
            yield url
        return
    admin = make_engine(POSTGRES_URL)
    name = f"sob_bench_{uuid.uuid4().hex[:12]}"
    autocommit = admin.connect().execution_options(isolation_level="AUTOCOMMIT")
    with autocommit as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
        _upgrade(url)
        yield url
    finally:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _upgrade(url: str) -> None:
    engine = make_engine(url)
    try:
        upgrade(engine)
    finally:
        engine.dispose()
