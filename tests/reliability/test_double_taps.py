"""A tap handled twice at once changes the state once: every such change is a conditional
claim in the database (``UPDATE … WHERE status = <expected>``, rowcount checked).

An admin's double tap reaches two webhook workers, or two tasks when the per-sender
ordering is bypassed; ``Driver.race`` handles both copies at the same moment, past the
ordering. Before the claims, "Send now" tapped twice at once launched 18 broadcasts for 10
drafts (both databases), each recipient messaged twice. Admin invite links and invite codes
were conditional already; their races are proved here too. On both databases.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, func, select

from bot.broadcasts import compose
from bot.db.models import (
    Admin,
    AuditEvent,
    Broadcast,
    BroadcastDraft,
    Delivery,
    InviteCode,
    Provider,
    utcnow,
)
from bot.outbox import store
from bot.providers.access import AdminIdentity
from bot.providers.codes.store import add_invite_code, redeem_invite_code
from bot.providers.cohorts.store import create_cohort
from bot.providers.store import accept_invite, create_invite
from flows.errors import ValidationError
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


# -- the other one-time actions: already conditional, proved under a real race ---------------

RACES = 15  # rounds; each starts two units at the same instant


def at_once(work: Callable[[int], object]) -> list[object]:
    """``work(0)`` and ``work(1)`` in two threads released together; their results or errors."""
    gate = threading.Barrier(2)

    def run(n: int) -> object:
        gate.wait()
        try:
            return work(n)
        except ValidationError as error:
            return error.code

    with ThreadPoolExecutor(2) as pool:
        return list(pool.map(run, (0, 1)))


def test_one_admin_invite_opened_by_two_people_at_once_makes_one_admin(engine: Engine) -> None:
    with Session(engine) as session:
        provider = Provider(name="Agency")
        session.add(provider)
        session.commit()
        provider_id = provider.id
    assert provider_id is not None
    owner = AdminIdentity(telegram_user_id=OWNER, provider_id=provider_id, role="owner",
                          locale="en")  # fmt: skip
    for round_ in range(RACES):
        with Session(engine) as session:
            token = create_invite(session, actor=owner, provider_id=provider_id).token
            session.commit()
        people = (10_000 + 2 * round_, 10_001 + 2 * round_)

        def accept(n: int, token: str = token, people: tuple[int, int] = people) -> object:
            with Session(engine) as session:
                outcome, _ = accept_invite(session, token=token, telegram_user_id=people[n],
                                           locale="en", now=utcnow())  # fmt: skip
                session.commit()
                return outcome

        assert sorted(o.value for o in at_once(accept)) == ["joined", "used"]  # type: ignore[attr-defined]
    with Session(engine) as session:
        admins = session.exec(select(func.count()).select_from(Admin)).one()
    assert admins == RACES


def test_the_last_use_of_an_invite_code_taken_by_two_sellers_at_once_goes_to_one(
    engine: Engine,
) -> None:
    for round_ in range(RACES):
        code = f"RACE-{round_:04d}-CODE"
        with Session(engine) as session:
            add_invite_code(session, code=code, market="uk", max_uses=1)
            session.commit()

        def redeem(_n: int, code: str = code) -> object:
            with Session(engine) as session:
                redeem_invite_code(session.connection(), code=code, market="uk", now=utcnow())
                session.commit()
                return "redeemed"

        # the loser hears the one refusal unknown and used-up codes share (no oracle)
        assert sorted(map(str, at_once(redeem))) == ["error_invite_code_not_valid", "redeemed"]
    with Session(engine) as session:
        uses = session.exec(select(InviteCode.uses)).all()
    assert uses == [1] * RACES
