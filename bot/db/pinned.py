"""The seller store's own threads and open connections.

Every seller update is one short transaction in a worker thread. Through the default
executor and the engine's pool that cost, per update, a pool checkout and check-in (with
its reset ``ROLLBACK``), an ORM ``Session`` and its transaction bookkeeping: 0.1 ms of
CPU around one statement, measured, more than the statements of a typical answer. Here the
store keeps a few connections open and runs its transactions on its own threads:

- **SQLite: one thread.** SQLite has one writer at a time, and every seller transaction
  begins with ``BEGIN IMMEDIATE``; one thread owning one connection is that queue, with no
  lock to pass between threads (other processes still wait on the database's own lock).
- **PostgreSQL: ``threads`` of them** (default 4), each transaction locking only its
  seller, so distinct sellers' transactions overlap.

- **SQLite's WAL checkpoints off the hot path** (``checkpoint_every``, the store's). By
  default the commit that takes the write-ahead log past 1,000 pages copies it into the
  database file and syncs it, there and then: one seller answer in a hundred took 4.5 ms
  instead of 0.8, which was the p99 (measured). The store's connections never checkpoint
  (``wal_autocheckpoint=0``); a thread of its own runs a passive checkpoint every
  ``checkpoint_every`` seconds, which lets writers go on meanwhile.

A transaction takes an idle connection (or opens one), and gives it back when it ends;
an ORM ``Session`` joining that transaction is made only when a rarer path asks for one
(moving between applications, following a cohort's link). ``Engine.dispose()``
closes the idle ones, one in use is closed when it is given back, and a connection found
lost (``bot.db.prepared`` invalidates it) is closed, not reused. Closed means closed: the
engine's pool has been replaced by then, so a connection is invalidated (its driver
connection closed) rather than handed back to the old pool.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import queue
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, RootTransaction, event
from sqlmodel import Session

T = TypeVar("T")
log = logging.getLogger(__name__)
POSTGRES_THREADS = 4
CHECKPOINT_EVERY = 1.0
"""Seconds between the store's WAL checkpoints (a second of writes: a few MB of log)."""


class Transaction:
    """One seller transaction: its connection, and an ORM session on it when needed."""

    def __init__(self, connection: Connection, root: RootTransaction) -> None:
        self.connection = connection
        self._root = root
        self._session: Session | None = None

    @property
    def session(self) -> Session:
        """An ORM session in this very transaction (made on first use).

        Bound to the connection while it is in a transaction, the session joins it: its
        ``commit`` only flushes, and the transaction commits with the seller's unit.
        """
        if self._session is None:
            self._session = Session(bind=self.connection, expire_on_commit=False)
        return self._session

    def flush(self) -> None:
        """Write what the ORM session holds, so that statements on the connection see it."""
        if self._session is not None:
            self._session.flush()

    def commit(self) -> None:
        """Flush the ORM session, if any, and commit."""
        self.flush()
        self._root.commit()

    def end(self) -> None:
        """Roll back unless committed; drop the ORM session."""
        try:
            if self._root.is_active:
                self._root.rollback()
        finally:
            if self._session is not None:
                self._session.close()
                self._session = None


class PinnedConnections:
    """Threads and kept-open connections for one engine's seller transactions."""

    def __init__(
        self,
        engine: Engine,
        *,
        threads: int | None = None,
        name: str = "seller-db",
        checkpoint_every: float | None = None,
    ) -> None:
        self._engine = engine
        sqlite = engine.dialect.name == "sqlite"
        count = 1 if sqlite else (threads or POSTGRES_THREADS)
        self.threads = count
        self._workers = _Workers(count, name)
        self._checkpoints = (
            _Checkpoints(engine, checkpoint_every, f"{name}-checkpoint")
            if sqlite and checkpoint_every is not None
            else None
        )
        self._idle: queue.SimpleQueue[tuple[int, Connection]] = queue.SimpleQueue()
        self._generation = 0
        """Bumped by ``Engine.dispose()``: an older connection is closed when given back."""
        event.listen(engine, "engine_disposed", self._on_dispose)

    async def run(self, work: Callable[..., T], *args: Any) -> T:
        """``work(*args)`` on one of the store's threads (with the caller's context vars)."""
        return await self._workers.run(work, *args)

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """A transaction on an idle connection; rolled back unless committed in the block."""
        generation, connection = self._take()
        transaction = Transaction(connection, connection.begin())
        try:
            yield transaction
        finally:
            try:
                transaction.end()
            finally:
                self._give_back(generation, connection)

    def _take(self) -> tuple[int, Connection]:
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            pass
        connection = self._engine.connect()
        if self._checkpoints is not None:
            connection.exec_driver_sql("PRAGMA wal_autocheckpoint=0")
            connection.commit()  # ends the autobegun transaction the pragma opened
            self._checkpoints.start()
        return self._generation, connection

    @property
    def checkpoints(self) -> int:
        """Passive WAL checkpoints run so far by the checkpoint thread (SQLite)."""
        return 0 if self._checkpoints is None else self._checkpoints.done

    def _give_back(self, generation: int, connection: Connection) -> None:
        if connection.invalidated or generation != self._generation:
            _close(connection)
        else:
            self._idle.put((generation, connection))

    def close(self) -> None:
        """Close the idle connections (one in use is closed when it is given back)."""
        self._generation += 1
        while True:
            try:
                _generation, connection = self._idle.get_nowait()
            except queue.Empty:
                return
            _close(connection)

    def _on_dispose(self, _engine: Engine) -> None:
        self.close()
        self._workers.stop()  # started again by the next transaction, if any
        if self._checkpoints is not None:
            self._checkpoints.stop()  # and this with the next connection


class _Checkpoints:
    """A thread that runs ``PRAGMA wal_checkpoint(PASSIVE)`` every ``every`` seconds."""

    def __init__(self, engine: Engine, every: float, name: str) -> None:
        self._engine = engine
        self._every = every
        self._name = name
        self._stop: threading.Event | None = None
        self._lock = threading.Lock()
        self.done = 0

    def start(self) -> None:
        with self._lock:
            if self._stop is None:
                self._stop = threading.Event()
                run = threading.Thread(target=self._run, args=(self._stop,), name=self._name)
                run.daemon = True
                run.start()

    def stop(self) -> None:
        with self._lock:
            if self._stop is not None:
                self._stop.set()
                self._stop = None

    def _run(self, stop: threading.Event) -> None:
        while not stop.wait(self._every):
            try:
                with self._engine.connect() as connection:
                    connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
            except Exception:  # the next one catches up; the log grows meanwhile, nothing is lost
                log.warning("a WAL checkpoint failed", exc_info=True)
            else:
                self.done += 1


_Job = tuple[
    "asyncio.Future[Any]",
    asyncio.AbstractEventLoop,
    contextvars.Context,
    Callable[..., Any],
    tuple[Any, ...],
]


class _Workers:
    """Threads that take jobs from one queue and settle the caller's future themselves.

    ``run_in_executor`` wraps every job in a ``concurrent.futures.Future`` chained to an
    asyncio one (two futures and their callbacks both ways: 2–3 % of a seller update's CPU,
    profiled). Here a thread runs the job and hands its result to the loop with one
    ``call_soon_threadsafe``. A job whose caller was cancelled before it started is
    skipped, as an executor would. Threads start with the first job; ``stop`` lets them
    end (daemons, so an interpreter exiting never waits for an idle one).
    """

    def __init__(self, count: int, name: str) -> None:
        self._count = count
        self._name = name
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._started = 0
        self._lock = threading.Lock()

    async def run(self, work: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        if self._started < self._count:
            self._start()
        self._jobs.put((future, loop, contextvars.copy_context(), work, args))
        return await future

    def _start(self) -> None:
        with self._lock:
            while self._started < self._count:
                self._started += 1
                name = f"{self._name}-{self._started}"
                threading.Thread(target=_serve, args=(self._jobs,), name=name, daemon=True).start()

    def stop(self) -> None:
        """Let the threads end once the jobs queued before are done."""
        with self._lock:
            jobs, self._jobs = self._jobs, queue.SimpleQueue()
            for _ in range(self._started):
                jobs.put(None)
            self._started = 0


def _serve(jobs: queue.SimpleQueue[_Job | None]) -> None:
    while (job := jobs.get()) is not None:
        future, loop, context, work, args = job
        if future.cancelled():
            continue
        try:
            value, error = context.run(work, *args), None
        except BaseException as raised:  # handed to the caller, whatever it is
            value, error = None, raised
        with contextlib.suppress(RuntimeError):  # the loop was closed meanwhile
            loop.call_soon_threadsafe(_settle, future, value, error)


def _settle(future: asyncio.Future[Any], value: Any, error: BaseException | None) -> None:
    """On the loop: the job's outcome, unless its caller gave up waiting."""
    if future.cancelled():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(value)


def _close(connection: Connection) -> None:
    """Close the driver's connection itself, not only SQLAlchemy's handle on it."""
    if not connection.invalidated:
        connection.invalidate()
    connection.close()
