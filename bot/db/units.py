"""Short database units of work off the event loop, for everything that is not a seller step.

Seller updates go through ``bot.sellers.store`` (version checks, redelivery); admin commands,
group links and the like are plain: one function of a session, run in a worker thread,
committed when it returns, rolled back when it raises. No Telegram call ever happens
inside one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

T = TypeVar("T")


class Database:
    """Runs ``work(session)`` in one transaction, in a worker thread."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @property
    def engine(self) -> Engine:
        """The engine, for work with its own transactions (the outbox's ``enqueue``)."""
        return self._engine

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
