"""Broadcasts end to end: composing in the admin's chat, preview, send, progress, report.

Through the real Application over the fake Bot API, on both databases; the outbox sender
runs beside it (``running_sender``) and the progress tick is called as the job would.
"""

from __future__ import annotations

import asyncio
import csv
import io

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.broadcasts.progress import tick
from bot.db.models import AuditEvent, Broadcast
from bot.outbox import store
from tests.bot.broadcasts.broadcast_helpers import (
    OWNER_A,
    OWNER_B,
    STRANGER,
    ask_and_answer,
    cohort,
    latest_draft,
    seller,
    tap,
    two_providers,
)
from tests.bot.outbox.outbox_helpers import running_sender, until_done
from tests.harness import BotHarness, running_bot


async def run_tick(bot: BotHarness) -> None:
    assert bot.app is not None
    await tick(bot.app.bot, bot.app.bot_data["services"])


async def test_compose_preview_per_language_send_and_report_with_its_csv(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider_a, _ = two_providers(engine, monkeypatch)
    uk = cohort(engine, provider_a, "uk", "UK January", group=-100111)
    seller(engine, 101, uk, locale="en")
    seller(engine, 102, uk, locale="zh_Hans")
    seller(engine, 103, uk, locale="id")  # no Indonesian text: gets the English one
    # an earlier outbox batch (a review notice): the broadcast's batch id is not its number
    store.enqueue(engine, [store.Message(OWNER_B.id, "notice")], kind="notification")
    async with running_bot(engine) as bot:
        panel = await bot.say(OWNER_A, "/broadcast")
        draft = latest_draft(engine, OWNER_A)
        assert f"#{draft.id}" in panel and "Recipients now: 0" in panel
        calls = await tap(bot, OWNER_A, "co", f"{draft.id}.{uk}")
        assert "Recipients now: 3" in calls[-1].text  # type: ignore[operator]
        # the panel tapped is edited in place: one panel, not one more per tap
        assert [c.method for c in calls if c.method != "answerCallbackQuery"] == ["editMessageText"]
        await ask_and_answer(bot, OWNER_A, draft.id or 0, "text:en", "<b>Hello</b> sellers")
        await ask_and_answer(bot, OWNER_A, draft.id or 0, "text:zh_Hans", "<b>你好</b>，卖家")
        await ask_and_answer(
            bot, OWNER_A, draft.id or 0, "url", "Guide | https://example.com/guide"
        )
        await tap(bot, OWNER_A, "cont", f"{draft.id}.")
        calls = await tap(bot, OWNER_A, "pv", f"{draft.id}.")
        texts = [c.text for c in calls if c.method == "sendMessage"]
        assert texts[0] == "👀 Preview — English:" and texts[1] == "<b>Hello</b> sellers"
        assert texts[2] == "👀 Preview — 简体中文:" and texts[3] == "<b>你好</b>，卖家"
        assert "3 recipients" in texts[4]
        shown = [c for c in calls if c.method == "sendMessage"][1]
        assert shown.params["parse_mode"] == "HTML"
        rows = shown.params["reply_markup"]["inline_keyboard"]
        assert rows[0][0]["url"] == "https://example.com/guide"
        assert rows[1][0]["callback_data"] == "bc|go|"
        bot.api.fail_next("sendMessage", error_code=403, chat_id=103)
        calls = await tap(bot, OWNER_A, "send", f"{draft.id}.")
        status = [c for c in calls if c.method == "sendMessage"][-1]
        assert "0/3" in (status.text or "") and f"#{draft.id} " in (status.text or "")
        buttons = [b["text"] for b in status.params["reply_markup"]["inline_keyboard"][0]]
        assert buttons == ["⏸ Pause", "⏹ Cancel"]
        launched = latest_draft(engine, OWNER_A)
        assert launched.broadcast_id is not None
        before = len(bot.api.calls)  # the JobQueue's own tick may report before ours
        async with running_sender(engine, bot.api):
            done = await until_done(engine, launched.broadcast_id)
        assert (done.sent, done.blocked, done.failed) == (2, 1, 0)
        await run_tick(bot)
        for _ in range(100):  # the JobQueue's own tick may be between the report and its CSV
            if any(c.method == "sendDocument" for c in bot.api.calls[before:]):
                break
            await asyncio.sleep(0.05)
        after = bot.api.calls[before:]
        edit = next(c for c in after if c.method == "editMessageText" and "3/3" in (c.text or ""))
        assert "reply_markup" not in edit.params
        report = next(
            c for c in after
            if c.method == "sendMessage" and c.chat_id == OWNER_A.id and "📊" in (c.text or "")
        )  # fmt: skip
        assert "sent 2 · blocked 1 · failed 0" in (report.text or "")
        assert f"#{draft.id} " in (report.text or "") and f"#{draft.id} " in (edit.text or "")
        assert "blocked: " in (report.text or "")
        document = next(c for c in after if c.method == "sendDocument")
        table = list(csv.reader(io.StringIO(next(iter(document.files.values())).data.decode())))
        assert table[0][:3] == ["chat_id", "seller_id", "status"]
        assert [row[0] for row in table[1:]] == ["103"] and table[1][2] == "blocked"
        await run_tick(bot)  # reported once only
        assert not [c for c in bot.api.calls[before + len(after) :] if c.method == "sendDocument"]
        listing = await bot.say(OWNER_A, "/broadcasts")
        assert f"#{draft.id}" in listing and "2/3 sent, 1 blocked" in listing
    # sellers got their language; the Indonesian seller, English
    assert [c.text for c in bot.api.sent_to(101)] == ["<b>Hello</b> sellers"]
    assert [c.text for c in bot.api.sent_to(102)] == ["<b>你好</b>，卖家"]
    assert not bot.api.sent_to(-100111)  # target was sellers only
    with Session(engine) as session:
        actions = [e.action for e in session.exec(select(AuditEvent)).all()]
    assert {"broadcast.start", "broadcast.send"} <= set(actions)


async def test_a_stranger_cannot_broadcast(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    two_providers(engine, monkeypatch)
    async with running_bot(engine) as bot:
        await bot.say(STRANGER, "/start")
        ordinary = await bot.say(STRANGER, "/nonsense")
        assert await bot.say(STRANGER, "/broadcast") == ordinary
        assert await bot.say(STRANGER, "/broadcasts") == ordinary
        assert await bot.say(STRANGER, "/remind 1") == ordinary
    with Session(engine) as session:
        assert not session.exec(select(Broadcast)).all()


async def test_a_document_to_sellers_and_groups_and_no_continue_button_in_a_group(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider_a, _ = two_providers(engine, monkeypatch)
    indo = cohort(engine, provider_a, "id", "Angkatan 1", group=-100777)
    seller(engine, 111, indo, locale="id", market="id", track="id_individual", state="nik")
    async with running_bot(engine) as bot:
        await bot.say(OWNER_A, "/broadcast")
        draft_id = latest_draft(engine, OWNER_A).id or 0
        await tap(bot, OWNER_A, "co", f"{draft_id}.{indo}")
        await tap(bot, OWNER_A, "cy", f"{draft_id}.target")  # groups
        await tap(bot, OWNER_A, "cy", f"{draft_id}.target")  # both
        await ask_and_answer(bot, OWNER_A, draft_id, "text:id", "<b>Panduan</b> terbaru")
        await ask_and_answer(bot, OWNER_A, draft_id, "text:en", "<b>Guide</b>")
        await tap(bot, OWNER_A, "cont", f"{draft_id}.")
        bot.api.add_file("doc-guide", b"%PDF-1.4 guide")
        document = bot.updates.document(OWNER_A, "doc-guide", "guide.pdf", "application/pdf", 14)
        await ask_and_answer(
            bot, OWNER_A, draft_id, "media", "", document=document["message"]["document"]
        )
        await tap(bot, OWNER_A, "send", f"{draft_id}.")
        launched = latest_draft(engine, OWNER_A)
        async with running_sender(engine, bot.api):
            done = await until_done(engine, launched.broadcast_id or 0)
    assert done.sent == 2
    (to_seller,) = bot.api.sent_to(111)
    (to_group,) = bot.api.sent_to(-100777)
    assert to_seller.method == to_group.method == "sendDocument"
    assert to_seller.params["caption"] == to_group.params["caption"] == "<b>Panduan</b> terbaru"
    assert to_seller.params["reply_markup"]["inline_keyboard"][0][0]["text"] == "➡️ Lanjutkan"
    assert "reply_markup" not in to_group.params


async def test_the_job_queue_tick_edits_the_status_and_sends_the_report_by_itself(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider_a, _ = two_providers(engine, monkeypatch)
    monkeypatch.setenv("BROADCAST_TICK_SECONDS", "0.2")
    uk = cohort(engine, provider_a, "uk", "UK")
    seller(engine, 121, uk)
    async with running_bot(engine) as bot:
        await bot.say(OWNER_A, "/broadcast")
        draft_id = latest_draft(engine, OWNER_A).id or 0
        await tap(bot, OWNER_A, "co", f"{draft_id}.{uk}")
        await ask_and_answer(bot, OWNER_A, draft_id, "text:all", "Hi")
        await tap(bot, OWNER_A, "send", f"{draft_id}.")
        async with running_sender(engine, bot.api):
            report = await bot.api.wait_for(
                lambda c: c.method == "sendMessage" and "Report #" in (c.text or ""), timeout=20
            )
        edits = bot.api.calls_to("editMessageText")
    assert "sent 1" in (report.text or "")
    assert edits and "1/1" in (edits[-1].text or "")
