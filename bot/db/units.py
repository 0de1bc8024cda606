"""Short database units of work off the event loop, for everything that is not a seller step.

Seller updates go through ``bot.sellers`` (version checks, redelivery); admin commands,
group links and the like are plain: one function of a session, run in a worker thread,
committed when it returns, rolled back when it raises. No Telegram call ever happens
inside one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import Engine
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
        """The same, on the calling thread (CLI and tests)."""
        with Session(self._engine, expire_on_commit=False) as session:
            value = work(session)
            session.commit()
            return value
