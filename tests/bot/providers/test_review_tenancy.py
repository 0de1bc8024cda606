"""Review under pressure: two admins at once, forged and replayed callback data, another
provider's ids, stale versions, applications without a cohort, free-text reasons."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select, update

from bot.db.models import Admin, AuditEvent, Delivery, Seller, StepEvent
from bot.outbox import store as outbox_store
from bot.providers.codes import store as codes
from tests.bot.outbox.outbox_helpers import running_sender
from tests.bot.providers.review_helpers import (
    application,
    drained,
    received,
    review_button,
    submit_crossborder,
    texts,
)
from tests.bot.providers.test_providers import (
    LINK,
    OPERATOR_A,
    OWNER_A,
    OWNER_B,
    SUPERADMIN,
    new_cohort,
    provider_from_cli,
)
from tests.fakebotapi import settle
from tests.harness import BotHarness
from tests.harness import running_bot as running
from tests.updates import TelegramUser

SELLER = TelegramUser(8201, "Chen", language_code="zh-hans")
SELLER_EN = TelegramUser(8202, "Sam", language_code="en")


def seed_code(engine: Engine, code: str, cohort_id: int | None = None) -> None:
    with Session(engine) as session:
        codes.add_invite_code(session, code=code, market="uk", max_uses=None, cohort_id=cohort_id)
        session.commit()


def decisions(engine: Engine, application_id: int) -> list[tuple[str, str]]:
    with Session(engine) as session:
        rows = session.exec(
            select(StepEvent.to_state, StepEvent.actor).where(
                StepEvent.application_id == application_id,
                col(StepEvent.actor).startswith("admin:"),
            )
        ).all()
    return [(to_state, actor) for to_state, actor in rows]


async def cohort_with_operator(bot: BotHarness) -> int:
    match = LINK.search(await bot.say(OWNER_A, "/admin_invite"))
    assert match
    await bot.say(OPERATOR_A, f"/start {match.group(1)}")
    cohort_id, _ = await new_cohort(bot, OWNER_A, "uk track=uk_crossborder 英国第一批")
    return cohort_id


async def submitted_in_cohort(bot: BotHarness, engine: Engine, seller: TelegramUser) -> int:
    cohort_id = await cohort_with_operator(bot)
    seed_code(engine, "TTS-UK-2026", cohort_id)  # the code puts the seller in the cohort
    locale = "zh_Hans" if seller.language_code == "zh-hans" else "en"
    app_id = await submit_crossborder(bot, seller, locale=locale, code="tts-uk-2026")
    assert application(engine, app_id).cohort_id == cohort_id
    await drained(engine)
    return app_id


async def test_two_admins_pressing_at_once_one_decision_wins_the_other_is_told(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider_from_cli(engine, monkeypatch, "Agency A", OWNER_A.id)
    async with running(engine) as bot, running_sender(engine, bot.api):
        app_id = await submitted_in_cohort(bot, engine, SELLER)
        approve, owner_message = review_button(received(bot, OWNER_A), "a")
        _, operator_message = review_button(received(bot, OPERATOR_A), "a")
        reject = f"adm_r|s|{app_id}|{approve.split('|')[3]}|1"  # the same version, one reason
        mark = len(bot.api.calls)
        assert bot.app is not None
        bot.api.push_update(bot.updates.callback(OWNER_A, approve, owner_message))
        bot.api.push_update(bot.updates.callback(OPERATOR_A, reject, operator_message))
        await settle(bot.app, bot.api)
        await drained(engine)
        said = texts(received(bot, OWNER_A, mark)) + texts(received(bot, OPERATOR_A, mark))
        seller_told = received(bot, SELLER, mark)
    made = decisions(engine, app_id)
    assert len([d for d in made if d[0] in ("approved", "rejected")]) == 1
    winner = int(made[0][1].split(":")[1])
    assert re.search(rf"已由(负责人|运营人员) {winner}(审核通过|驳回)", said)  # who decided, what
    assert len(seller_told) == 1  # the seller hears one decision


async def test_forged_replayed_foreign_and_stale_taps_change_nothing(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider_from_cli(engine, monkeypatch, "Agency A", OWNER_A.id)
    provider_from_cli(engine, monkeypatch, "Agency B", OWNER_B.id)
    stranger = TelegramUser(8299, "Nobody", language_code="en")
    async with running(engine) as bot, running_sender(engine, bot.api):
        app_id = await submitted_in_cohort(bot, engine, SELLER)
        approve, message_id = review_button(received(bot, OWNER_A), "a")
        version = int(approve.split("|")[3])
        before = application(engine, app_id)
        # another provider's owner: every way in is "no such application"
        for data in (approve, f"adm_r|x|{app_id}|{version}|0", f"adm_r|d|{app_id}|{version}|0"):
            assert "tidak ditemukan" in texts(await bot.tap_data(OWNER_B, data, message_id))
        assert "tidak ditemukan" in await bot.say(OWNER_B, f"/application {app_id}")
        assert f"#{app_id}" not in await bot.say(OWNER_B, "/queue")
        # forged data: garbage, a reason never offered, an unknown operation
        for data in (
            "adm_r|a|x|1|0",
            f"adm_r|t|{app_id}|{version}|{1 << 12}",
            f"adm_r|s|{app_id}|{version}|{1 << 12}",
            f"adm_r|q|{app_id}|{version}|0",
            f"adm_r|a|{app_id}|{version}|0|extra",
        ):
            await bot.tap_data(OWNER_A, data, message_id)
        # a seller or stranger with a copied button gets the ordinary stale notice
        assert "out of date" in texts(await bot.tap_data(stranger, approve, message_id)).lower()
        # a button for an older version of the application is refused
        stale = f"adm_r|a|{app_id}|{version - 1}|0"
        assert "修改了该申请" in texts(await bot.tap_data(OWNER_A, stale, message_id))
        assert application(engine, app_id).version == before.version
        assert application(engine, app_id).state == "submitted"
        assert decisions(engine, app_id) == []
        # decided once; the replay of the same tap is told, and changes nothing more
        await bot.tap_data(OWNER_A, approve, message_id)
        replay = texts(await bot.tap_data(OWNER_A, approve, message_id))
        assert f"已由负责人 {OWNER_A.id}审核通过" in replay
    assert decisions(engine, app_id) == [("approved", f"admin:{OWNER_A.id}")]
    with Session(engine) as session:
        audited = session.exec(
            select(AuditEvent.action).where(AuditEvent.target == f"application:{app_id}")
        ).all()
    assert audited == ["application.approve"]


async def test_an_application_without_a_cohort_goes_to_superadmins_who_assign_it(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider_from_cli(engine, monkeypatch, "Agency A", OWNER_A.id)
    seed_code(engine, "TTS-UK-FREE")  # a code of no cohort
    async with (
        running(engine, superadmin_ids=(SUPERADMIN.id,)) as bot,
        running_sender(engine, bot.api),
    ):
        cohort_id, _ = await new_cohort(bot, OWNER_A, "uk track=uk_crossborder 英国第一批")
        mark = len(bot.api.calls)
        app_id = await submit_crossborder(bot, SELLER_EN, locale="en", code="tts-uk-free")
        await drained(engine)
        assert application(engine, app_id).cohort_id is None
        assert f"#{app_id}" in texts(received(bot, SUPERADMIN, mark))
        assert received(bot, OWNER_A, mark) == []  # belongs to no provider yet
        queue = await bot.say(SUPERADMIN, "/queue")
        assert f"#{app_id}" in queue and "no cohort" in queue and "waiting" in queue
        assert "没有待审核" in await bot.say(OWNER_A, "/queue")
        assert "只有服务商负责人" in await bot.say(OWNER_A, f"/assign {app_id} {cohort_id}")
        assert "Usage" in await bot.say(SUPERADMIN, "/assign 1")
        assert "No open cohort" in await bot.say(SUPERADMIN, f"/assign {app_id} 999")
        mark = len(bot.api.calls)
        assert "英国第一批" in await bot.say(SUPERADMIN, f"/assign {app_id} {cohort_id}")
        await drained(engine)
        assert f"#{app_id}" in texts(received(bot, OWNER_A, mark))
        assert f"#{app_id}" in await bot.say(OWNER_A, "/queue")
    assert application(engine, app_id).cohort_id == cohort_id


async def test_a_free_text_reason_reaches_the_seller_as_written_in_a_localized_frame(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider_from_cli(engine, monkeypatch, "Agency A", OWNER_A.id)
    async with running(engine) as bot, running_sender(engine, bot.api):
        app_id = await submitted_in_cohort(bot, engine, SELLER_EN)
        with Session(engine) as session:  # the operator opted out of review notices
            session.exec(
                update(Admin)
                .where(col(Admin.telegram_user_id) == OPERATOR_A.id)
                .values(notify_reviews=False)
            )  # type: ignore[call-overload]
            session.commit()
        data, message_id = review_button(received(bot, OWNER_A), "x")
        picker = await bot.tap_data(OWNER_A, data, message_id)
        write, _ = review_button(picker, "w")
        asked = await bot.tap_data(OWNER_A, write, message_id)
        force = next(c for c in asked if c.method == "sendMessage")
        assert force.params["reply_markup"]["force_reply"] is True
        note = bot.updates.message_text(OWNER_A, "店铺名称里不要出现 “official” 字样")
        note["message"]["reply_to_message"] = {
            "message_id": force.result["message_id"],
            "date": note["message"]["date"],
            "chat": note["message"]["chat"],
        }
        mark = len(bot.api.calls)
        await bot.push(note)
        await drained(engine)
        told = texts(received(bot, SELLER_EN, mark))
        assert "The reviewer wrote: “店铺名称里不要出现 “official” 字样”" in told
        assert bot.seller(SELLER_EN).state == "review"  # no step concerned: the summary
        # the draft is used up: the owner's next reply is an ordinary message again
        again = bot.updates.message_text(OWNER_A, "hello")
        again["message"]["reply_to_message"] = note["message"]["reply_to_message"]
        await bot.push(again)
        # detail view: history with the admin, documents re-sent on request
        detail = await bot.say(OWNER_A, f"/application {app_id}")
        assert f"管理员 {OWNER_A.id}" in detail and "已提交，审核中 → 已驳回" in detail
        files, message_id = review_button(bot.api.sent_to(OWNER_A.id), "d")
        resent = await bot.tap_data(OWNER_A, files, message_id)
        assert {c.method for c in resent} >= {"sendDocument", "sendMediaGroup"}
    assert decisions(engine, app_id) == [
        ("rejected", f"admin:{OWNER_A.id}"),
        ("review", f"admin:{OWNER_A.id}"),
    ]


async def test_wrong_invite_codes_are_slowed_down_and_a_blocked_seller_is_unblocked(
    engine: Engine,
) -> None:
    seed_code(engine, "TTS-UK-2026")
    async with running(engine) as bot:
        await bot.begin(SELLER, "zh_Hans", "uk", "uk_crossborder")
        for answer in ("深圳市星河贸易有限公司", "91110000802100433B"):
            await bot.say(SELLER, answer)
        await bot.document(SELLER, "licence.pdf", "application/pdf")
        await bot.photo(SELLER, "legal-rep-id")
        assert bot.seller(SELLER).state == "invite_code"
        for attempt in range(5):
            await bot.say(SELLER, f"WRONG-CODE-{attempt}")
        slowed = await bot.say(SELLER, "tts-uk-2026")  # even the right code waits now
        assert "分钟后再试" in slowed and bot.seller(SELLER).state == "invite_code"
        with Session(engine) as session:
            session.exec(update(Seller).values(blocked=True))  # type: ignore[call-overload]
            session.commit()
        await bot.say(SELLER, "/status")
    with Session(engine) as session:
        assert session.exec(select(Seller.blocked)).one() is False


async def test_a_submission_and_its_reviewers_notice_commit_together(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The notice is queued by the transaction that submits: one that cannot be written
    leaves the application unsubmitted (the seller taps again), and a submission that
    committed has its notice waiting in the outbox the moment the tap is answered."""
    provider_from_cli(engine, monkeypatch, "Agency A", OWNER_A.id)

    def unwritable(*_args: object, **_kwargs: object) -> int:
        raise RuntimeError("the outbox cannot be written")

    def queued_for() -> list[int]:
        with Session(engine) as session:
            return sorted(session.exec(select(Delivery.chat_id)).all())

    async with running(engine) as bot:  # no outbox sender: what is queued stays queued
        cohort_id = await cohort_with_operator(bot)
        seed_code(engine, "TTS-UK-2026", cohort_id)
        with monkeypatch.context() as broken:
            broken.setattr(outbox_store, "enqueue_in", unwritable)
            with pytest.raises(AssertionError, match="the outbox cannot be written"):
                await submit_crossborder(bot, SELLER, locale="zh_Hans", code="tts-uk-2026")
        bot.errors.clear()
        assert bot.seller(SELLER).state == "review"  # rolled back with its notice
        assert queued_for() == []
        await bot.tap(SELLER, "submit")
        assert bot.seller(SELLER).state == "submitted"
        # the summary, the photos as an album, the licence: three each, both reviewers
        assert queued_for() == sorted([OWNER_A.id, OPERATOR_A.id] * 3)
