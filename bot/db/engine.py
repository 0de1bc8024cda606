"""The SQLAlchemy engine: SQLite (WAL, busy timeout, foreign keys) or PostgreSQL.

The bot uses the synchronous engine from a worker thread, one short transaction per
update (DESIGN.md measured this at half the cost of a per-statement async driver).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlmodel import create_engine


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine for ``url``; SQLite connections get the pragmas the bot relies on."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url, echo=echo, connect_args={"check_same_thread": False, "timeout": 30}
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=10)


def make_sqlite_folder(engine: Engine) -> None:
    """Create the folder of a SQLite file database (SQLite creates only the file)."""
    database = engine.url.database
    if engine.url.get_backend_name() == "sqlite" and database not in (None, "", ":memory:"):
        Path(str(database)).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    if not _is_memory(connection):
        cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _is_memory(connection: Any) -> bool:
    cursor = connection.cursor()
    try:
        rows = cursor.execute("PRAGMA database_list").fetchall()
    finally:
        cursor.close()
    return any(row[2] in ("", ":memory:") for row in rows)
