"""Every Prometheus metric of the bot, defined once; the increments live where the work happens.

The counters and histograms below are module globals in ``prometheus_client``'s default
registry, so they exist once per process however many ``Application`` objects a process
builds (tests build hundreds), and the process and garbage-collector figures the client
registers by itself come with them. ``/metrics`` (``bot.transport.web``) renders them.

Labels come from small fixed sets, never from a person: an update's kind (Telegram's
field names), an outcome, a Bot API method name, an exception class, a delivery status, an
application state, a broadcast kind. No user, chat or application id is ever a label.

Figures that need the database (applications by state, the outbox backlog) are
``CachedCounts``: read at most once per ``ttl`` seconds, in the scrape's worker thread,
so a scraper polling every few seconds costs one small ``GROUP BY`` a minute.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping

from prometheus_client import Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import Connection, Engine, event

__all__ = [
    "BOT_API_ERRORS",
    "DELIVERIES",
    "RETRY_AFTER",
    "SENDER_LOCK_HELD",
    "TRANSACTION_SECONDS",
    "UPDATES",
    "UPDATE_SECONDS",
    "CachedCounts",
    "bot_api_error",
    "observe_transactions",
]

# Seconds: a reply takes tens of milliseconds here, a Bot API retry seconds.
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
_TRANSACTION_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5)

UPDATES = Counter(
    "bot_updates",
    "Updates handled, by kind (message, callback_query, ...) and outcome "
    "(ok, error, database_unavailable, delivery_failed, unhandled).",
    ("kind", "outcome"),
)
UPDATE_SECONDS = Histogram(
    "bot_update_seconds",
    "Time from an update's receipt to the end of its handling, replies sent.",
    ("kind",),
    buckets=_LATENCY_BUCKETS,
)
TRANSACTION_SECONDS = Histogram(
    "bot_db_transaction_seconds",
    "Database transactions, begin to commit or rollback.",
    ("outcome",),
    buckets=_TRANSACTION_BUCKETS,
)
DELIVERIES = Counter(
    "bot_outbox_deliveries",
    "Outbox deliveries recorded, by status (sent, blocked, failed; pending = retried later).",
    ("status",),
)
BOT_API_ERRORS = Counter(
    "bot_telegram_errors",
    "Bot API calls answered with an error, each attempt, by method and error class.",
    ("method", "error"),
)
RETRY_AFTER = Histogram(
    "bot_telegram_retry_after_seconds",
    "The retry_after of each 429 Telegram answered (its count is the number of 429s).",
    ("method",),
    buckets=(1, 2, 5, 10, 30, 60, 300),
)
SENDER_LOCK_HELD = Gauge(
    "bot_outbox_sender_lock_held",
    "1 while this process holds the outbox sender lock (one process per database does).",
)

_METHOD = re.compile(r"^[A-Za-z]{1,40}$")


def bot_api_error(method: str, error: BaseException, retry_after: float | None) -> None:
    """Count one failed Bot API attempt (and its ``retry_after`` when it was a 429)."""
    method = method if _METHOD.match(method) else "other"
    BOT_API_ERRORS.labels(method, type(error).__name__).inc()
    if retry_after is not None:
        RETRY_AFTER.labels(method).observe(retry_after)


def observe_transactions(engine: Engine) -> None:
    """Time every transaction of ``engine`` into ``bot_db_transaction_seconds``.

    SQLAlchemy's connection events see every transaction, whoever opened it (the seller
    store, ``Database.run``, the outbox), so no caller has to remember to time itself.
    Registered once per engine.
    """
    if event.contains(engine, "begin", _begin):
        return
    event.listen(engine, "begin", _begin)
    event.listen(engine, "commit", _ended("commit"))
    event.listen(engine, "rollback", _ended("rollback"))


def _begin(connection: Connection) -> None:
    connection.info["metrics_began"] = time.perf_counter()


def _ended(outcome: str) -> Callable[[Connection], None]:
    child = TRANSACTION_SECONDS.labels(outcome)

    def ended(connection: Connection) -> None:
        # An invalidated connection (the server went away) would try to reconnect for its
        # ``info``: that transaction is left untimed.
        if connection.invalidated:
            return
        began = connection.info.pop("metrics_began", None)
        if began is not None:
            child.observe(time.perf_counter() - began)

    return ended


Read = Callable[[], Mapping[str, float]]
"""Reads label value → figure from the database (blocking: called in a worker thread)."""


class CachedCounts(Collector):
    """A gauge family read from the database at most once per ``ttl`` seconds."""

    def __init__(self, name: str, documentation: str, label: str, read: Read, ttl: float) -> None:
        self.name, self.documentation, self.label = name, documentation, label
        self._read, self._ttl = read, ttl
        self._lock = threading.Lock()
        self._values: Mapping[str, float] = {}
        self._read_at = float("-inf")

    def values(self) -> Mapping[str, float]:
        """The cached figures, read again once they are ``ttl`` seconds old."""
        with self._lock:
            if time.monotonic() - self._read_at >= self._ttl:
                self._values = dict(self._read())
                self._read_at = time.monotonic()
            return self._values

    def collect(self) -> Iterator[Metric]:
        family = GaugeMetricFamily(self.name, self.documentation, labels=(self.label,))
        for value, figure in sorted(self.values().items()):
            family.add_metric((value,), figure)
        yield family

    def describe(self) -> Iterable[Metric]:
        return [GaugeMetricFamily(self.name, self.documentation, labels=(self.label,))]
