"""A cohort's FAQ with a provider's own entries: the time per match, and what the cache costs.

Through ``bot.questions.faq.faq_matcher``, as the bot calls it, on each database: a UK
cohort whose provider wrote about 475 entries of its own (made by recombining the built-in
questions, as ``bench_questions.padded`` does, so they share the real words), answered
5 built-in entries differently and hid 3: 500 entries in the index.

- time per match on that matcher (issue 22: ≤ 5 ms at 500 entries), against the built-in
  entries alone;
- a ``faq_matcher`` call when nothing changed: the one stamp query that lets every worker
  process see another's edits at the next question (no TTL);
- a ``faq_matcher`` call right after an entry changed: reading the rows and building the
  index again, once per change.

``BENCH_SHORT=1`` times fewer rounds and skips PostgreSQL.
"""

from __future__ import annotations

import asyncio
import random
import time
from types import SimpleNamespace
from typing import cast

from sqlmodel import Session

from bench import results
from bench.bench_questions import padded
from bench.databases import BACKENDS, migrated_database, postgres_reachable
from bench.timing import per_call, per_call_async
from bot.db.engine import make_engine
from bot.db.models import FaqEntry, utcnow
from bot.db.units import Database
from bot.providers.cohorts.store import create_cohort
from bot.providers.store import create_provider
from bot.questions.faq import faq_matcher
from bot.transport.context import Services
from flows.questions import Matcher, entries_for
from tests.flows.questions.labelled import QUESTIONS

OVERRIDES = ("uk_phone_required", "price_cap_uk", "review_time", "rejected", "uk_sim")
HIDDEN = ("business_scope", "address_proof", "shops_per_company")
OWNER = 7001
OWN = 500 - len(entries_for("uk")) + len(HIDDEN)
"""Own entries so that the cohort's index holds 500."""


def seed(database: Database, backend: str) -> int:
    """A provider, a UK cohort and its own entries (their answers name ``backend``, so no
    index is shared between the runs); the cohort's id."""

    def write(session: Session) -> int:
        provider = create_provider(session, name="Bench agency", owner_telegram_id=None)
        cohort = create_cohort(session, provider_id=provider.id or 0, name="UK", market="uk")
        assert cohort.id is not None
        made = padded(entries_for("uk"), len(entries_for("uk")) + OWN, seed=2217)[-OWN:]
        rng = random.Random(22)
        rows = [
            FaqEntry(
                provider_id=cohort.provider_id,
                cohort_id=cohort.id,
                market="uk",
                questions={k: list(v) for k, v in entry.questions.items()},
                answers={"en": f"Our answer {number} ({backend})", "zh_Hans": f"回答 {number}"},
                keywords=[],
                created_by=OWNER,
                updated_by=OWNER,
            )
            for number, entry in enumerate(made)
        ]
        rows += [
            FaqEntry(
                provider_id=cohort.provider_id,
                cohort_id=cohort.id,
                market="uk",
                builtin_id=builtin,
                questions={"en": [f"Question {rng.random():.3f}"]},
                answers={"en": "The provider's own answer"},
                keywords=[],
                created_by=OWNER,
                updated_by=OWNER,
            )
            for builtin in OVERRIDES
        ]
        rows += [
            FaqEntry(
                provider_id=cohort.provider_id,
                cohort_id=cohort.id,
                market="uk",
                builtin_id=builtin,
                hidden=True,
                created_by=OWNER,
                updated_by=OWNER,
            )
            for builtin in HIDDEN
        ]
        session.add_all(rows)
        return cohort.id

    return database.run_sync(write)


async def measure(backend: str, *, short: bool) -> None:
    with migrated_database(backend) as url:
        engine = make_engine(url)
        try:
            database = Database(engine)
            services = cast(Services, SimpleNamespace(db=database))
            cohort_id = seed(database, backend)
            start = time.perf_counter()
            matcher = await faq_matcher(services, "uk", cohort_id)
            first = time.perf_counter() - start
            builtin = await faq_matcher(services, "uk", None)
            texts = [q.text for q in QUESTIONS if q.market == "uk"]
            rounds = 1 if short else 5

            def per_match(chosen: Matcher) -> float:
                def run() -> None:
                    for text in texts:
                        chosen.match(text, "en")

                return per_call(run, calls=rounds) / len(texts)

            results.emit(
                f"faq ({backend}): match, cohort with {len(matcher.entries)} entries (≤ 5 ms)",
                per_match(matcher) * 1e3,
                "ms",
                per_match(builtin) * 1e3,
            )
            check = await per_call_async(
                lambda: _call(services, cohort_id), calls=20 if short else 200
            )
            results.emit(
                f"faq ({backend}): faq_matcher, nothing changed (stamp)", check * 1e3, "ms"
            )

            def edit(number: int) -> None:
                def write(session: Session) -> None:
                    row = session.get(FaqEntry, 1)
                    assert row is not None
                    row.answers = {"en": f"Edited answer {number} ({backend})"}
                    row.version += 1  # as every change through bot.questions.faq_store
                    row.updated_at = utcnow()
                    session.add(row)

                database.run_sync(write)

            rebuilds = []
            for number in range(1 if short else 3):
                edit(number)
                start = time.perf_counter()
                await faq_matcher(services, "uk", cohort_id)
                rebuilds.append(time.perf_counter() - start)
            results.emit(
                f"faq ({backend}): faq_matcher after a change (rows + index)",
                min(rebuilds) * 1e3,
                "ms",
                first * 1e3,
            )
        finally:
            engine.dispose()


async def _call(services: Services, cohort_id: int) -> None:
    await faq_matcher(services, "uk", cohort_id)


async def main(*, short: bool = False) -> None:
    print("\nFAQ with a provider's own entries, through faq_matcher", flush=True)
    for backend in BACKENDS:
        if backend == "postgresql" and (short or not postgres_reachable()):
            print("faq: PostgreSQL skipped", flush=True)
            continue
        await measure(backend, short=short)


if __name__ == "__main__":
    asyncio.run(main(short=results.short()))
