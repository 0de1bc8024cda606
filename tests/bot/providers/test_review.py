"""Seller review end to end, through the real Application, the outbox and the fake Bot API:
a provider from the CLI, an operator invited, a cohort with a linked group, codes generated
and imported, a seller joining by link and using Chinese, rejected with two reasons, fixing,
resubmitting (the change marked for the admins) and approved.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.db.models import AuditEvent, StepEvent
from bot.platform.i18n import LOCALES
from bot.transport.context import translator
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
    new_cohort,
    provider_from_cli,
)
from tests.harness import running_bot
from tests.updates import TelegramChat, TelegramUser

SELLER = TelegramUser(8101, "Zhang", language_code="zh-hans")


async def test_a_seller_joins_by_link_is_rejected_in_chinese_fixes_and_is_approved(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider_from_cli(engine, monkeypatch, "星河出海服务", OWNER_A.id)
    group = TelegramChat.group(-4101, "英国一批对接群")
    async with running_bot(engine) as bot, running_sender(engine, bot.api):
        invite = LINK.search(await bot.say(OWNER_A, "/admin_invite"))
        assert invite
        await bot.say(OPERATOR_A, f"/start {invite.group(1)}")
        cohort_id, token = await new_cohort(bot, OWNER_A, "uk track=uk_crossborder 英国第一批")
        # the cohort's group
        await bot.push(bot.updates.bot_added_to_group(OWNER_A, group))
        bot.api.set_member(group.id, OWNER_A.id, "creator")
        calls = await bot.push(bot.updates.message_text(OWNER_A, "/link", chat=group))
        choose = next(c for c in calls if c.method == "sendMessage")
        await bot.push(
            bot.updates.callback(
                OWNER_A, choose.inline_keyboard[0][0]["callback_data"],
                choose.result["message_id"], chat=group,
            )
        )  # fmt: skip
        # codes generated, and one imported from a file
        await bot.push(bot.updates.message_text(OWNER_A, f"/codes {cohort_id} new 3 2 10"))
        upload = "code\nTTS-UK-IMPORT-7\n"
        bot.api.add_file("codes-file", upload.encode())
        await bot.push(
            bot.updates.document(
                OWNER_A, "codes-file", "codes.csv", "text/csv", len(upload),
                caption=f"/codes_import {cohort_id}",
            )
        )  # fmt: skip

        # the seller joins by link and submits, in Chinese, with the imported code
        mark = len(bot.api.calls)
        app_id = await submit_crossborder(
            bot, SELLER, locale="zh_Hans", code="tts-uk-import-7", start=f"/start {token}"
        )
        assert application(engine, app_id).cohort_id == cohort_id
        await drained(engine)
        for admin in (OWNER_A, OPERATOR_A):
            got = received(bot, admin, mark)
            assert f"#{app_id}" in texts(got) and "深圳市星河贸易有限公司" in texts(got)
            methods = [call.method for call in got]
            # the summary, the images (legal representative's ID, product) as one album,
            # the licence: three messages, not one per file
            assert methods == ["sendMessage", "sendMediaGroup", "sendDocument"], methods

        # rejected with two reasons
        notice = received(bot, OPERATOR_A, mark)
        # the reviewer reads "the seller's answers", never the seller's own "your answers"
        headings = [
            (translator(code)("review_answers_title"), translator(code)("summary_title"))
            for code in LOCALES
        ]
        assert any(theirs in texts(notice) for theirs, _ in headings)
        assert not any(yours in texts(notice) for _, yours in headings)
        data, message_id = review_button(notice, "x")
        picker = await bot.tap_data(OPERATOR_A, data, message_id)
        data, _ = review_button(picker, "t")  # the first reason offered: name
        assert data.startswith(f"adm_r|t|{app_id}|")
        picker = await bot.tap_data(OPERATOR_A, data, message_id)
        blurry = next(
            button["callback_data"]
            for call in picker
            for row in (call.params.get("reply_markup") or {}).get("inline_keyboard", [])
            for button in row
            if "模糊" in button["text"]
        )
        picker = await bot.tap_data(OPERATOR_A, blurry, message_id)
        send, _ = review_button(picker, "s")
        assert send.endswith("|" + str(1 << 0 | 1 << 3))  # the mask: name and blurry
        mark = len(bot.api.calls)
        told = await bot.tap_data(OPERATOR_A, send, message_id)
        assert f"#{app_id}" in texts(told)
        await drained(engine)
        seller_text = texts(received(bot, SELLER, mark))
        assert "需要修改" in seller_text
        assert "名称与营业执照" in seller_text and "模糊" in seller_text  # both reasons, in Chinese
        rejected = application(engine, app_id)
        assert rejected.state == "company_name"  # the first step concerned
        assert rejected.answers["uscc"] == "91110000802100433B"  # earlier answers kept
        assert rejected.answers["rejection_reasons"] == ["name", "blurry"]  # for /stats

        # the seller fixes the name and resubmits; the admins see what changed
        assert "公司" in await bot.say(SELLER, "/status")
        await bot.say(SELLER, "深圳市星河国际贸易有限公司")
        assert bot.seller(SELLER).state == "business_licence"  # the blurry licence, again
        await bot.document(SELLER, "licence-sharp.pdf", "application/pdf")
        assert bot.seller(SELLER).state == "review"
        mark = len(bot.api.calls)
        await bot.tap(SELLER, "submit")
        await drained(engine)
        again = received(bot, OWNER_A, mark)
        operator_again = received(bot, OPERATOR_A, mark)
        assert "重新提交" in texts(again) and re.search(r"修改了：[^\n]*公司", texts(again))
        assert "rejection_reasons" not in texts(again)  # bookkeeping is not a changed answer

        # approved by the owner: the seller gets the next steps in Chinese
        data, message_id = review_button(again, "a")
        mark = len(bot.api.calls)
        await bot.tap_data(OWNER_A, data, message_id)
        await drained(engine)
        approved = texts(received(bot, SELLER, mark))
        assert "审核通过" in approved and "达人账号" in approved and "180 天" in approved

        # the operator, second, taps their own notice's buttons: told who decided, and what
        for op in ("a", "x"):
            data, message_id = review_button(operator_again, op)
            told = texts(await bot.tap_data(OPERATOR_A, data, message_id))
            assert f"申请 #{app_id} 已由负责人 {OWNER_A.id}审核通过" in told, told
        history = await bot.say(OPERATOR_A, f"/application {app_id}")
        assert "状态：审核通过" in history and "公司名称" in history
        assert "已提交，审核中 → 已驳回" in history and f"管理员 {OPERATOR_A.id}" in history
        assert "submitted" not in history and "company_name" not in history
    assert application(engine, app_id).state == "approved"
    with Session(engine) as session:
        events = session.exec(
            select(StepEvent)
            .where(StepEvent.application_id == app_id, col(StepEvent.actor).startswith("admin:"))
            .order_by(col(StepEvent.id))
        ).all()
        actions = session.exec(
            select(AuditEvent.action).where(col(AuditEvent.target) == f"application:{app_id}")
        ).all()
    assert [(e.from_state, e.to_state, e.actor) for e in events] == [
        ("submitted", "rejected", f"admin:{OPERATOR_A.id}"),
        ("rejected", "company_name", f"admin:{OPERATOR_A.id}"),
        ("submitted", "approved", f"admin:{OWNER_A.id}"),
    ]
    assert sorted(actions) == ["application.approve", "application.reject"]
