"""Live check of UK company numbers against the Companies House public API.

The format check in ``flows`` accepts any well-formed number, including ones never issued
or belonging to dissolved companies. When ``COMPANIES_HOUSE_API_KEY`` is set the bot also
asks Companies House. The service is optional, so every failure (timeout, outage, bad key,
rate limit, odd body) comes back as ``LookupOutcome.UNAVAILABLE`` rather than an exception:
the caller falls back to the format check and tells the seller.

The API allows 600 requests per 5 minutes per key and answers 429 beyond that. We stay
under it ourselves (``SlidingWindowLimiter``), send nothing until ``X-Ratelimit-Reset``
after a 429 (the key may be shared with other processes), cache definite answers, and let
concurrent lookups of one number share one request.

The key travels only in the Authorization header (HTTP Basic), never in the URL, and is
never logged.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from types import TracebackType
from typing import Self
from urllib.parse import quote

import httpx

__all__ = [
    "BASE_URL",
    "CompaniesHouseClient",
    "CompanyLookup",
    "LookupOutcome",
    "SlidingWindowLimiter",
]

BASE_URL = "https://api.company-information.service.gov.uk"
RATE_LIMIT_REQUESTS = 600
RATE_LIMIT_PERIOD = 300.0  # seconds

log = logging.getLogger(__name__)


class LookupOutcome(enum.Enum):
    """What the live check could say about a number."""

    FOUND = "found"
    NOT_FOUND = "not_found"
    UNAVAILABLE = "unavailable"  # no answer: fall back to the format check


@dataclass(frozen=True, slots=True)
class CompanyLookup:
    """Companies House's answer for one (normalized) company number."""

    outcome: LookupOutcome
    number: str
    name: str | None = None
    status: str | None = None  # ``company_status``: "active", "dissolved", "liquidation", ...
    date_of_creation: date | None = None

    @property
    def is_active(self) -> bool:
        """True only for a company found and currently active."""
        return self.outcome is LookupOutcome.FOUND and self.status == "active"


class SlidingWindowLimiter:
    """Allows at most ``max_calls`` acquisitions in any rolling ``period`` seconds."""

    def __init__(
        self, max_calls: int, period: float, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._max_calls = max_calls
        self._period = period
        self._clock = clock
        self._calls: deque[float] = deque()

    def try_acquire(self) -> bool:
        """Record a call and return True, or return False (recording nothing) when full."""
        now = self._clock()
        while self._calls and self._calls[0] <= now - self._period:
            self._calls.popleft()
        if len(self._calls) >= self._max_calls:
            return False
        self._calls.append(now)
        return True


class CompaniesHouseClient:
    """Looks company numbers up on Companies House; use as ``async with`` or call ``aclose``.

    ``clock`` (monotonic) drives the cache, the limiter and the 429 pause; ``wall_clock``
    (epoch seconds) is only used to read ``X-Ratelimit-Reset``.
    """

    def __init__(
        self,
        api_key: str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 3.0,
        cache_ttl: float = 3600.0,
        cache_size: int = 4096,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        base_url: str = BASE_URL,
    ) -> None:
        if not api_key:
            raise ValueError("api_key must not be empty")
        self._http = httpx.AsyncClient(
            base_url=base_url,
            auth=httpx.BasicAuth(api_key, ""),
            transport=transport,
            timeout=timeout,
            headers={"Accept": "application/json"},
        )
        self._cache_ttl = cache_ttl
        self._cache_size = cache_size
        self._clock = clock
        self._wall_clock = wall_clock
        self._limiter = SlidingWindowLimiter(RATE_LIMIT_REQUESTS, RATE_LIMIT_PERIOD, clock=clock)
        self._cache: OrderedDict[str, tuple[float, CompanyLookup]] = OrderedDict()
        self._in_flight: dict[str, asyncio.Task[CompanyLookup]] = {}
        self._paused_until = float("-inf")

    async def lookup(self, number: str) -> CompanyLookup:
        """Ask Companies House about ``number``; never raises for service failures."""
        number = "".join(number.split()).upper()
        cached = self._cached(number)
        if cached is not None:
            return cached
        task = self._in_flight.get(number)
        if task is None:
            task = asyncio.create_task(self._fetch(number))
            self._in_flight[number] = task
            task.add_done_callback(lambda done: self._forget(number, done))
        # One caller giving up must not cancel the request the others are waiting for.
        return await asyncio.shield(task)

    async def aclose(self) -> None:
        """Cancel lookups still in flight and close the HTTP connection pool."""
        tasks = list(self._in_flight.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def _fetch(self, number: str) -> CompanyLookup:
        result, reason = await self._ask(number)
        if result.outcome is not LookupOutcome.UNAVAILABLE:
            self._remember(result)
        # Outcome and a short reason only: never the number the seller typed, the URL,
        # headers or exception text.
        log.debug("Companies House look-up: %s (%s)", result.outcome.name, reason)
        return result

    async def _ask(self, number: str) -> tuple[CompanyLookup, str]:
        unavailable = CompanyLookup(LookupOutcome.UNAVAILABLE, number)
        if self._clock() < self._paused_until:
            return unavailable, "paused after 429"
        if not self._limiter.try_acquire():
            return unavailable, "client-side rate limit"
        try:
            response = await self._http.get(f"/company/{quote(number, safe='')}")
        except httpx.HTTPError as exc:
            return unavailable, type(exc).__name__
        if response.status_code == 404:
            return CompanyLookup(LookupOutcome.NOT_FOUND, number), "HTTP 404"
        if response.status_code == 429:
            self._pause(response.headers.get("X-Ratelimit-Reset"))
        if response.status_code != 200:
            return unavailable, f"HTTP {response.status_code}"
        found = _parse_profile(number, response)
        return (found, "HTTP 200") if found is not None else (unavailable, "malformed profile")

    def _pause(self, reset_header: str | None) -> None:
        try:
            wait = int(reset_header or "") - self._wall_clock()
        except ValueError:
            wait = RATE_LIMIT_PERIOD
        # A skewed clock or a bogus header must neither skip the pause nor block for hours.
        wait = min(max(wait, 1.0), RATE_LIMIT_PERIOD)
        self._paused_until = max(self._paused_until, self._clock() + wait)

    def _cached(self, number: str) -> CompanyLookup | None:
        entry = self._cache.get(number)
        if entry is None:
            return None
        expires_at, result = entry
        if self._clock() >= expires_at:
            del self._cache[number]
            return None
        return result

    def _remember(self, result: CompanyLookup) -> None:
        self._cache[result.number] = (self._clock() + self._cache_ttl, result)
        self._cache.move_to_end(result.number)
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)

    def _forget(self, number: str, task: asyncio.Task[CompanyLookup]) -> None:
        if self._in_flight.get(number) is task:
            del self._in_flight[number]


def _parse_profile(number: str, response: httpx.Response) -> CompanyLookup | None:
    """Read a company profile body; None when it is not one."""
    try:
        profile = response.json()
        name = profile["company_name"]
        status = profile.get("company_status")
        created = profile.get("date_of_creation")
        date_of_creation = date.fromisoformat(created) if created is not None else None
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    if not isinstance(name, str) or not isinstance(status, str | None):
        return None
    return CompanyLookup(LookupOutcome.FOUND, number, name, status, date_of_creation)
