"""A small, hand-countable data set for ``/stats`` and ``/applications`` tests.

Cohort A (track ``uk_business``) has four applications whose step events are seconds
apart by design, so the figures can be worked out by hand (see ``test_insight``); cohort
B, another provider's, has one rejected application that must never show in A's figures.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from bot.db.models import Application, Seller, StepEvent, utcnow
from flows.reach import further

Path = Sequence[tuple[str, int]]
"""(state entered, seconds after the previous event)."""

A_PATHS: list[tuple[Path, int, int, dict[str, Any]]] = [
    # path, days before now it started, days since its last activity, answers
    (
        [("market", 60), ("track", 60), ("review", 600), ("submitted", 60), ("approved", 3600)],
        30,
        0,
        {},
    ),
    (
        [("market", 120), ("track", 180), ("review", 1200), ("submitted", 60), ("rejected", 7200)],
        30,
        0,
        {"rejection_reasons": ["phone", "blurry"]},
    ),
    ([("market", 300), ("track", 60)], 29, 10, {}),
    ([], 2, 2, {}),
]
B_PATH: Path = [("market", 30), ("track", 30), ("review", 30), ("rejected", 30)]


def _seed_one(
    session: Session,
    *,
    user_id: int,
    cohort_id: int,
    path: Path,
    started_days: int,
    idle_days: int,
    answers: dict[str, Any],
    now: dt.datetime,
    track: str,
) -> int:
    seller = Seller(telegram_user_id=user_id, chat_id=user_id)
    session.add(seller)
    session.flush()
    assert seller.id is not None
    created = now - dt.timedelta(days=started_days)
    state, moment = "language", created
    application = Application(
        seller_id=seller.id,
        market="uk",
        track=track,
        cohort_id=cohort_id,
        answers=answers,
        created_at=created,
    )
    session.add(application)
    session.flush()
    assert application.id is not None
    for entered, seconds in path:  # stored as the writers store them (``sellers``, ``review``)
        moment += dt.timedelta(seconds=seconds)
        event = StepEvent(
            application_id=application.id,
            from_state=state,
            to_state=entered,
            created_at=moment,
            seconds=seconds,
        )
        session.add(event)
        if entered == "submitted":
            application.submitted_at = moment
        application.furthest_state = further(track, application.furthest_state, entered)
        application.rejections += 1 if entered == "rejected" else 0
        state = entered
    application.state, application.state_since = state, moment
    application.updated_at = now - dt.timedelta(days=idle_days, hours=1)
    session.add(application)
    return application.id


def seed(engine: Engine, *, cohort_a: int, cohort_b: int) -> list[int]:
    """Cohort A's four applications and B's one; returns A's ids in order."""
    now = utcnow()
    ids = []
    with Session(engine) as session:
        for number, (path, started, idle, answers) in enumerate(A_PATHS):
            ids.append(
                _seed_one(
                    session,
                    user_id=8000 + number,
                    cohort_id=cohort_a,
                    path=path,
                    started_days=started,
                    idle_days=idle,
                    answers=answers,
                    now=now,
                    track="uk_business",
                )
            )
        _seed_one(
            session,
            user_id=8100,
            cohort_id=cohort_b,
            path=B_PATH,
            started_days=5,
            idle_days=0,
            answers={"rejection_reasons": ["name"]},
            now=now,
            track="uk_business",
        )
        session.commit()
    return ids


def many(engine: Engine, *, cohort_id: int, count: int, first_user: int) -> None:
    """``count`` bare applications (no events) in a cohort, for paging."""
    now = utcnow()
    with Session(engine) as session:
        for number in range(count):
            seller = Seller(telegram_user_id=first_user + number, chat_id=first_user + number)
            session.add(seller)
            session.flush()
            assert seller.id is not None
            market = "uk" if number % 2 else "id"
            session.add(
                Application(
                    seller_id=seller.id,
                    market=market,
                    state="market",
                    cohort_id=cohort_id,
                    updated_at=now,
                )
            )
        session.commit()
