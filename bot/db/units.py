"""Short database units of work off the event loop, for everything that is not a seller step.

Seller updates go through ``bot.sellers.store`` (version checks, redelivery); admin commands,
group links and the like are plain: one function of a session, run in a worker thread,
committed when it returns, rolled back when it raises. No Telegram call ever happens
inside one.

``read`` is for the one check nearly every update pays before its handler runs, the admin
gate's "is this an admin?" (a seller's ``/start``, ``/help``…): one statement on a
kept-open connection on the database's own thread (``bot.db.pinned``), without the pool
checkout, ORM session and executor hand-off of ``run`` (0.34 ms of a ``/start``, profiled).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from bot.db.pinned import PinnedConnections

T = TypeVar("T")


class Database:
    """Runs ``work(session)`` in one transaction, in a worker thread."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._reads = PinnedConnections(engine, threads=2, name="db-read")

    @property
    def engine(self) -> Engine:
        """The engine, for work with its own transactions (the outbox's ``enqueue``)."""
        return self._engine

    async def read(self, work: Callable[[Connection], T]) -> T:
        """What ``work`` read in one short transaction on a kept-open connection (a check
        of one or two statements: a long read would hold up the others waiting here)."""
        return await self._reads.run(self._read_sync, work)

    def _read_sync(self, work: Callable[[Connection], T]) -> T:
        for last in (False, True):  # as ``run_sync``: once more on a connection found dead
            with self._reads.transaction() as transaction:
                try:
                    return work(transaction.connection)
                except DBAPIError as error:
                    if last or not error.connection_invalidated:
                        raise
        raise AssertionError("unreachable: the second attempt returns or raises")

    async def run(self, work: Callable[[Session], T]) -> T:
        """The value ``work`` returned, after its transaction committed."""
        return await asyncio.to_thread(self.run_sync, work)

    def run_sync(self, work: Callable[[Session], T]) -> T:
        """The same, on the calling thread (CLI and tests).

        ``work`` runs once more when its connection turns out to be dead (the server
        restarted while it rested in the pool: ``bot.db.engine``); nothing of it was
        committed, and a unit makes no Telegram calls, so running it again is safe. A
        commit that fails is not repeated: it may have landed.
        """
        for last in (False, True):
            with Session(self._engine, expire_on_commit=False) as session:
                try:
                    value = work(session)
                except DBAPIError as error:
                    if last or not error.connection_invalidated:
                        raise
                    continue
                session.commit()
                return value
        raise AssertionError("unreachable: the second attempt returns or raises")
