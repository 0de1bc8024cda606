"""Helpers for tests that run ``python -m bot run`` as OS processes, or need an empty database.

``BotProcess`` starts the real command line in webhook mode against a fake Bot API, writes
its stderr to a file (so a chatty process never blocks on a full pipe, and a failing test
can show what it said), waits for ``/healthz`` and stops it with SIGTERM. ``empty_database``
makes a throw-away, un-migrated database on SQLite or PostgreSQL.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
import uuid
from collections.abc import AsyncIterator, Iterator, Mapping
from pathlib import Path

import httpx
import pytest
from sqlalchemy import make_url, text

from bot.db.engine import make_engine

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
PUBLIC_WEBHOOK_URL = "https://shop-bot.example/telegram"
# Settings the test environment must not leak into a bot process.
_BOT_SETTINGS = (
    "BOT_TOKEN", "BOT_API_URL", "DATABASE_URL", "WEBHOOK_URL", "WEBHOOK_SECRET", "LISTEN_HOST",
    "LISTEN_PORT", "LOG_LEVEL", "LOG_FORMAT", "COMPANIES_HOUSE_API_KEY", "COMPANIES_HOUSE_URL",
    "SUPERADMIN_IDS", "DEFAULT_LOCALE", "RATE_LIMIT_PER_SECOND", "SELLER_LOCK_SLOTS",
    "CONCURRENT_UPDATES", "OUTBOX_ENABLED", "ALLOW_PAID_BROADCAST", "PAID_BROADCAST_PER_SECOND",
    "CHAT_INTERVAL_SECONDS", "GROUP_MESSAGES_PER_MINUTE", "GROUP_WINDOW_SECONDS",
    "OUTBOX_BATCH_SIZE", "OUTBOX_CONCURRENCY", "OUTBOX_MAX_ATTEMPTS", "OUTBOX_RETRY_BASE_SECONDS",
    "OUTBOX_POLL_SECONDS",
)  # fmt: skip


def free_port() -> int:
    """A TCP port nobody listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def empty_database(backend: str, directory: Path) -> Iterator[str]:
    """The URL of a new, empty database (a SQLite file, or a PostgreSQL database dropped after).

    PostgreSQL is the server at ``TEST_POSTGRES_URL``; without one the test is skipped,
    unless ``REQUIRE_POSTGRES=1`` makes it fail (as the shared fixtures do).
    """
    if backend == "sqlite":
        yield f"sqlite:///{directory / f'empty-{uuid.uuid4().hex[:8]}.sqlite3'}"
        return
    admin = make_engine(POSTGRES_URL)
    try:
        try:
            with admin.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception as error:
            if os.environ.get("REQUIRE_POSTGRES") == "1":
                pytest.fail(f"PostgreSQL required but unreachable at {POSTGRES_URL}: {error}")
            pytest.skip(f"no PostgreSQL at {POSTGRES_URL}")
        name = f"sob_empty_{uuid.uuid4().hex[:12]}"
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


class BotProcess:
    """One ``python -m bot run`` in webhook mode on its own port."""

    def __init__(
        self,
        *,
        name: str,
        token: str,
        api_url: str,
        database_url: str,
        log_dir: Path,
        log_level: str = "WARNING",
        extra_env: Mapping[str, str] | None = None,
    ) -> None:
        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # The public HTTPS address Telegram (and the fake) is given; TLS ends at a proxy in
        # front of the workers, which listen on plain HTTP. Every worker shares it, as
        # workers behind one load balancer do; tests POST to ``local_webhook_url``.
        self.webhook_url = PUBLIC_WEBHOOK_URL
        self.local_webhook_url = f"{self.url}/telegram"
        self.log_path = log_dir / f"{name}.stderr.log"
        env = {key: value for key, value in os.environ.items() if key.upper() not in _BOT_SETTINGS}
        env.update(
            BOT_TOKEN=token,
            BOT_API_URL=api_url,
            DATABASE_URL=database_url,
            WEBHOOK_URL=self.webhook_url,
            LISTEN_HOST="127.0.0.1",
            LISTEN_PORT=str(self.port),
            LOG_LEVEL=log_level,
            PYTHONUNBUFFERED="1",
            **(extra_env or {}),
        )
        self._env = env
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        with self.log_path.open("wb") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run",
                cwd=ROOT, env=self._env, stdin=asyncio.subprocess.DEVNULL,
                stdout=log, stderr=log,
            )  # fmt: skip

    @property
    def stderr(self) -> str:
        """Everything the process wrote so far."""
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def report(self) -> str:
        """The process's output, framed, for a failing test's message."""
        code = self.process.returncode if self.process else None
        name = self.name
        return f"\n--- {name} (exit code {code}) stderr ---\n{self.stderr}--- end {name} ---"

    async def wait_healthy(self, *, timeout: float = 60.0) -> None:
        """Return once ``/healthz`` answers 200; fail early if the process died. The bound is
        generous: a worker's start (imports, migrations, the first poll) on a loaded 2-core
        machine running four test processes took over 20 s once; start-up time itself is
        measured in ``bench/``, not here."""
        assert self.process is not None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        async with httpx.AsyncClient(base_url=self.url, timeout=1.0) as client:
            while True:
                if self.process.returncode is not None:
                    raise AssertionError(f"{self.name} exited before it was healthy{self.report()}")
                with contextlib.suppress(httpx.TransportError):
                    if (await client.get("/healthz")).status_code == 200:
                        return
                if loop.time() > deadline:
                    raise AssertionError(f"{self.name} not healthy in {timeout}s{self.report()}")
                await asyncio.sleep(0.1)

    async def terminate(self, *, timeout: float = 15.0) -> int:
        """SIGTERM, then the exit code (killed, and an error, if it takes over ``timeout``)."""
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return await asyncio.wait_for(self.process.wait(), timeout)
        except TimeoutError:
            self.kill()
            await self.process.wait()
            raise AssertionError(
                f"{self.name} did not stop within {timeout}s of SIGTERM{self.report()}"
            ) from None

    def kill(self) -> None:
        """SIGKILL this process if it still runs (clean-up after a failure)."""
        if self.process is not None and self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.kill()


@contextlib.asynccontextmanager
async def running_processes(*processes: BotProcess) -> AsyncIterator[tuple[BotProcess, ...]]:
    """Start every process, wait until each is healthy; kill survivors afterwards.

    A failure inside the block gets every process's stderr added to its report (a note).
    """
    try:
        await asyncio.gather(*(process.start() for process in processes))
        await asyncio.gather(*(process.wait_healthy() for process in processes))
        yield processes
    except Exception as failure:
        failure.add_note("".join(process.report() for process in processes))
        raise
    finally:
        for process in processes:
            process.kill()
        for process in processes:
            if process.process is not None:
                await process.process.wait()
