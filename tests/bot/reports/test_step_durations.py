"""What ``/stats`` reads is stored as it happens (migration 0013), on both databases.

Each step event carries the seconds spent in its from-state; each application when it
entered its state, the furthest state it has been in and how often it was rejected. The
migration fills them in from the history; the seller's and the reviewers' writes keep
them as they go; the funnel reads them and still counts what the history says.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from sqlalchemy import DateTime, Engine, bindparam, text
from sqlmodel import Session, col, select

from bot.db.migrate import upgrade
from bot.db.models import Application, StepEvent
from bot.reports import funnel
from bot.reports.funnel import Scope
from tests.bot.outbox.outbox_helpers import running_sender
from tests.bot.providers.review_helpers import drained, received, review_button
from tests.bot.providers.test_providers import OWNER_A, provider_from_cli
from tests.bot.providers.test_review_tenancy import SELLER, submitted_in_cohort
from tests.harness import running_bot

START = dt.datetime(2026, 9, 1, 8, 0, tzinfo=dt.UTC)
HISTORIES: dict[int, tuple[str | None, str, list[tuple[str, str, int]]]] = {
    # application id: track, state, events (from, to, seconds after the previous one)
    1: ("uk_business", "approved", [
        ("language", "market", 60), ("market", "track", 120), ("track", "company_name", 30),
        ("company_name", "review", 600), ("review", "submitted", 60),
        ("submitted", "rejected", 3600), ("rejected", "company_name", 0),
        ("company_name", "review", 300), ("review", "submitted", 60),
        ("submitted", "approved", 7200),
    ]),
    2: ("uk_business", "language", []),  # never moved
    3: ("uk_business", "market", []),  # opened at the market step (``/new`` knows the language)
    4: (None, "market", [("language", "market", 10)]),
    5: ("uk_business", "company_name", [
        ("language", "market", 20), ("market", "track", 20), ("track", "company_name", 20),
        ("company_name", "review", 20), ("review", "submitted", 20),
        ("submitted", "rejected", 5400), ("rejected", "company_name", 0),
    ]),
}  # fmt: skip


def _created(application_id: int) -> dt.datetime:
    return START + dt.timedelta(days=application_id)


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _insert_at_0011(engine: Engine) -> None:
    """The histories as revision 0011 stores them (plain SQL: the models are newer)."""
    moment = DateTime(timezone=True)
    applications: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for number, (track, state, history) in HISTORIES.items():
        at = _created(number)
        applications.append({"id": number, "track": track, "state": state, "at": at})
        for from_state, to_state, seconds in history:
            at += dt.timedelta(seconds=seconds)
            events.append({"app": number, "from": from_state, "to": to_state, "at": at})
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO application (id, market, track, state, answers, version, "
                "created_at, updated_at) VALUES (:id, 'uk', :track, :state, '{}', 1, :at, :at)"
            ).bindparams(bindparam("at", type_=moment)),
            applications,
        )
        connection.execute(
            text(
                "INSERT INTO stepevent (application_id, from_state, to_state, actor, created_at) "
                "VALUES (:app, :from, :to, 'seller', :at)"
            ).bindparams(bindparam("at", type_=moment)),
            events,
        )


def test_the_migration_fills_in_step_times_and_how_far_each_application_got(
    empty_engine: Engine,
) -> None:
    upgrade(empty_engine, "0011")
    _insert_at_0011(empty_engine)

    upgrade(empty_engine, "0013")

    with Session(empty_engine) as session:
        for number, (_, _, history) in HISTORIES.items():
            stored = session.get(Application, number)
            assert stored is not None
            events = session.exec(
                select(StepEvent)
                .where(StepEvent.application_id == number)
                .order_by(col(StepEvent.id))
            ).all()
            assert [e.seconds for e in events] == pytest.approx([s for *_, s in history], abs=1e-3)
            last = _aware(events[-1].created_at) if events else _created(number)
            assert _aware(stored.state_since) == last
        found = {a.id: (a.furthest_state, a.rejections) for a in session.exec(select(Application))}
        assert found == {
            1: ("approved", 1),
            2: ("language", 0),
            3: ("market", 0),  # where it started counts as reached
            4: ("market", 0),
            5: ("submitted", 1),  # sent back after the rejection: it did get that far
        }
        figures = funnel.figures(
            session, scope=Scope(), cohort_track="uk_business", now=START, stalled_days=7
        )
    assert (figures.started, figures.rejected) == (5, 2)
    assert [figures.reached(s) for s in ("market", "track", "submitted", "approved")] == [
        4, 2, 2, 1,
    ]  # fmt: skip
    assert figures.times["language"] == funnel.StepTime(3, 20, 60)  # 60, 10, 20 s
    assert figures.times["submitted"] == funnel.StepTime(3, 5400, 7200)  # 3600, 7200, 5400 s
    assert figures.times["rejected"] == funnel.StepTime(2, 0, 0)


async def test_a_rejected_fixed_and_approved_application_stores_the_time_of_each_step(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider_from_cli(engine, monkeypatch, "Agency A", OWNER_A.id)
    async with running_bot(engine) as bot, running_sender(engine, bot.api):
        app_id = await submitted_in_cohort(bot, engine, SELLER)
        approve, message_id = review_button(received(bot, OWNER_A), "a")
        version = approve.split("|")[3]
        await bot.tap_data(OWNER_A, f"adm_r|s|{app_id}|{version}|1", message_id)  # the name
        await drained(engine)
        assert bot.seller(SELLER).state == "company_name"
        await bot.say(SELLER, "深圳市星河国际贸易有限公司")
        mark = len(bot.api.calls)
        await bot.tap(SELLER, "submit")
        await drained(engine)
        approve, message_id = review_button(received(bot, OWNER_A, mark), "a")
        await bot.tap_data(OWNER_A, approve, message_id)
    with Session(engine) as session:
        stored = session.get(Application, app_id)
        assert stored is not None
        events = session.exec(
            select(StepEvent).where(StepEvent.application_id == app_id).order_by(col(StepEvent.id))
        ).all()
        figures = funnel.figures(
            session,
            scope=Scope(cohort_id=stored.cohort_id),
            cohort_track=None,
            now=dt.datetime.now(dt.UTC),
            stalled_days=7,
        )
    moments = [_aware(stored.created_at), *(_aware(e.created_at) for e in events)]
    gaps = [(later - earlier).total_seconds() for earlier, later in itertools.pairwise(moments)]
    assert [e.seconds for e in events] == pytest.approx(gaps, abs=1e-6)
    assert [e.seconds for e in events if e.from_state == "rejected"] == [0]
    assert _aware(stored.state_since) == moments[-1]
    assert (stored.state, stored.furthest_state, stored.rejections) == ("approved", "approved", 1)
    # the funnel counts what the history says: one application, rejected once, approved
    assert (figures.track, figures.started, figures.rejected) == ("uk_crossborder", 1, 1)
    assert figures.reached("approved") == 1
    left = [e.from_state for e in events]
    assert {state: time.count for state, time in figures.times.items()} == {
        state: left.count(state) for state in set(left)
    }
