"""An answered ticket becomes an entry of its cohort's FAQ with one tap (issue 22, "providers
learn"): asked again, the same question is answered at once, in their language; a second
tap saves nothing more; another provider's admin, or a ticket nobody answered, adds nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.db.models import AuditEvent, FaqEntry
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
from tests.bot.questions.test_ticket_tenancy import texts_of
from tests.harness import running_bot

QUESTION = "你们周末上班吗？"
ANSWER = "周末也有人值班，工作日上午回复最快。"


def entries(engine: Engine) -> list[FaqEntry]:
    with Session(engine) as session:
        rows = list(session.exec(select(FaqEntry)).all())
        for row in rows:
            session.expunge(row)
        return rows


async def test_an_answered_ticket_becomes_the_cohorts_faq_entry_with_one_tap(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running_bot(engine) as bot, running_sender(engine, bot.api):
        cohort = await crossborder_seller_in_cohort(bot, engine, monkeypatch)
        provider_from_cli(engine, monkeypatch, "Jakarta Partners", OTHER_OWNER.id)
        mark = len(bot.api.calls)
        await bot.say(ZHANG, QUESTION)  # nothing in the FAQ answers it: a ticket at once
        notice = await notice_to(bot, engine, OWNER, mark)
        (ticket,) = tickets(engine)

        # before an answer there is nothing to add
        told = texts_of(await bot.tap_data(OWNER, f"adm_t|f|{ticket.id}"))
        assert "找不到" in told or "没有" in told, told
        assert entries(engine) == []

        message = bot.api.message(OWNER.id, notice.result["message_id"])
        assert message is not None
        answered = await reply_to(bot, OWNER, message, ANSWER)
        data, message_id = keyboard_data(answered, "adm_t|f|")
        assert data == f"adm_t|f|{ticket.id}"

        # another provider's owner taps the same data: nothing is added
        told = texts_of(await bot.tap_data(OTHER_OWNER, data, message_id))
        assert "tidak ditemukan" in told, told
        assert entries(engine) == []

        # the owner's tap adds it, for the ticket's cohort, in the seller's language
        told = texts_of(await bot.tap_data(OWNER, data, message_id))
        assert "已保存为常见问题" in told, told
        (entry,) = entries(engine)
        assert entry.cohort_id == cohort and entry.questions == {"zh_Hans": [QUESTION]}
        assert entry.answers == {"zh_Hans": ANSWER}
        # a second tap (a stale keyboard) saves nothing more
        told = texts_of(await bot.tap_data(OWNER, data, message_id))
        assert "未做更改" in told, told
        assert len(entries(engine)) == 1

        # asked again (in other words), the cohort's FAQ answers it at once: no new ticket
        calls = await bot.push(bot.updates.message_text(ZHANG, "周末你们上班吗"))
        assert ANSWER in texts_of(calls)
        keyboard_data(calls, "q|ok|")  # "That answers it" / "Ask a person" under it
        assert [t.state for t in tickets(engine)] == ["answered", "asked"]
    with Session(engine) as session:
        actions = session.exec(select(AuditEvent.action)).all()
    assert any(action.startswith("faq.") for action in actions), actions
