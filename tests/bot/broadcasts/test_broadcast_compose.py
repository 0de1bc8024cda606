"""The composer: HTML refused with a reason, targets and filters, tenancy, schedule,
pause / resume / cancel, and a draft that survives a restart."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.db.models import AuditEvent, Broadcast, BroadcastDraft, Delivery, utcnow
from tests.bot.broadcasts.broadcast_helpers import (
    OWNER_A,
    OWNER_B,
    answer,
    ask_and_answer,
    cohort,
    latest_draft,
    seller,
    tap,
    two_providers,
)
from tests.bot.broadcasts.test_broadcasts import run_tick
from tests.bot.outbox.outbox_helpers import running_sender, until_done
from tests.harness import BotHarness, running_bot


async def restart(bot: BotHarness) -> None:
    await bot.stop()
    await bot.start()


async def new_draft(bot: BotHarness, engine: Engine, *cohorts: int) -> int:
    await bot.say(OWNER_A, "/broadcast")
    draft_id = latest_draft(engine, OWNER_A).id or 0
    for cohort_id in cohorts:
        await tap(bot, OWNER_A, "co", f"{draft_id}.{cohort_id}")
    return draft_id


def count_in(calls_text: str) -> int:
    line = next(x for x in calls_text.splitlines() if x.startswith("Recipients now:"))
    return int(line.split(":")[1])


async def panel_count(bot: BotHarness, draft_id: int, action: str, value: str) -> int:
    calls = await tap(bot, OWNER_A, action, f"{draft_id}.{value}")
    return count_in(calls[-1].text or "")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("<b>Hello", "The tag <b> is never closed."),
        ("<b><i>Hi</b></i>", "</b> closes a tag that is not open"),
        ("<script>x</script>", "The tag <script> is not allowed."),
        ('<a href="javascript:alert(1)">x</a>', "A link must be an http(s) or tg:// address"),
        ("Price < 5 & more", "A bare < or & is in the text"),
        ('<b class="x">Hi</b>', "may not have the attribute"),
        ("x" * 4097, "The text is 4097 characters long; at most 4096"),
    ],
)
async def test_html_is_refused_with_a_clear_reason_and_nothing_changes(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, text: str, reason: str
) -> None:
    provider_a, _ = two_providers(engine, monkeypatch)
    uk = cohort(engine, provider_a, "uk", "UK")
    async with running_bot(engine) as bot:
        draft_id = await new_draft(bot, engine, uk)
        reply = await ask_and_answer(bot, OWNER_A, draft_id, "text:all", text)
        assert reason in reply
        assert latest_draft(engine, OWNER_A).spec["texts"] == {}
        # the prompt still waits: a right text replying to it is taken
        await answer(bot, OWNER_A, "<b>Hello</b> &amp; <tg-spoiler>welcome</tg-spoiler>")
        assert latest_draft(engine, OWNER_A).spec["texts"] == {
            "all": "<b>Hello</b> &amp; <tg-spoiler>welcome</tg-spoiler>"
        }


async def test_a_bare_ampersand_is_escaped_not_refused(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider_a, _ = two_providers(engine, monkeypatch)
    uk = cohort(engine, provider_a, "uk", "UK")
    async with running_bot(engine) as bot:
        draft_id = await new_draft(bot, engine, uk)
        reply = await ask_and_answer(bot, OWNER_A, draft_id, "text:all", "<b>Q&A</b> at 5 &amp; 6")
        assert "&" not in reply or "A bare" not in reply
        assert latest_draft(engine, OWNER_A).spec["texts"] == {"all": "<b>Q&amp;A</b> at 5 &amp; 6"}


async def test_a_caption_is_held_to_1024_characters_with_a_photo(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider_a, _ = two_providers(engine, monkeypatch)
    uk = cohort(engine, provider_a, "uk", "UK")
    async with running_bot(engine) as bot:
        draft_id = await new_draft(bot, engine, uk)
        await ask_and_answer(bot, OWNER_A, draft_id, "text:all", "y" * 1500)
        bot.api.add_file("photo-file-1", b"\xff\xd8\xff photo")
        photo = bot.updates.photo(OWNER_A, "photo-file-1", "uniq-1")["message"]
        reply = await ask_and_answer(bot, OWNER_A, draft_id, "media", "", photo=photo["photo"])
        assert "1500 characters long; at most 1024" in reply
        assert latest_draft(engine, OWNER_A).spec["media"] is None
        await ask_and_answer(bot, OWNER_A, draft_id, "text:all", "<i>short</i>")
        await ask_and_answer(bot, OWNER_A, draft_id, "media", "", photo=photo["photo"])
        assert latest_draft(engine, OWNER_A).spec["media"] == {
            "kind": "photo",
            "file_id": "photo-file-1",
        }
        calls = await tap(bot, OWNER_A, "pv", f"{draft_id}.")
        shown = next(c for c in calls if c.method == "sendPhoto")
        assert shown.params["caption"] == "<i>short</i>" and shown.params["parse_mode"] == "HTML"


async def test_targets_and_filters_change_the_recipients(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider_a, provider_b = two_providers(engine, monkeypatch)
    uk = cohort(engine, provider_a, "uk", "UK", group=-100201)
    indo = cohort(engine, provider_a, "id", "ID", group=-100202)
    other = cohort(engine, provider_b, "uk", "B's", group=-100301)
    seller(engine, 201, uk, locale="en", state="company_number", idle_days=10)
    seller(engine, 202, uk, locale="zh_Hans", state="phone", idle_days=1)
    seller(
        engine,
        203,
        indo,
        locale="id",
        market="id",
        track="id_individual",
        state="nik",
        idle_days=5,
    )
    seller(engine, 301, other, locale="en")
    async with running_bot(engine) as bot:
        draft_id = await new_draft(bot, engine, uk)
        assert await panel_count(bot, draft_id, "co", str(indo)) == 3
        assert await panel_count(bot, draft_id, "cy", "target") == 2  # groups
        assert await panel_count(bot, draft_id, "cy", "target") == 5  # both
        assert await panel_count(bot, draft_id, "cy", "market") == 3  # uk: 2 sellers + group
        assert await panel_count(bot, draft_id, "cy", "market") == 2  # id: 1 seller + group
        await panel_count(bot, draft_id, "cy", "market")  # any market again
        await panel_count(bot, draft_id, "cy", "target")  # back to sellers
        assert await panel_count(bot, draft_id, "cy", "language") == 1  # en: seller 201
        spec = latest_draft(engine, OWNER_A).spec
        assert spec["language"] == "en"
        await panel_count(bot, draft_id, "cy", "language")  # zh_Hans
        await panel_count(bot, draft_id, "cy", "language")  # id
        await panel_count(bot, draft_id, "cy", "language")  # any
        reply = await ask_and_answer(bot, OWNER_A, draft_id, "stalled", "4")
        assert count_in(reply) == 2  # 201 (10 days) and 203 (5 days)
        reply = await ask_and_answer(bot, OWNER_A, draft_id, "state", "nik")
        assert count_in(reply) == 1
        reply = await ask_and_answer(bot, OWNER_A, draft_id, "state", "nonsense")
        assert "Unknown step" in reply
        reply = await ask_and_answer(bot, OWNER_A, draft_id, "stalled", "-")
        assert count_in(reply) == 1  # still the step filter
        await ask_and_answer(bot, OWNER_A, draft_id, "text:all", "<b>Hi</b>")
        await tap(bot, OWNER_A, "cy", f"{draft_id}.target")  # groups
        await tap(bot, OWNER_A, "cy", f"{draft_id}.target")  # both
        await tap(bot, OWNER_A, "send", f"{draft_id}.")
        launched = latest_draft(engine, OWNER_A)
    with Session(engine) as session:
        chats = sorted(
            d.chat_id
            for d in session.exec(
                select(Delivery).where(Delivery.broadcast_id == launched.broadcast_id)
            ).all()
        )
    assert chats == [-100202, -100201, 203]  # B's group and seller never


async def test_forged_ids_of_another_provider_reach_nothing(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider_a, provider_b = two_providers(engine, monkeypatch)
    uk = cohort(engine, provider_a, "uk", "UK")
    other = cohort(engine, provider_b, "uk", "B's", group=-100401)
    seller(engine, 401, other)
    seller(engine, 402, uk)
    async with running_bot(engine) as bot:
        draft_id = await new_draft(bot, engine, uk)
        calls = await tap(bot, OWNER_A, "co", f"{draft_id}.{other}")
        assert any("out of date" in (c.params.get("text") or "") for c in calls)
        assert latest_draft(engine, OWNER_A).spec["cohorts"] == [uk]
        # B taps A's draft's buttons: nothing changes, nothing is sent
        for action, value in (
            ("co", f"{draft_id}.{other}"),
            ("send", f"{draft_id}."),
            ("drop", f"{draft_id}."),
            ("pause", str(draft_id)),
        ):
            calls = await tap(bot, OWNER_B, action, value)
            assert [c.method for c in calls] == ["answerCallbackQuery"]
        await ask_and_answer(bot, OWNER_A, draft_id, "text:all", "Hi")
        await tap(bot, OWNER_A, "send", f"{draft_id}.")
        launched = latest_draft(engine, OWNER_A)
        calls = await tap(bot, OWNER_B, "stop", str(draft_id))
        assert [c.method for c in calls] == ["answerCallbackQuery"]
        calls = await tap(bot, OWNER_B, "report", str(draft_id))
        assert [c.method for c in calls] == ["answerCallbackQuery"]
        assert "#" not in await bot.say(OWNER_B, "/broadcasts")
    with Session(engine) as session:
        broadcast = session.get(Broadcast, launched.broadcast_id)
        assert broadcast is not None and broadcast.status == "queued" and broadcast.total == 1


async def test_schedule_in_the_admins_zone_launches_from_the_database_after_a_restart(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider_a, _ = two_providers(engine, monkeypatch)
    uk = cohort(engine, provider_a, "uk", "UK")
    seller(engine, 501, uk)
    async with running_bot(engine) as bot:
        draft_id = await new_draft(bot, engine, uk)
        await tap(bot, OWNER_A, "in", f"{draft_id}.text:all")
        await restart(bot)  # mid-composition: the prompt still waits for its answer
        await answer(bot, OWNER_A, "<b>Tomorrow</b>")
        reply = await ask_and_answer(bot, OWNER_A, draft_id, "schedule", "2020-01-01 10:00")
        assert "already passed" in reply
        reply = await ask_and_answer(bot, OWNER_A, draft_id, "schedule", "25:99")
        assert "HH:MM" in reply
        reply = await ask_and_answer(bot, OWNER_A, draft_id, "schedule", "2099-06-01 09:30")
        assert "Scheduled for 2099-06-01 09:30 (Europe/London)" in reply
        draft = latest_draft(engine, OWNER_A)
        assert draft.status == "scheduled"
        assert draft.scheduled_at is not None
        at = (
            draft.scheduled_at.replace(tzinfo=dt.UTC)
            if draft.scheduled_at.tzinfo is None
            else draft.scheduled_at
        )
        assert at == dt.datetime(2099, 6, 1, 8, 30, tzinfo=dt.UTC)  # BST is UTC+1
        await run_tick(bot)
        assert latest_draft(engine, OWNER_A).broadcast_id is None  # not yet
        with Session(engine) as session:  # the time has come, while the bot was down
            row = session.get(BroadcastDraft, draft_id)
            assert row is not None
            row.scheduled_at = utcnow() - dt.timedelta(seconds=1)
            session.add(row)
            session.commit()
        await restart(bot)
        await run_tick(bot)
        await run_tick(bot)  # launched once
        launched = latest_draft(engine, OWNER_A)
        assert launched.status == "queued" and launched.status_message_id is not None
        async with running_sender(engine, bot.api):
            await until_done(engine, launched.broadcast_id or 0)
    with Session(engine) as session:
        assert len(session.exec(select(Broadcast)).all()) == 1
        actions = {e.action for e in session.exec(select(AuditEvent)).all()}
    assert {"broadcast.schedule", "broadcast.send"} <= actions
    assert [c.text for c in bot.api.sent_to(501)] == ["<b>Tomorrow</b>"]


async def test_pause_resume_and_cancel_from_the_status_message(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider_a, _ = two_providers(engine, monkeypatch)
    uk = cohort(engine, provider_a, "uk", "UK")
    for user in range(601, 606):
        seller(engine, user, uk)
    async with running_bot(engine) as bot:
        draft_id = await new_draft(bot, engine, uk)
        await ask_and_answer(bot, OWNER_A, draft_id, "text:all", "first")
        await tap(bot, OWNER_A, "send", f"{draft_id}.")
        calls = await tap(bot, OWNER_A, "pause", str(draft_id))
        edit = next(c for c in calls if c.method == "editMessageText")
        assert "paused" in (edit.text or "")
        assert edit.params["reply_markup"]["inline_keyboard"][0][0]["text"] == "▶️ Resume"
        first = latest_draft(engine, OWNER_A)
        async with running_sender(engine, bot.api):
            await asyncio.sleep(0.5)
            assert not any(bot.api.sent_to(u) for u in range(601, 606))
            await tap(bot, OWNER_A, "resume", str(draft_id))
            done = await until_done(engine, first.broadcast_id or 0)
        assert done.sent == 5
        second = await new_draft(bot, engine, uk)
        await ask_and_answer(bot, OWNER_A, second, "text:all", "second")
        await tap(bot, OWNER_A, "send", f"{second}.")
        before = len(bot.api.calls)
        await tap(bot, OWNER_A, "stop", str(second))
        # the report comes from the tap, or from the periodic tick if it ran first: once
        await bot.api.wait_for(
            lambda c: (
                c.method == "sendMessage"
                and c.chat_id == OWNER_A.id
                and "cancelled" in (c.text or "")
                and "not sent 5" in (c.text or "")
            ),
            timeout=10,
            after=before,
        )
        calls = await tap(bot, OWNER_A, "resume", str(second))  # cancelled stays cancelled
        assert "out of date" in (calls[-1].params.get("text") or "")
        async with running_sender(engine, bot.api):
            await asyncio.sleep(0.5)
    assert all([c.text for c in bot.api.sent_to(u)] == ["first"] for u in range(601, 606))
    reports = [c for c in bot.api.sent_to(OWNER_A.id) if "not sent 5" in (c.text or "")]
    assert len(reports) == 1, "the cancelled broadcast's report went out more than once"
    with Session(engine) as session:
        actions = [e.action for e in session.exec(select(AuditEvent)).all()]
    assert actions.count("broadcast.pause") == 1 and actions.count("broadcast.stop") == 1
    assert actions.count("broadcast.resume") == 1
