"""The SQLAlchemy engine: SQLite (WAL, busy timeout, foreign keys) or PostgreSQL.

The bot uses the synchronous engine from a worker thread, one short transaction per
update (DESIGN.md measured this at half the cost of a per-statement async driver).
"""

from __future__ import annotations

import functools
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.exc import DisconnectionError
from sqlmodel import create_engine

IDLE_BEFORE_PING = 1.0
"""Seconds a pooled PostgreSQL connection may rest before its next checkout pings it."""


def make_engine(url: str, *, echo: bool = False, ping_after: float = IDLE_BEFORE_PING) -> Engine:
    """An engine for ``url``; SQLite connections get the pragmas the bot relies on.

    PostgreSQL connections are pinged on checkout only after resting ``ping_after``
    seconds. SQLAlchemy's ``pool_pre_ping`` pings on every checkout: a round trip on every
    update (4.92 driver calls per update with it, 3.87 without, counted), although a
    connection that served an update a moment ago is almost surely alive. One that rested
    (the server may have restarted meanwhile) is pinged, and a dead one is replaced before
    anything uses it; one that dies in the meantime fails its statement, which invalidates
    the whole pool, and the seller store runs that update again on a new connection
    (``bot.sellers.store``: ``connection_invalidated``).
    """
    if url.startswith("sqlite"):
        engine = create_engine(
            url, echo=echo, connect_args={"check_same_thread": False, "timeout": 30}
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    engine = create_engine(url, echo=echo, pool_size=10, max_overflow=10)
    event.listen(engine, "checkin", _rested_since)
    event.listen(engine, "checkout", functools.partial(_ping_if_rested, after=ping_after))
    return engine


def _rested_since(_dbapi_connection: Any, record: Any) -> None:
    record.info["rested_since"] = time.monotonic()


def _ping_if_rested(dbapi_connection: Any, record: Any, _proxy: Any, *, after: float) -> None:
    """The pessimistic check of SQLAlchemy's pooling guide, for rested connections only:
    raising ``DisconnectionError`` makes the pool discard this one and connect anew."""
    rested_since = record.info.get("rested_since")
    if rested_since is None or time.monotonic() - rested_since < after:
        return
    try:
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        dbapi_connection.rollback()  # the ping opened a transaction (psycopg's default)
    except Exception as error:  # whatever the driver raises for a dead connection
        raise DisconnectionError("a pooled connection did not answer its ping") from error


class SqliteLocationError(Exception):
    """The SQLite file cannot be created or written where ``DATABASE_URL`` points; the
    message names the path and what to change. Retrying cannot help: no server is
    starting up, the file system says no."""


def sqlite_file(engine: Engine) -> Path | None:
    """The SQLite file of ``engine``; None for PostgreSQL or an in-memory database."""
    database = engine.url.database
    if engine.url.get_backend_name() != "sqlite" or database in (None, "", ":memory:"):
        return None
    return Path(str(database))


def make_sqlite_folder(engine: Engine) -> None:
    """Create the folder of a SQLite file database (SQLite creates only the file)."""
    path = sqlite_file(engine)
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        blocker = next((p for p in path.parents if p.is_file()), path.parent)
        raise SqliteLocationError(
            f"DATABASE_URL: cannot put the SQLite database at {path}: {blocker} is a file, "
            "not a folder; choose a path in a folder (e.g. sqlite:///./data/bot.sqlite3)"
        ) from None
    except OSError as error:
        raise SqliteLocationError(
            f"DATABASE_URL: cannot create the folder {path.parent} for the SQLite database "
            f"({error.strerror or type(error).__name__}); create it, or choose a writable path"
        ) from None


def unwritable_sqlite(engine: Engine, reason: str) -> SqliteLocationError:
    """The one-line error for a SQLite file SQLite could not open or write (``reason``:
    the driver's words, e.g. ``unable to open database file``)."""
    path = sqlite_file(engine) or Path(str(engine.url.database))
    return SqliteLocationError(
        f"DATABASE_URL: the SQLite database {path} cannot be opened for writing ({reason}): "
        f"check that this user may write to the folder {path.parent} (and to the file, if it "
        "exists and is a SQLite database), or choose another path"
    )


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
