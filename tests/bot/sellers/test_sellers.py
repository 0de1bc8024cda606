"""The seller store: one transaction per update, version checks, invite codes, on both databases."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from bot.db import repo
from bot.db.models import Application, InviteCode, ProcessedUpdate, Seller, StepEvent
from bot.providers.codes import store as codes
from bot.sellers.store import SellerStore
from bot.sellers.unit import DuplicateUpdate, SellerView, Write
from bot.transport.redelivery import RETENTION
from flows.answers import ChoiceAnswer, TextAnswer
from flows.engine import advance
from flows.errors import ValidationError
from flows.progress import CompanyCheck, FlowEnv, Progress
from tests.snapshots import all_sellers


def one_seller(session: Session):  # type: ignore[no-untyped-def]
    (seller,) = all_sellers(session)
    return seller


def _answer(answer: ChoiceAnswer | TextAnswer):  # type: ignore[no-untyped-def]
    def unit(view: SellerView, env: FlowEnv) -> tuple[Write | None, str | None]:
        outcome = advance(view.progress, answer, env)
        if outcome.error is not None:
            return None, outcome.error.code
        return Write(progress=outcome.progress), None

    return unit


async def _run(store: SellerStore, unit, user: int = 1):  # type: ignore[no-untyped-def]
    return await store.run(telegram_user_id=user, chat_id=user, locale="en", unit=unit)


async def test_first_contact_creates_the_seller_once_with_the_telegram_locale(
    engine: Engine,
) -> None:
    store = SellerStore(engine)
    first = await store.run(
        telegram_user_id=5, chat_id=5, locale="zh_Hans", unit=lambda v, e: (None, v)
    )
    again = await store.run(telegram_user_id=5, chat_id=5, locale="en", unit=lambda v, e: (None, v))
    assert first.seller.is_new and not again.seller.is_new
    assert again.seller.locale == "zh_Hans"
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Seller)).one() == 1


async def test_accepted_answer_is_stored_with_a_new_version_and_a_step_event(
    engine: Engine,
) -> None:
    store = SellerStore(engine)
    result = await _run(store, _answer(ChoiceAnswer("language", "en")))
    assert result.seller.progress.state == "market"
    assert result.seller.version == 2
    with Session(engine) as session:
        seller = one_seller(session)
        assert (seller.state, seller.version, seller.answers) == ("market", 2, {"language": "en"})
        event = session.exec(select(StepEvent)).one()
        assert (event.from_state, event.to_state) == ("language", "market")


async def test_refused_answer_changes_nothing_in_the_database(engine: Engine) -> None:
    store = SellerStore(engine)
    for answer in (
        ChoiceAnswer("language", "en"),
        ChoiceAnswer("market", "uk"),
        ChoiceAnswer("track", "uk_crossborder"),
        TextAnswer("ACME Trading Ltd"),
    ):
        await _run(store, _answer(answer))
    result = await _run(store, _answer(TextAnswer("91110000802100433A")))  # wrong check char
    assert result.value == "error_uscc_check"
    with Session(engine) as session:
        seller = one_seller(session)
        assert seller.state == "uscc" and "uscc" not in seller.answers and seller.version == 5


async def test_a_concurrent_write_is_detected_and_the_unit_rerun_on_fresh_data(
    engine: Engine,
) -> None:
    """A writer that skips the seller lock (an operator's script) is still caught."""
    if engine.dialect.name == "sqlite":
        pytest.skip("SQLite's BEGIN IMMEDIATE lets no other writer in while the unit runs")
    store = SellerStore(engine)
    await _run(store, lambda v, e: (None, None))
    seen_versions: list[int] = []

    def racing_unit(view: SellerView, env: FlowEnv) -> tuple[Write, int]:
        seen_versions.append(view.version)
        if len(seen_versions) == 1:  # another process writes between our read and our write
            with Session(engine) as other:
                assert repo.save_application(
                    other.connection(),
                    application_id=view.application_id,
                    expected_version=view.version,
                    decided_at=NOW,
                )
                other.commit()
        progress = view.progress.copy()
        progress.answers["note"] = len(seen_versions)
        return Write(progress=progress), view.version

    result = await _run(store, racing_unit)
    assert seen_versions == [1, 2]
    assert result.seller.version == 3
    with Session(engine) as session:
        seller = one_seller(session)
        assert seller.decided_at is not None  # neither write was lost
        assert seller.answers["note"] == 2


def _add_code(engine: Engine, **kwargs: object) -> None:
    with Session(engine) as session:
        codes.add_invite_code(session, **kwargs)  # type: ignore[arg-type]
        session.commit()


NOW = dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("code", "market"),
    [
        ("NOPE-1234", "uk"),  # unknown
        ("ID-ONLY-1", "uk"),  # another market's
        ("REVOKED-1", "uk"),
        ("EXPIRED-1", "uk"),
        ("USED-UP-1", "uk"),
    ],
)
def test_an_invite_code_that_cannot_be_used_gets_one_text_whatever_the_reason(
    engine: Engine, code: str, market: str
) -> None:
    """Saying "used up" but "doesn't exist" would tell a guesser which codes exist."""
    _add_code(engine, code="ID-ONLY-1", market="id")
    _add_code(engine, code="REVOKED-1", market="uk")
    _add_code(engine, code="EXPIRED-1", market="uk", expires_at=NOW - dt.timedelta(days=1))
    _add_code(engine, code="USED-UP-1", market="uk", max_uses=0)
    with Session(engine) as session:
        session.exec(select(InviteCode).where(InviteCode.code == "REVOKED-1")).one().revoked = True
        session.commit()
    with Session(engine) as session, pytest.raises(ValidationError) as refused:
        codes.redeem_invite_code(session.connection(), code=code, market=market, now=NOW)
    assert refused.value.code == "error_invite_code_not_valid"


def test_the_last_use_of_a_single_use_code_goes_to_exactly_one_of_many_concurrent_sellers(
    engine: Engine,
) -> None:
    _add_code(engine, code="ONCE-ONLY", market="uk", max_uses=1)
    outcomes: list[str] = []
    barrier = threading.Barrier(8)

    def redeem() -> None:
        barrier.wait()
        with Session(engine) as session:
            try:
                codes.redeem_invite_code(
                    session.connection(), code="ONCE-ONLY", market="uk", now=NOW
                )
                session.commit()
                outcomes.append("ok")
            except ValidationError as error:
                outcomes.append(error.code)

    threads = [threading.Thread(target=redeem) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("ok") == 1
    assert set(outcomes) == {"ok", "error_invite_code_not_valid"}


async def test_a_company_lookup_runs_outside_the_transaction_and_only_once(engine: Engine) -> None:
    looked_up: list[str] = []

    async def lookup(number: str) -> CompanyCheck:
        looked_up.append(number)
        return CompanyCheck("found", name="ACME LTD", status="active")

    store = SellerStore(engine, company_lookup=lookup)
    for answer in (
        ChoiceAnswer("language", "en"),
        ChoiceAnswer("market", "uk"),
        ChoiceAnswer("track", "uk_business"),
        TextAnswer("Acme Ltd"),
    ):
        await _run(store, _answer(answer))
    result = await _run(store, _answer(TextAnswer("sc 123456")))
    assert looked_up == ["SC123456"]
    assert result.seller.progress.state == "company_confirm"
    assert result.seller.progress.answers["company_registered_name"] == "ACME LTD"


async def test_many_sellers_at_once_all_keep_their_progress(engine: Engine) -> None:
    store = SellerStore(engine)

    async def walk(user: int) -> Progress:
        for answer in (
            ChoiceAnswer("language", "id"),
            ChoiceAnswer("market", "id"),
            ChoiceAnswer("track", "id_individual"),
        ):
            result = await _run(store, _answer(answer), user=user)
        return result.seller.progress

    progresses = await asyncio.gather(*(walk(user) for user in range(100, 120)))
    assert {p.state for p in progresses} == {"nik"}
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(StepEvent)).one() == 60


async def test_an_update_delivered_twice_is_applied_once(engine: Engine) -> None:
    store = SellerStore(engine)

    async def answer(value: ChoiceAnswer | TextAnswer, update_id: int):  # type: ignore[no-untyped-def]
        return await store.run(
            telegram_user_id=9,
            chat_id=9,
            locale="en",
            unit=_answer(value),
            update_id=update_id,
            update_digest=f"d{update_id}",
        )

    await answer(ChoiceAnswer("language", "en"), 100)
    await answer(ChoiceAnswer("market", "id"), 101)
    with pytest.raises(DuplicateUpdate):
        await answer(ChoiceAnswer("market", "id"), 101)  # redelivered
    with pytest.raises(DuplicateUpdate):
        await answer(ChoiceAnswer("language", "en"), 100)  # an older one, delivered late
    await answer(ChoiceAnswer("track", "id_business"), 102)
    with Session(engine) as session:
        seller = one_seller(session)
        assert (seller.state, seller.version) == ("company_name", 4)
        recorded = session.exec(select(ProcessedUpdate.update_id)).all()
        assert sorted(recorded) == [100, 101, 102]


async def test_an_older_update_arriving_after_a_newer_one_is_still_applied(
    engine: Engine,
) -> None:
    """Identity, not order: a lower id that was never applied is a new update."""
    store = SellerStore(engine)

    async def answer(value: ChoiceAnswer, update_id: int) -> None:
        await store.run(
            telegram_user_id=9,
            chat_id=9,
            locale="en",
            unit=_answer(value),
            update_id=update_id,
            update_digest=f"d{update_id}",
        )

    await answer(ChoiceAnswer("language", "en"), 500)
    await answer(ChoiceAnswer("market", "uk"), 7)  # e.g. Telegram restarted its ids
    with Session(engine) as session:
        assert one_seller(session).state == "track"


async def test_a_reused_update_id_with_new_content_is_a_new_update(engine: Engine) -> None:
    store = SellerStore(engine)
    for digest, value in (
        ("first", ChoiceAnswer("language", "en")),
        ("other", ChoiceAnswer("market", "id")),
    ):
        await store.run(
            telegram_user_id=9, chat_id=9, locale="en", unit=_answer(value),
            update_id=1, update_digest=digest,
        )  # fmt: skip
    with Session(engine) as session:
        assert one_seller(session).state == "track"


async def test_processed_updates_past_the_retention_window_are_pruned(engine: Engine) -> None:
    store = SellerStore(engine)
    with Session(engine) as session:
        old = dt.datetime.now(dt.UTC) - RETENTION - dt.timedelta(minutes=1)
        session.add(ProcessedUpdate(update_id=1, digest="old", created_at=old))
        session.add(ProcessedUpdate(update_id=2, digest="new"))
        session.commit()
    assert store.prune_processed_updates() == 1
    with Session(engine) as session:
        assert session.exec(select(ProcessedUpdate.digest)).all() == ["new"]


async def test_a_read_only_update_is_recorded_so_a_second_delivery_is_not_answered(
    engine: Engine,
) -> None:
    store = SellerStore(engine)
    await store.run(
        telegram_user_id=9, chat_id=9, locale="en", unit=lambda v, e: (None, None), update_id=50
    )
    with pytest.raises(DuplicateUpdate):
        await store.run(
            telegram_user_id=9, chat_id=9, locale="en", unit=lambda v, e: (None, None), update_id=50
        )
    result = await store.run(  # the next update is applied
        telegram_user_id=9,
        chat_id=9,
        locale="en",
        unit=_answer(ChoiceAnswer("language", "en")),
        update_id=51,
    )
    assert result.seller.progress.state == "market"


def test_a_stale_version_saves_nothing_not_even_the_step_or_the_update_record(
    engine: Engine,
) -> None:
    """On PostgreSQL the three writes are one statement: its INSERTs must follow the UPDATE."""
    with Session(engine) as session:
        seller = repo.create_seller(
            session.connection(), telegram_user_id=5, chat_id=5, locale="en", start_payload=None
        )
        application_id = seller.current_application_id or 0
        session.commit()

    def save(version: int, update_id: int) -> bool:
        with Session(engine) as session:
            saved = repo.save_progress(
                session.connection(),
                application_id=application_id,
                expected_version=version,
                values={"state": "market", "answers": {"language": "en"}},
                step=repo.StateChange("language", "market"),
                processed=repo.Processed(update_id, "digest"),
            )
            session.commit()
            return saved

    assert not save(7, update_id=1)  # the stored version is 1
    assert save(1, update_id=2)
    with Session(engine) as session:
        application = session.get(Application, application_id)
        assert application is not None and application.version == 2
        assert application.state == "market" and application.answers == {"language": "en"}
        steps = session.exec(select(StepEvent)).all()
        assert [(s.from_state, s.to_state, s.actor) for s in steps] == [
            ("language", "market", "seller")
        ]
        assert steps[0].created_at == application.updated_at
        recorded = session.exec(select(ProcessedUpdate.update_id)).all()
        assert recorded == [2]
