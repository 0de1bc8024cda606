"""One sender at a time per database: a PostgreSQL advisory lock, or a lock file for SQLite.

Why a lock and not a token bucket in the database: the bot-wide limit is 30 (or 1,000)
sends a second. A shared bucket is a hot row every sender updates before every send —
1,000 row-locked UPDATEs a second on one row, each a round trip — and it still could not
keep the per-chat and per-group turns without more shared rows. A session-level advisory
lock costs one query per claim: the holder paces every send in memory, and the other
processes stand by, taking over within ``poll`` seconds when the holder dies (its
connection closes and PostgreSQL releases the lock). ``SELECT … FOR UPDATE SKIP LOCKED``
in ``store.claim`` still keeps claims disjoint should two holders ever overlap (a
connection lost and re-established).

SQLite serves one process (DESIGN.md); ``fcntl.flock`` on ``<database>.sender.lock`` makes
a second one stand by instead of sending twice, and the OS drops the lock of a killed
process.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

from sqlalchemy import Connection, Engine, text

__all__ = ["SENDER_LOCK", "SenderLock"]

SENDER_LOCK = 0x0B0C5E  # advisory lock key: the one outbox sender per database


class SenderLock:
    """Non-blocking; ``try_acquire`` and ``held`` run in a worker thread (they do I/O)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._connection: Connection | None = None
        self._file: int | None = None

    def try_acquire(self) -> bool:
        """Take the lock if nobody holds it; True when this process now holds it."""
        if self._engine.dialect.name == "postgresql":
            connection = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            got = connection.execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": SENDER_LOCK}
            ).scalar_one()
            if got:
                self._connection = connection
            else:
                connection.close()
            return bool(got)
        database = self._engine.url.database
        if not database or database == ":memory:":
            return True  # a private in-memory database: nobody else can see it
        descriptor = os.open(Path(f"{database}.sender.lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)
            return False
        self._file = descriptor
        return True

    def held(self) -> bool:
        """Whether the lock is still ours (on PostgreSQL: the lock's connection still works)."""
        if self._connection is None:
            return True
        try:
            self._connection.execute(text("SELECT 1"))
        except Exception:
            self.release()
            return False
        return True

    def release(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):
                self._connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": SENDER_LOCK}
                )
            with contextlib.suppress(Exception):
                self._connection.close()
            self._connection = None
        if self._file is not None:
            os.close(self._file)  # closing drops the flock
            self._file = None
