"""The desk's per-user rate limit: a token bucket per Telegram user, in memory.

A page is one request plus one per image, so the bucket holds a burst of ``burst``
requests and refills at ``per_second``. Buckets are forgotten oldest first past
``max_users`` (one process serves a few hundred admins; the bound only stops a flood of
made-up ids from growing the map, and those never get past the ``initData`` check).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    at: float


class PerUserLimit:
    def __init__(self, *, burst: int = 60, per_second: float = 2.0, max_users: int = 10_000):
        self.burst = burst
        self.per_second = per_second
        self.max_users = max_users
        self._buckets: OrderedDict[int, _Bucket] = OrderedDict()

    def allow(self, user_id: int, now: float) -> bool:
        """Whether ``user_id`` may make one more request at ``now`` (monotonic seconds)."""
        bucket = self._buckets.pop(user_id, None) or _Bucket(float(self.burst), now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.at) * self.per_second)
        bucket.at = now
        self._buckets[user_id] = bucket
        while len(self._buckets) > self.max_users:
            self._buckets.popitem(last=False)
        if bucket.tokens < 1:
            return False
        bucket.tokens -= 1
        return True
