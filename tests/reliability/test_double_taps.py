"""A tap handled twice at once changes the state once: every such change is a conditional
claim in the database (``UPDATE … WHERE status = <expected>``, rowcount checked).

An admin's double tap reaches two webhook workers, or two tasks when the per-sender
ordering is bypassed; ``Driver.race`` handles both copies at the same moment, past the
ordering. Before the claims, "Send now" tapped twice launched 12 broadcasts for 10 drafts
on SQLite and 19 on PostgreSQL, each recipient messaged twice. On both databases.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, func, select

from bot.broadcasts import compose
from bot.db.models import Admin, AuditEvent, Broadcast, BroadcastDraft, Delivery, Provider
from bot.outbox import store
from bot.providers.cohorts.store import create_cohort
from tests.bot.broadcasts.broadcast_helpers import seller
from tests.reliability.driver import Driver

OWNER = 8_101
SELLERS = range(8_201, 8_206)
DRAFTS = 10


@pytest.fixture
def driver(engine: Engine) -> Iterator[Driver]:
    driver = Driver(engine)
    yield driver
    driver.close()


def drafts_ready_to_send(engine: Engine, count: int) -> list[int]:
    """``count`` composed drafts of one admin, each to the same cohort of five sellers."""
    with Session(engine) as session:
        provider = Provider(name="Agency")
        session.add(provider)
        session.flush()
        assert provider.id is not None
        session.add(Admin(provider_id=provider.id, telegram_user_id=OWNER, role="owner"))
        cohort = create_cohort(session, provider_id=provider.id, name="UK", market="uk")
        session.commit()
        provider_id, cohort_id = provider.id, cohort.id
    assert cohort_id is not None
    for user_id in SELLERS:
        seller(engine, user_id, cohort_id)
    spec = {**compose.new_spec(), "cohorts": [cohort_id], "texts": {"all": "<b>News</b>"}}
    with Session(engine) as session:
        rows = [
            BroadcastDraft(provider_id=provider_id, admin_telegram_id=OWNER, chat_id=OWNER,
                           spec=dict(spec))
            for _ in range(count)
        ]  # fmt: skip
        session.add_all(rows)
        session.commit()
        return [row.id for row in rows if row.id is not None]


def audited(engine: Engine, action: str) -> Counter[str]:
    with Session(engine) as session:
        targets = session.exec(select(AuditEvent.target).where(AuditEvent.action == action))
        return Counter(str(target) for target in targets)


def double_tap(driver: Driver, data: list[str]) -> None:
    """Every tap twice, all at once."""
    driver.race(*(driver.callback(OWNER, d) for d in data for _ in range(2)))


def test_send_now_tapped_twice_at_once_launches_each_draft_once(driver: Driver) -> None:
    engine = driver.engine
    drafts = drafts_ready_to_send(engine, DRAFTS)
    double_tap(driver, [f"adm_bc|send|{draft}." for draft in drafts])
    with Session(engine) as session:
        broadcasts = session.exec(select(func.count()).select_from(Broadcast)).one()
        per_chat = Counter(session.exec(select(Delivery.chat_id)).all())
        launched = session.exec(select(BroadcastDraft.status, BroadcastDraft.broadcast_id)).all()
    assert broadcasts == DRAFTS
    assert per_chat == {chat: DRAFTS for chat in SELLERS}  # one message per draft each
    assert {status for status, _ in launched} == {"queued"}
    assert len({broadcast for _, broadcast in launched}) == DRAFTS
    assert audited(engine, "broadcast.send") == {f"draft:{d}": 1 for d in drafts}


def test_cancel_tapped_twice_with_send_now_leaves_one_outcome_per_draft(driver: Driver) -> None:
    engine = driver.engine
    drafts = drafts_ready_to_send(engine, DRAFTS)
    driver.race(
        *(driver.callback(OWNER, f"adm_bc|{action}|{draft}.")
          for draft in drafts for action in ("send", "drop", "drop"))
    )  # fmt: skip
    sent, dropped = audited(engine, "broadcast.send"), audited(engine, "broadcast.cancel")
    with Session(engine) as session:
        rows = {row.id: row for row in session.exec(select(BroadcastDraft))}
        broadcasts = session.exec(select(func.count()).select_from(Broadcast)).one()
    for draft in drafts:
        target = f"draft:{draft}"
        assert sent[target] + dropped[target] == 1, (target, sent, dropped)
        expected = "queued" if sent[target] else "cancelled"
        assert rows[draft].status == expected
        assert (rows[draft].broadcast_id is not None) == bool(sent[target])
    assert broadcasts == sum(sent.values())


def test_pause_resume_and_stop_tapped_twice_change_and_audit_each_broadcast_once(
    driver: Driver,
) -> None:
    engine = driver.engine
    drafts = drafts_ready_to_send(engine, DRAFTS)
    driver.push(*(driver.callback(OWNER, f"adm_bc|send|{draft}.") for draft in drafts))
    with Session(engine) as session:
        broadcast_of = dict(
            session.exec(select(BroadcastDraft.id, BroadcastDraft.broadcast_id)).all()
        )

    def statuses() -> set[str]:
        with Session(engine) as session:
            return set(session.exec(select(Broadcast.status)).all())

    for action, status in (("pause", "paused"), ("resume", "queued"), ("stop", "cancelled")):
        double_tap(driver, [f"adm_bc|{action}|{draft}" for draft in drafts])
        assert statuses() == {status}
        assert audited(engine, f"broadcast.{action}") == {f"draft:{d}": 1 for d in drafts}
    # a cancelled broadcast stays cancelled
    double_tap(driver, [f"adm_bc|resume|{draft}" for draft in drafts])
    assert statuses() == {"cancelled"}
    assert sum(audited(engine, "broadcast.resume").values()) == DRAFTS
    assert all(store.set_status(engine, b, "queued") is False for b in broadcast_of.values())
    with Session(engine) as session:
        pending = session.exec(
            select(func.count()).select_from(Delivery).where(col(Delivery.status) == "pending")
        ).one()
    assert pending == DRAFTS * len(SELLERS)  # nothing was sent: the outbox does that
