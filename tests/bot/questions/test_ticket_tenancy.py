"""Tickets belong to one provider: another provider's admin, or forged callback data,
finds nothing and changes nothing; an admin answers from ``/tickets`` and closes."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from bot.providers.access import AdminIdentity
from bot.questions import store
from tests.bot.outbox.outbox_helpers import running_sender
from tests.bot.providers.test_providers import provider_from_cli
from tests.bot.questions.question_helpers import (
    OTHER_OWNER,
    OWNER,
    ZHANG,
    crossborder_seller_in_cohort,
    keyboard_data,
    notice_to,
    reply_to,
    tickets,
)
from tests.fakebotapi import Call
from tests.harness import running_bot
from tests.updates import TelegramUser

LI = TelegramUser(8102, "Li", language_code="zh-hans")


def texts_of(calls: list[Call]) -> str:
    """What the bot said: messages and pop-ups."""
    shown = ("sendMessage", "answerCallbackQuery")
    return "\n".join(str(c.params.get("text") or "") for c in calls if c.method in shown)


async def test_another_providers_admin_and_forged_buttons_find_no_ticket(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running_bot(engine) as bot, running_sender(engine, bot.api):
        await crossborder_seller_in_cohort(bot, engine, monkeypatch)
        other = provider_from_cli(engine, monkeypatch, "Jakarta Partners", OTHER_OWNER.id)
        mark = len(bot.api.calls)
        await bot.say(ZHANG, "你们周末上班吗？")  # nothing in the FAQ: open at once
        notice = await notice_to(bot, engine, OWNER, mark)
        (ticket,) = tickets(engine)

        # the other provider's owner: an empty list, and forged taps find nothing
        assert "Tidak ada penjual yang menunggu" in await bot.say(OTHER_OWNER, "/tickets")
        for data in (f"adm_t|v|{ticket.id}", f"adm_t|c|{ticket.id}", "adm_t|c|x", "adm_t|z|1"):
            told = texts_of(await bot.tap_data(OTHER_OWNER, data))
            assert "tidak ditemukan" in told, (data, told)
        # a reply in their own chat to a message id like the notice's is no answer
        mark = len(bot.api.calls)
        forged = {**notice.result, "chat": {"id": OTHER_OWNER.id, "type": "private"}}
        await reply_to(bot, OTHER_OWNER, forged, "jawaban palsu")
        assert [c for c in bot.api.sent_to(ZHANG.id) if bot.api.calls.index(c) >= mark] == []
        with Session(engine) as session:
            outsider = AdminIdentity(OTHER_OWNER.id, other, "owner", "id")
            assert (
                store.replied_to(
                    session,
                    admin=outsider,
                    chat_id=OWNER.id,
                    message_id=notice.result["message_id"],
                )
                is None
            )
            assert (
                store.answer(session, admin=outsider, ticket_id=ticket.id, text="x").ticket is None
            )
        assert tickets(engine)[0].state == "open"

        # another seller's forged taps on Zhang's FAQ answer change nothing
        calls = await bot.push(bot.updates.message_text(ZHANG, "需要英国手机号吗？"))
        data, _ = keyboard_data(calls, "q|ask|")
        await bot.say(LI, "/start")
        li_message = bot.last_keyboard(LI)["message_id"]
        for forged_data in (data, data.replace("q|ask|", "q|ok|"), "q|ask|99x", "q|open|1"):
            told = texts_of(await bot.tap_data(LI, forged_data, li_message))
            assert "该按钮已失效" in told, forged_data
        assert [t.state for t in tickets(engine)] == ["open", "asked"]


async def test_an_admin_answers_from_tickets_then_closes_it(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running_bot(engine) as bot, running_sender(engine, bot.api):
        await crossborder_seller_in_cohort(bot, engine, monkeypatch)
        assert "将不再发送给您" in await bot.say(OWNER, "/tickets off")
        mark = len(bot.api.calls)
        await bot.say(ZHANG, "你们周末上班吗？")
        assert "已把您的问题转给您的服务商" not in texts_of(bot.api.calls[mark:])  # nobody opted in
        assert "没有可转交的人" in texts_of(bot.api.calls[mark:])
        assert "将发送给您" in await bot.say(OWNER, "/tickets on")

        listing = await bot.push(bot.updates.message_text(OWNER, "/tickets"))
        assert "你们周末上班吗？" in texts_of(listing)
        data, message_id = keyboard_data(listing, "adm_t|v|")
        prompt = [
            c for c in await bot.tap_data(OWNER, data, message_id) if c.method == "sendMessage"
        ]
        assert prompt[0].params["reply_markup"]["force_reply"] is True
        assert "你们周末上班吗？" in str(prompt[0].params["text"])
        message = bot.api.message(OWNER.id, prompt[0].result["message_id"])
        assert message is not None
        await reply_to(bot, OWNER, message, "周末休息。")
        assert "周末休息。" in texts_of(bot.api.sent_to(ZHANG.id))
        assert tickets(engine)[0].state == "answered"

        close = data.replace("adm_t|v|", "adm_t|c|")
        assert "提问已关闭" in texts_of(await bot.tap_data(OWNER, close, message_id))
        assert tickets(engine)[0].state == "closed"
        told = texts_of(await reply_to(bot, OWNER, message, "补充一句"))
        assert "已关闭，您的回复未发送" in told
        assert "补充一句" not in texts_of(bot.api.sent_to(ZHANG.id))
        assert "目前没有等待回复的卖家提问" in await bot.say(OWNER, "/tickets")
