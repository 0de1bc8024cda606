"""A seller's question in their private chat, end to end on both databases (issue 22).

Through the real ``Application``, the outbox sender and the fake Bot API: a Chinese
seller mid-flow asks about the UK phone and gets the FAQ's answer without losing their
step; asks something new, taps "Ask a person"; the provider's owner gets the ticket,
replies to it, and the seller receives the answer quoted under their question.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.db.models import AuditEvent, Delivery
from bot.providers.insight import commands as insight_commands
from tests.bot.outbox.outbox_helpers import running_sender
from tests.bot.questions.question_helpers import (
    OWNER,
    ZHANG,
    crossborder_seller_in_cohort,
    keyboard_data,
    notice_to,
    reply_to,
    tickets,
)
from tests.harness import at_products, running_bot
from tests.updates import TelegramUser


def quoted(call_params: dict[str, object]) -> int | None:
    parameters = call_params.get("reply_parameters")
    return int(parameters["message_id"]) if isinstance(parameters, dict) else None


async def test_a_chinese_seller_asks_mid_flow_and_a_person_answers(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running_bot(engine) as bot, running_sender(engine, bot.api):
        await crossborder_seller_in_cohort(bot, engine, monkeypatch)
        before = bot.seller(ZHANG)

        # the FAQ answers, quoted under the question; the step is shown again, unchanged
        update = bot.updates.message_text(ZHANG, "需要英国手机号吗？")
        asked_id = update["message"]["message_id"]
        calls = await bot.push(update)
        sent = [c for c in calls if c.method == "sendMessage"]
        assert "中国手机号不行" in str(sent[0].params["text"])
        assert quoted(sent[0].params) == asked_id
        assert "统一社会信用代码" in str(sent[-1].params["text"])  # the step again
        after = bot.seller(ZHANG)
        assert (after.state, after.answers) == (before.state, before.answers)
        assert [t.state for t in tickets(engine)] == ["asked"]

        # "That answers it" closes it; a second tap changes nothing
        data, message_id = keyboard_data(calls, "q|ok|")
        assert "很高兴" in str((await bot.tap_data(ZHANG, data, message_id))[-1].params)
        await bot.tap_data(ZHANG, data, message_id)
        assert [t.state for t in tickets(engine)] == ["closed"]

        # something new; "Ask a person" sends it to the provider's owner
        update = bot.updates.message_text(ZHANG, "公司名称写中文还是英文？")
        question_id = update["message"]["message_id"]
        calls = await bot.push(update)
        mark = len(bot.api.calls)
        data, message_id = keyboard_data(calls, "q|ask|")
        told = await bot.tap_data(ZHANG, data, message_id)
        assert "已把您的问题转给您的服务商" in str([c.params.get("text") for c in told])
        notice = await notice_to(bot, engine, OWNER, mark)
        text = str(notice.params["text"])
        assert "公司名称写中文还是英文？" in text and "英国跨境一批" in text
        assert "统一社会信用代码" in text and "英国" in text and "简体中文" in text
        assert "uscc" not in text and "uk_crossborder" not in text  # labels, not ids

        # the seller keeps walking meanwhile
        await bot.say(ZHANG, "91110000802100433B")
        assert bot.seller(ZHANG).state == "business_licence"

        # the owner replies to the notice; the seller gets it quoted under their question
        message = bot.api.message(OWNER.id, notice.result["message_id"])
        assert message is not None
        mark = len(bot.api.calls)
        answered = await reply_to(bot, OWNER, message, "请填写营业执照上的中文名称。")
        assert "已发送给卖家" in str([c.params.get("text") for c in answered])
        to_seller = [c for c in bot.api.sent_to(ZHANG.id) if bot.api.calls.index(c) >= mark]
        assert len(to_seller) == 1
        assert "请填写营业执照上的中文名称。" in str(to_seller[0].params["text"])
        assert quoted(to_seller[0].params) == question_id
        assert bot.seller(ZHANG).state == "business_licence"  # their place is untouched

    ticket = tickets(engine)[-1]
    assert ticket.state == "answered" and ticket.first_answered_at is not None
    assert ticket.answered_by == OWNER.id and ticket.step == "uscc" and ticket.locale == "zh_Hans"
    with Session(engine) as session:
        actions = session.exec(select(AuditEvent.action)).all()
    assert "ticket.answer" in actions


async def test_a_question_nothing_answers_opens_a_ticket_and_ask_alone_takes_the_next_text(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running_bot(engine) as bot, running_sender(engine, bot.api):
        await crossborder_seller_in_cohort(bot, engine, monkeypatch)
        mark = len(bot.api.calls)
        reply = await bot.say(ZHANG, "你们周末上班吗？")
        assert "已把您的问题转给您的服务商" in reply and "统一社会信用代码" in reply
        await notice_to(bot, engine, OWNER, mark)

        # /ask alone: the next text is a question even though it reads like none
        assert "请输入您的问题" in await bot.say(ZHANG, "/ask")
        await bot.say(ZHANG, "营业执照过期了")
        assert bot.seller(ZHANG).state == "uscc"
        # /ask <text>: a question whatever it says
        await bot.say(ZHANG, "/ask 91110000802100433B")
        assert bot.seller(ZHANG).state == "uscc"
        # and a valid answer is still an answer
        await bot.say(ZHANG, "91110000802100433B")
        assert bot.seller(ZHANG).state == "business_licence"
    assert tickets(engine)[0].state == "open"
    assert [t.question for t in tickets(engine)][1:] == ["营业执照过期了", "91110000802100433B"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_company_name_is_an_answer_and_a_question_at_that_step_is_not(
    engine: Engine,
) -> None:
    names = ("How Foods", "Who Gives A Crap", "什么值得买", "Can Do Trading Ltd", "Kapan Lagi")
    async with running_bot(engine) as bot:
        for number, name in enumerate(names):
            seller = TelegramUser(8131 + number, "Ann", language_code="en")
            await bot.begin(seller, "en", "uk", "uk_crossborder")
            assert bot.seller(seller).state == "company_name"
            reply = await bot.say(seller, "do I need a UK phone number")
            assert bot.seller(seller).state == "company_name" and "+44 7" in reply
            await bot.say(seller, name)
            assert bot.seller(seller).answers["company_name"] == name


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_product_title_is_an_answer_and_a_question_there_is_not(engine: Engine) -> None:
    seller = TelegramUser(8141, "Budi", language_code="id")
    async with running_bot(engine) as bot:
        await at_products(bot, seller, "id")
        await bot.tap(seller, "add")
        reply = await bot.say(seller, "produk apa saja yang dilarang?")
        assert bot.seller(seller).answers["_draft"]["field"] == "title", reply
        await bot.say(seller, "What A Wonderful Mug Ceramic 350ml Gift Box")
        draft = bot.seller(seller).answers["_draft"]
        assert draft["title"] == "What A Wonderful Mug Ceramic 350ml Gift Box"
        assert draft["field"] == "price"


async def test_delete_me_erases_the_sellers_tickets_and_their_notices(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running_bot(engine) as bot, running_sender(engine, bot.api):
        await crossborder_seller_in_cohort(bot, engine, monkeypatch)
        mark = len(bot.api.calls)
        await bot.say(ZHANG, "你们周末上班吗？")
        await notice_to(bot, engine, OWNER, mark)
        calls = await bot.push(bot.updates.message_text(ZHANG, "/mydata"))
        (document,) = [c for c in calls if c.method == "sendDocument"]
        data = json.loads(next(iter(document.files.values())).data)
        (question,) = data["questions"]
        assert question["question"] == "你们周末上班吗？" and question["state"] == "open"
        await bot.say(ZHANG, "/delete_me")
        question = bot.last_keyboard(ZHANG)
        yes = next(b["callback_data"] for row in question["reply_markup"]["inline_keyboard"]
                   for b in row if b["callback_data"].endswith("|yes"))  # fmt: skip
        await bot.tap_data(ZHANG, yes, question["message_id"])
    assert tickets(engine) == []
    with Session(engine) as session:
        assert session.exec(select(Delivery).where(Delivery.ticket_id.is_not(None))).all() == []  # type: ignore[union-attr]


async def test_stats_count_open_tickets_and_the_time_to_a_first_answer(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    for chart in ("funnel_png", "daily_png"):  # drawn and tested elsewhere; slow on a busy CI
        monkeypatch.setattr(insight_commands, chart, lambda **_: b"\x89PNG")
    async with running_bot(engine) as bot, running_sender(engine, bot.api):
        await crossborder_seller_in_cohort(bot, engine, monkeypatch)
        for question in ("你们周末上班吗？", "今晚有直播培训吗？"):
            mark = len(bot.api.calls)
            await bot.say(ZHANG, question)
            notice = await notice_to(bot, engine, OWNER, mark)
        message = bot.api.message(OWNER.id, notice.result["message_id"])
        assert message is not None
        await reply_to(bot, OWNER, message, "可以。")
        stats = await bot.say(OWNER, "/stats")
    assert "卖家提问：1 个待人工回复，1 个已回复" in stats
    assert "首次回复时间中位数：" in stats and "：—" not in stats.split("首次回复时间中位数")[1]
