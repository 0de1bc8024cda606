"""Waiting for the database and Telegram at start-up, and saying in one line when they
never came.

A bot started alongside its database (compose, Kubernetes) retries with backoff instead
of crash-looping. The schedule is ``STARTUP_TRIES`` attempts with waits doubling from 1 s
up to ``STARTUP_MAX_WAIT`` (defaults 6 and 16 s: 1+2+4+8+16 = 31 s of waiting per
service). When the last attempt fails the operator gets ``ServiceUnreachable``: one line
naming the service, its URL (password and token hidden) and the cause (DNS failure,
connection refused, timeout…). ``worst_case_seconds`` bounds the whole wait; the
Dockerfile's HEALTHCHECK start period must exceed it (tests/test_dockerfile.py).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy.engine import make_url

log = logging.getLogger("bot.runner")
T = TypeVar("T")
DATABASE_ATTEMPT_SECONDS = 5
"""How long one database connection attempt may take (libpq's ``PGCONNECT_TIMEOUT``)."""
TELEGRAM_ATTEMPT_SECONDS = 11
"""How long one ``getMe`` may take: PTB's default connect (5 s), write and read timeouts."""
_CAUSES = (
    (("name or service not known", "nodename nor servname", "could not translate host name",
      "temporary failure in name resolution", "getaddrinfo failed", "no address associated"),
     "DNS lookup failed (no such host)"),
    (("connection refused", "connect call failed"), "connection refused (nothing listens there)"),
    (("timed out", "timeout expired", "timeout"), "no answer (timed out)"),
    (("network is unreachable", "no route to host"), "network unreachable"),
    (("password authentication failed",), "password authentication failed"),
    (('role "',), "the user (role) named in the URL does not exist on the server"),
    (('database "',), "the database named in the URL does not exist on the server"),
    (("does not exist",), "the database does not exist"),
)  # fmt: skip
"""Words for a cause, first match wins: PostgreSQL says ``role "x" does not exist`` for a
missing user and ``database "x" does not exist`` for a missing database."""

_CAUSE_TYPES: tuple[tuple[type[BaseException], str], ...] = (
    (socket.gaierror, _CAUSES[0][1]),
    (ConnectionRefusedError, _CAUSES[1][1]),
    (TimeoutError, _CAUSES[2][1]),
)


class ServiceUnreachable(Exception):
    """A service the bot needs did not answer after the retries; the message says which."""


@dataclass(frozen=True)
class Schedule:
    """How many attempts, and the longest wait between two (waits double from 1 s)."""

    tries: int = 6
    max_wait: float = 16.0

    def waits(self) -> list[float]:
        """The waits between attempts, in order."""
        waits, delay = [], min(1.0, self.max_wait)
        for _ in range(self.tries - 1):
            waits.append(delay)
            delay = min(delay * 2, self.max_wait)
        return waits


def worst_case_seconds(schedule: Schedule) -> float:
    """The longest start-up can wait for the database and then Telegram before giving up."""
    waiting = 2 * sum(schedule.waits())
    attempts = schedule.tries * (DATABASE_ATTEMPT_SECONDS + TELEGRAM_ATTEMPT_SECONDS)
    return waiting + attempts


def bound_database_attempts() -> None:
    """Make one PostgreSQL connection attempt give up after ``DATABASE_ATTEMPT_SECONDS``
    (libpq waits for the OS's TCP timeout otherwise: minutes on a dropped packet)."""
    os.environ.setdefault("PGCONNECT_TIMEOUT", str(DATABASE_ATTEMPT_SECONDS))


def cause(error: BaseException) -> str:
    """Why a connection failed, in a few words, from the error and its causes."""
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    for item in chain:
        for kind, words in _CAUSE_TYPES:
            if isinstance(item, kind):
                return words
    text = " ".join(str(item) for item in chain).lower()
    for needles, words in _CAUSES:
        if any(needle in text for needle in needles):
            return words
    innermost = chain[-1]
    detail = str(innermost).strip().splitlines()[0][:160] if str(innermost).strip() else ""
    return f"{type(innermost).__name__}: {detail}" if detail else type(innermost).__name__


def database_name(url: str) -> tuple[str, str]:
    """(service, URL with the password hidden) for a database URL."""
    parsed = make_url(url)
    service = "PostgreSQL" if parsed.get_backend_name() == "postgresql" else "the SQLite database"
    return service, parsed.render_as_string(hide_password=True)


async def retrying(
    what: str,
    attempt: Callable[[], Awaitable[T]],
    *,
    retry_on: tuple[type[BaseException], ...],
    tries: int = 8,
    first_delay: float = 1.0,
    max_delay: float = 30.0,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> T:
    """Run ``attempt`` until it succeeds, waiting longer after each failure."""
    delay = first_delay
    for number in range(1, tries + 1):
        try:
            return await attempt()
        except retry_on as error:
            if number == tries:
                raise
            log.warning(
                "%s unreachable (%s: %s); retry %d/%d in %.0fs",
                what,
                type(error).__name__,
                cause(error),
                number,
                tries - 1,
                delay,
            )
            await sleep(delay)
            delay = min(delay * 2, max_delay)
    raise AssertionError("unreachable")


async def reach(
    service: str,
    url: str,
    attempt: Callable[[], Awaitable[T]],
    *,
    retry_on: tuple[type[BaseException], ...],
    schedule: Schedule,
    hint: str,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> T:
    """``retrying`` on ``schedule``; the last failure becomes one ``ServiceUnreachable`` line."""
    try:
        return await retrying(
            f"{service} at {url}",
            attempt,
            retry_on=retry_on,
            tries=schedule.tries,
            first_delay=min(1.0, schedule.max_wait),
            max_delay=schedule.max_wait,
            sleep=sleep,
        )
    except retry_on as error:
        waited = sum(schedule.waits())
        raise ServiceUnreachable(
            f"{service} at {url} is unreachable after {schedule.tries} tries over {waited:.0f} s: "
            f"{cause(error)}. {hint}"
        ) from None
