"""Telegram's flood limits and random faults, for outbox tests and the benchmark.

Off by default (a conversation's quick replies must not trip them): a test sets
``api.traffic = Traffic(Limits(...), Faults(...))``. Every send then passes ``check``:

- **Limits**, as Telegram applies them: bot-wide at most ``per_second`` sends in any
  one-second window (more is 429); one chat at most one send per ``chat_interval`` (with
  ``chat_tolerance`` for clock jitter); one group at most ``group_limit`` per
  ``group_window``. A refused send gets 429 with ``retry_after`` and is not delivered.
- **Faults**, drawn from a seeded RNG so a run is repeatable: a share of the chats has
  blocked the bot (403 on every send), a share of sends is answered 429 (and that chat
  keeps answering 429 until ``retry_after`` has passed), 5xx, or hangs for
  ``hang_seconds`` (the client's timeout fires); listed chats are not found (400) or have
  migrated to a supergroup (400 with ``migrate_to_chat_id``).

``arrivals`` keeps every send as it arrived (time, chat), refused or not, so a benchmark can
find the busiest second; ``refused_by_limits`` counts the sends the limits turned away.
"""

from __future__ import annotations

import asyncio
import random
import time
import zlib
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any

from tests.fakebotapi.rules import BotAPIError

__all__ = ["SEND_METHODS", "Faults", "Limits", "Traffic", "busiest_second"]

SEND_METHODS = frozenset({"sendMessage", "sendPhoto", "sendDocument"})


@dataclass(frozen=True)
class Limits:
    per_second: int = 30
    window: float = 1.0  # a test across processes may narrow it for clock and transit jitter
    chat_interval: float = 1.0
    chat_tolerance: float = 0.1
    group_limit: int = 20
    group_window: float = 60.0
    retry_after: int = 1


@dataclass(frozen=True)
class Faults:
    blocked_share: float = 0.0  # of chats: 403 "bot was blocked by the user"
    flood_share: float = 0.0  # of sends: 429
    server_error_share: float = 0.0  # of sends: 500
    hang_share: float = 0.0  # of sends: no answer for hang_seconds
    hang_seconds: float = 2.0
    retry_after: int = 1
    not_found: frozenset[int] = frozenset()
    migrated: dict[int, int] = field(default_factory=dict)
    seed: int = 1


class Traffic:
    """Limits and faults the fake applies to every send, and what it saw."""

    def __init__(self, limits: Limits | None = None, faults: Faults | None = None) -> None:
        self.limits = limits
        self.faults = faults or Faults()
        self.arrivals: list[tuple[float, int]] = []
        self.refused_by_limits = 0
        self.refusals: Counter[str] = Counter()  # which limit refused: bot, chat, group
        self.injected: dict[int, int] = {}
        self._random = random.Random(self.faults.seed)
        self._window: deque[float] = deque()
        self._chat_last: dict[int, float] = {}
        self._groups: dict[int, deque[float]] = {}
        self._flooded_until: dict[int, float] = {}

    def is_blocked(self, chat_id: int) -> bool:
        """Whether this chat has blocked the bot (a stable choice per chat id)."""
        share = self.faults.blocked_share
        return share > 0 and zlib.crc32(str(chat_id).encode()) % 10_000 < share * 10_000

    async def check(self, method: str, params: dict[str, Any]) -> None:
        """Raise the error Telegram would answer this send with, if any."""
        if method not in SEND_METHODS or not isinstance(params.get("chat_id"), int):
            return
        chat: int = params["chat_id"]
        now = time.monotonic()
        self.arrivals.append((now, chat))
        self._fault(chat, now)
        if self.limits is not None:
            self._limit(chat, now)
        if self.faults.hang_share and self._random.random() < self.faults.hang_share:
            await asyncio.sleep(self.faults.hang_seconds)

    def _inject(self, code: int, description: str, **parameters: Any) -> BotAPIError:
        self.injected[code] = self.injected.get(code, 0) + 1
        return BotAPIError(code, description, **parameters)

    def _fault(self, chat: int, now: float) -> None:
        faults = self.faults
        if chat in faults.migrated:
            raise self._inject(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                migrate_to_chat_id=faults.migrated[chat],
            )
        if chat in faults.not_found:
            raise self._inject(400, "Bad Request: chat not found")
        if self.is_blocked(chat):
            raise self._inject(403, "Forbidden: bot was blocked by the user")
        if self._flooded_until.get(chat, 0.0) > now:
            wait = max(1, round(self._flooded_until[chat] - now))
            raise self._inject(429, f"Too Many Requests: retry after {wait}", retry_after=wait)
        draw = self._random.random()
        if draw < faults.flood_share:
            self._flooded_until[chat] = now + faults.retry_after
            raise self._inject(
                429,
                f"Too Many Requests: retry after {faults.retry_after}",
                retry_after=faults.retry_after,
            )
        if draw < faults.flood_share + faults.server_error_share:
            raise self._inject(500, "Internal Server Error")

    def _limit(self, chat: int, now: float) -> None:
        limits = self.limits
        assert limits is not None
        while self._window and self._window[0] <= now - limits.window:
            self._window.popleft()
        group = self._groups.setdefault(chat, deque()) if chat < 0 else None
        if group is not None:
            while group and group[0] <= now - limits.group_window:
                group.popleft()
        last = self._chat_last.get(chat)
        too_soon = last is not None and now - last < limits.chat_interval - limits.chat_tolerance
        over = (
            "bot" if len(self._window) >= limits.per_second
            else "chat" if too_soon
            else "group" if group is not None and len(group) >= limits.group_limit
            else None
        )  # fmt: skip
        if over is not None:
            self.refused_by_limits += 1
            self.refusals[over] += 1
            raise BotAPIError(
                429,
                f"Too Many Requests: retry after {limits.retry_after}",
                retry_after=limits.retry_after,
            )
        self._window.append(now)
        self._chat_last[chat] = now
        if group is not None:
            group.append(now)


def busiest_second(times: list[float], window: float = 1.0) -> int:
    """The largest number of ``times`` in any half-open window of ``window`` seconds."""
    ordered = sorted(times)
    best, start = 0, 0
    for end, moment in enumerate(ordered):
        while ordered[start] <= moment - window:
            start += 1
        best = max(best, end - start + 1)
    return best
