"""The FAQ a cohort's sellers are answered from, as a ready matcher, cached per cohort.

``faq_matcher(services, market, cohort_id)``: the built-in entries of the market with the
cohort's provider's own entries applied (``bot.questions.faq_store.merged_entries``).
Building the index of 500 entries takes 150-350 ms, a match under half a millisecond,
so the matcher is kept per (database, market, cohort) and rebuilt only when the cohort's
entries change; cohorts answered from the same entries share one index. Several worker
processes each keep their own: every call asks the database for the cohort's ``stamp``
(one indexed aggregate: count, sum of versions, last id; no clock), so an entry changed
through another worker is used from the next question on, with no TTL to wait out; the
check costs about a millisecond (``bench/bench_faq.py`` measures all three).
"""

from __future__ import annotations

import asyncio
import weakref
from functools import lru_cache

from sqlmodel import Session

from bot.questions import faq_store
from bot.transport.context import Services
from flows.questions import Entry, Matcher, entries_for

Stamp = tuple[object, ...]
_caches: weakref.WeakKeyDictionary[object, dict[tuple[str, int | None], tuple[Stamp, Matcher]]]
_caches = weakref.WeakKeyDictionary()


async def faq_matcher(services: Services, market: str, cohort_id: int | None) -> Matcher:
    """The matcher over the market's built-in entries and the cohort's provider's own
    (``market`` empty, before a seller has chosen one: every market's entries)."""
    if cohort_id is None:  # the first build of an index takes a few hundred ms: off the loop
        return await asyncio.to_thread(_index, entries_for(market))
    cache = _caches.setdefault(services.db, {})
    stamp = await services.db.run(lambda s: faq_store.stamp(s, cohort_id=cohort_id))
    cached = cache.get((market, cohort_id))
    if cached is not None and cached[0] == stamp:
        return cached[1]

    def read(session: Session) -> tuple[Stamp, tuple[Entry, ...]]:
        rows = faq_store.rows_for_cohort(session, cohort_id=cohort_id)
        return faq_store.stamp(session, cohort_id=cohort_id), faq_store.merged_entries(market, rows)

    stamp, entries = await services.db.run(read)  # the rows and their stamp, read together
    matcher = await asyncio.to_thread(_index, entries)  # keeps the loop answering meanwhile
    cache[(market, cohort_id)] = (stamp, matcher)
    return matcher


@lru_cache(maxsize=64)
def _index(entries: tuple[Entry, ...]) -> Matcher:
    """One index per distinct set of entries: cohorts without own entries share one."""
    return Matcher(entries)
