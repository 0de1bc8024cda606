"""The FAQ a seller is answered from: the one place a matcher is built."""

from __future__ import annotations

import asyncio
from functools import cache

from bot.transport.context import Services
from flows.questions import Matcher, builtin_entries, entries_for


async def faq_matcher(services: Services, market: str, cohort_id: int | None) -> Matcher:
    """The matcher for a seller of ``market`` (``uk``, ``id``; empty before one is chosen:
    every market's entries) in ``cohort_id``: the built-in entries, built once per market."""
    return await asyncio.to_thread(_builtin, market)


@cache
def _builtin(market: str) -> Matcher:
    return Matcher(entries_for(market) if market else builtin_entries())
