"""Sellers' data rights end to end: /mydata hands over everything stored, /delete_me
(after a bound confirmation) leaves nothing personal in any table but keeps the funnel's
counts, and a cohort's retention period anonymizes closed applications, once."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import Engine, update
from sqlmodel import Session, SQLModel, col, func, select

from bot.cli import main as cli
from bot.db.models import Application, AuditEvent, Document, Product, Seller, StepEvent
from bot.outbox import store
from tests.bot.privacy.privacy_helpers import (
    COMPANY,
    LICENCE,
    MARK,
    PRODUCT,
    SELLER,
    USCC,
    apply_in_cohort,
    cohort_of_a,
    provider_a,
)
from tests.bot.providers.test_providers import OWNER_A
from tests.harness import BotHarness, running_bot


def every_value(engine: Engine) -> list[tuple[str, str, str]]:
    """(table, column, value as text) of every cell of every table."""
    cells = []
    with engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            for row in connection.execute(table.select()):
                for column, value in row._mapping.items():
                    if value is not None:
                        cells.append((table.name, str(column), json.dumps(value, default=str)))
    return cells


def personal(engine: Engine) -> list[tuple[str, str, str]]:
    markers = (MARK, str(SELLER.id), USCC, COMPANY, "7400123456")
    return [cell for cell in every_value(engine) if any(m in cell[2] for m in markers)]


async def ask_to_erase(bot: BotHarness) -> dict[str, Any]:
    await bot.say(SELLER, "/delete_me")
    return bot.last_keyboard(SELLER)


def button(message: dict[str, Any], value: str) -> str:
    for row in message["reply_markup"]["inline_keyboard"]:
        for key in row:
            if key["callback_data"].endswith(f"|{value}"):
                return str(key["callback_data"])
    raise LookupError(value)


async def test_mydata_hands_over_everything_in_the_sellers_language(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider_a(engine, monkeypatch)
    async with running_bot(engine) as bot:
        _, token = await cohort_of_a(bot)
        await apply_in_cohort(bot, token)
        calls = await bot.push(bot.updates.message_text(SELLER, "/mydata"))
    texts = [c.text or "" for c in calls if c.method == "sendMessage"]
    assert "我们保存的关于您的数据" in texts[0] and "已提交" in texts[0]
    (document,) = [c for c in calls if c.method == "sendDocument"]
    data = json.loads(next(iter(document.files.values())).data)
    assert data["telegram_user_id"] == SELLER.id and data["locale"] == "zh_Hans"
    (application,) = data["applications"]
    assert application["answers"]["company_name"] == COMPANY
    assert application["cohort"] == "英国跨境一批"
    assert {d["file_name"] for d in application["documents"]} >= {LICENCE}
    assert application["products"][0]["title"] == PRODUCT
    assert [s["to_state"] for s in application["steps"]][-1] == "submitted"


async def test_a_stranger_asking_for_their_data_is_told_nothing_is_stored(
    engine: Engine,
) -> None:
    async with running_bot(engine) as bot:
        reply = await bot.say(SELLER, "/mydata")
    assert "没有保存任何关于您的数据" in reply
    with Session(engine) as session:
        assert session.exec(select(Seller)).all() == []


async def test_delete_me_leaves_no_personal_data_in_any_table_but_keeps_the_funnel(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider_a(engine, monkeypatch)
    async with running_bot(engine) as bot:
        cohort_id, token = await cohort_of_a(bot)
        application_id = await apply_in_cohort(bot, token)
        await bot.say(SELLER, "/new")  # a second application, in progress
        await bot.tap(SELLER, "same")  # it reuses the company's answers
        with Session(engine) as session:
            seller = session.exec(select(Seller)).one()
            steps_before = session.exec(select(func.count()).select_from(StepEvent)).one()
        store.enqueue(engine, [store.Message(seller.chat_id, f"Hi {MARK}", seller_id=seller.id)])
        assert personal(engine)  # the scan does find what the seller left
        question = await ask_to_erase(bot)
        erased = await bot.tap_data(SELLER, button(question, "yes"), question["message_id"])
        assert "您的数据已删除" in "".join(c.text or "" for c in erased)
        assert personal(engine) == []
        with Session(engine) as session:
            kept = session.exec(select(Application).order_by(col(Application.id))).all()
            assert [a.seller_id for a in kept] == [None, None]
            assert kept[0].id == application_id and kept[0].state == "submitted"
            assert kept[0].cohort_id == cohort_id and kept[0].submitted_at is not None
            assert all(a.answers == {} and a.anonymized_at for a in kept)
            assert session.exec(select(func.count()).select_from(StepEvent)).one() == steps_before
            assert session.exec(select(Document)).all() == []
            assert session.exec(select(Product)).all() == []
            events = session.exec(
                select(AuditEvent).where(AuditEvent.action == "seller.erased")
            ).all()
            provider = {e.provider_id: e.after for e in events if e.actor_telegram_id == 0}
            # the cohort's provider, and the installation for the application in no cohort
            assert provider == {1: {"applications": 1}, None: {"applications": 1}}
        assert "欢迎！" in await bot.say(SELLER, "/start")  # a new seller, not "welcome back"
        assert "已提交" not in await bot.say(SELLER, "/applications")


async def test_a_reviewer_opening_an_erased_sellers_application_sees_what_is_left(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider_a(engine, monkeypatch)
    async with running_bot(engine) as bot:
        _, token = await cohort_of_a(bot)
        application_id = await apply_in_cohort(bot, token)
        question = await ask_to_erase(bot)
        await bot.tap_data(SELLER, button(question, "yes"), question["message_id"])
        shown = await bot.say(OWNER_A, f"/application {application_id}")  # OWNER_A reads Chinese
        queue = await bot.say(OWNER_A, "/queue")
    assert "出错" not in shown and f"#{application_id}" in shown
    assert "卖家已于" in shown and "删除其数据" in shown  # the anonymized record, explained
    assert "状态：已提交，审核中" in shown and "卖家" in shown  # labels, not `submitted`
    assert MARK not in shown and COMPANY not in shown
    assert f"#{application_id}" not in queue  # nobody is left to decide for


async def test_only_the_bound_yes_erases(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    provider_a(engine, monkeypatch)
    async with running_bot(engine) as bot:
        _, token = await cohort_of_a(bot)
        await apply_in_cohort(bot, token, submit=False)
        question = await ask_to_erase(bot)
        yes = button(question, "yes")
        forged = yes.replace(yes.split("|")[1], "AAAAAAAA")
        for data, message_id in ((forged, question["message_id"]), (yes, 1)):
            calls = await bot.tap_data(SELLER, data, message_id)
            assert [c for c in calls if c.method == "answerCallbackQuery" and c.params.get("text")]
        no = await bot.tap_data(SELLER, button(question, "no"), question["message_id"])
        assert "未删除任何数据" in "".join(c.text or "" for c in no)
        again = await bot.tap_data(SELLER, yes, question["message_id"])  # used: stale now
        assert not [c for c in again if c.method == "sendMessage"]
        await bot.tap_data(OWNER_A, yes, question["message_id"])  # someone else's tap
    assert personal(engine)  # nothing was erased
    with Session(engine) as session:
        assert session.exec(select(Seller)).one().pending_confirmation in (None, {})


async def test_retention_anonymizes_closed_applications_once(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    provider_a(engine, monkeypatch)
    async with running_bot(engine) as bot:
        cohort_id, token = await cohort_of_a(bot)
        assert "1 到 3650" in await bot.say(OWNER_A, f"/cohort_rule {cohort_id} retention_days 0")
        saved = await bot.say(OWNER_A, f"/cohort_rule {cohort_id} retention_days 30")
        assert "已保存" in saved and "30 天无活动后匿名化" in saved
        closed = await apply_in_cohort(bot, token)
        assert bot.app is not None and bot.app.job_queue is not None
        assert bot.app.job_queue.get_jobs_by_name("retention")
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=31)
    with Session(engine) as session:
        session.exec(
            update(Application).values(updated_at=long_ago, submitted_at=long_ago)  # type: ignore[call-overload]
        )
        session.commit()
    assert cli(["retention"]) == 0
    assert "Anonymized 1 application " in capsys.readouterr().out
    assert cli(["retention"]) == 0  # safe to run twice
    assert "Anonymized 0 applications" in capsys.readouterr().out
    assert personal(engine) == []  # the seller had nothing else: erased too
    with Session(engine) as session:
        application = session.get(Application, closed)
        assert application is not None and application.state == "submitted"
        assert application.answers == {} and application.seller_id is None
        (event,) = session.exec(
            select(AuditEvent).where(AuditEvent.action == "retention.anonymized")
        ).all()
        assert event.after == {"applications": 1, "retention_days": 30}
