"""Reminder rounds: inactive applications nudged in their daytime, at most K times, never
after submission or once blocked; computed from the database, so a restart sends none
twice; ``/remind`` runs one by hand with a report, and the nudge's button shows the step."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.broadcasts import reminders
from bot.broadcasts.progress import tick
from bot.db.models import Application, Broadcast, Delivery, ReminderNudge, Seller
from tests.bot.broadcasts.broadcast_helpers import (
    OWNER_A,
    OWNER_B,
    cohort,
    latest_draft,
    seller,
    two_providers,
)
from tests.bot.outbox.outbox_helpers import running_sender, until_done
from tests.harness import BotHarness, running_bot
from tests.updates import TelegramUser

RULES = {"reminder_days": 2, "reminder_max": 2}
# 13:30 UTC: 13:30 in London, 20:30 in Jakarta (day), 21:30 in Shanghai (quiet from 21:00)
NOW = dt.datetime(2026, 12, 1, 13, 30, tzinfo=dt.UTC)
QUIET = (21, 9)


def run(engine: Engine, now: dt.datetime) -> reminders.RoundResult:
    with Session(engine) as session, session.begin():
        return reminders.automatic_round(session, now, "21-9")


def nudged_chats(engine: Engine) -> list[int]:
    with Session(engine) as session:
        return sorted(
            session.exec(
                select(Delivery.chat_id)
                .join(Broadcast, col(Broadcast.id) == col(Delivery.broadcast_id))
                .where(Broadcast.kind == "reminder")
            ).all()
        )


def test_quiet_hours_cross_midnight() -> None:
    quiet = reminders.parse_quiet_hours("21-9")
    at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    assert reminders.is_quiet(at.replace(hour=22), quiet)
    assert reminders.is_quiet(at.replace(hour=8), quiet)
    assert not reminders.is_quiet(at.replace(hour=9), quiet)
    assert not reminders.is_quiet(at.replace(hour=20), quiet)
    assert not reminders.is_quiet(at, reminders.parse_quiet_hours("0-0"))


def test_rounds_respect_daytime_the_maximum_submission_and_blocking(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider_a, _ = two_providers(engine, monkeypatch)
    uk = cohort(engine, provider_a, "uk", "UK", rules=RULES)
    indo = cohort(engine, provider_a, "id", "ID", rules=RULES)
    silent = cohort(engine, provider_a, "uk", "No reminders")
    seller(engine, 11, uk, idle_days=3, now=NOW)  # London, daytime: nudged
    seller(engine, 12, uk, track="uk_crossborder", idle_days=3, now=NOW)  # Shanghai: night
    seller(engine, 13, uk, idle_days=0, now=NOW)  # active today
    seller(engine, 14, uk, idle_days=9, now=NOW, submitted=True, state="submitted")
    seller(engine, 15, uk, idle_days=9, now=NOW, blocked=True)
    seller(engine, 16, indo, market="id", track="id_individual", state="nik", idle_days=3, now=NOW)
    seller(engine, 17, silent, idle_days=30, now=NOW)
    first = run(engine, NOW)
    assert (first.queued, first.quiet) == (2, 1)
    assert nudged_chats(engine) == [11, 16]
    assert run(engine, NOW).queued == 0  # run again (a restart): nothing twice
    assert run(engine, NOW + dt.timedelta(days=1)).queued == 0  # nudged a day ago only
    # three days on, at 10:00 UTC (day everywhere): second nudges, and the first ones of
    # Shanghai's seller (night before) and of the seller active on the first day
    later = dt.datetime(2026, 12, 4, 10, 0, tzinfo=dt.UTC)
    second = run(engine, later)
    assert second.queued == 4 and second.quiet == 0
    assert run(engine, later + dt.timedelta(days=1)).queued == 0
    assert run(engine, later + dt.timedelta(days=2)).queued == 2  # 12's and 13's second
    assert run(engine, later + dt.timedelta(days=30)).queued == 0  # everyone at the maximum
    with Session(engine) as session:
        numbers = sorted(
            (a.seller_id, n.number)
            for n, a in session.exec(
                select(ReminderNudge, Application).join(
                    Application, col(Application.id) == col(ReminderNudge.application_id)
                )
            ).all()
        )
        ids = {s.telegram_user_id: s.id for s in session.exec(select(Seller)).all()}
    assert numbers == sorted([(ids[u], n) for u in (11, 12, 13, 16) for n in (1, 2)])


def test_a_nudge_is_localized_with_a_button_to_the_step(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider_a, _ = two_providers(engine, monkeypatch)
    uk = cohort(engine, provider_a, "uk", "UK", rules=RULES)
    seller(engine, 21, uk, locale="zh_Hans", state="company_number", idle_days=3, now=NOW)
    run(engine, NOW)
    with Session(engine) as session:
        delivery = session.exec(select(Delivery)).one()
    assert "你的开店申请" in delivery.text
    assert delivery.buttons == [[{"text": "📝 查看当前步骤", "callback_data": "bc|go|"}]]


async def remind(bot: BotHarness, admin: TelegramUser, cohort_id: int) -> str:
    return await bot.say(admin, f"/remind {cohort_id}")


async def test_remind_by_hand_with_its_report_and_a_restart_mid_round_sends_none_twice(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REMINDER_QUIET_HOURS", "0-0")  # any time of day is daytime here
    provider_a, provider_b = two_providers(engine, monkeypatch)
    uk = cohort(engine, provider_a, "uk", "UK", rules=RULES)
    other = cohort(engine, provider_b, "uk", "B's", rules=RULES)
    ann = TelegramUser(31, "Ann", "en")
    async with running_bot(engine) as bot:
        await bot.begin(ann, "en", "uk", "uk_business")
        with Session(engine) as session:
            application = session.exec(select(Application)).one()
            application.cohort_id = uk
            application.updated_at = application.updated_at - dt.timedelta(days=5)
            session.add(application)
            session.commit()
        for user in (32, 33):
            seller(engine, user, uk, idle_days=3)
        seller(engine, 34, other, idle_days=3)
        assert "No cohort #" in await remind(bot, OWNER_A, other)  # another provider's
        assert "Use: /remind" in await bot.say(OWNER_A, "/remind")
        assert "3 nudges" in await remind(bot, OWNER_A, uk)
        await bot.stop()  # a restart before the sender sent anything
        await bot.start()
        assert "0 nudges" in await remind(bot, OWNER_A, uk)
        drafts_before = latest_draft(engine, OWNER_A)
        assert drafts_before.kind == "reminder"
        with Session(engine) as session:
            rounds = session.exec(select(Broadcast).order_by(col(Broadcast.id))).all()
        async with running_sender(engine, bot.api):
            for row in rounds:
                await until_done(engine, row.id or 0)
        assert bot.app is not None
        before = len(bot.api.calls)
        await tick(bot.app.bot, bot.app.bot_data["services"])
        reports = [c.text or "" for c in bot.api.calls[before:] if c.method == "sendMessage"]
        assert any("3 recipients" in r and "sent 3" in r for r in reports)
        listing = await bot.say(OWNER_A, "/broadcasts")
        assert "reminder round" in listing
        nudge = bot.api.sent_to(ann.id)[-1]
        assert "waiting for you" in (nudge.text or "")
        shown = await bot.tap_data(ann, "bc|go|", nudge.result["message_id"])
        assert any("company" in (c.text or "").lower() for c in shown)  # the current question
        assert "Tidak ada angkatan #" in await remind(bot, OWNER_B, uk)
    for user in (31, 32, 33):
        nudges = [c for c in bot.api.sent_to(user) if "waiting for you" in (c.text or "")]
        assert len(nudges) == 1
    assert not bot.api.sent_to(34)
