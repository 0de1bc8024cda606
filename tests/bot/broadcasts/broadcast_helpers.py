"""Setting up providers, cohorts and sellers for broadcast tests, and driving the composer."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.db.models import Application, BroadcastDraft, Cohort, Seller, utcnow
from bot.providers.cohorts.store import create_cohort
from tests.bot.providers.test_providers import provider_from_cli
from tests.fakebotapi import Call
from tests.harness import BotHarness
from tests.updates import TelegramUser

OWNER_A = TelegramUser(5001, "Lin", language_code="en")
OWNER_B = TelegramUser(6001, "Budi", language_code="id")
STRANGER = TelegramUser(7001, "Sam", language_code="en")


def two_providers(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> tuple[int, int]:
    """Providers A and B; the periodic jobs are left to the test (it calls ``tick``)."""
    monkeypatch.setenv("BROADCAST_TICK_SECONDS", "3600")
    monkeypatch.setenv("REMINDER_TICK_SECONDS", "3600")
    a = provider_from_cli(engine, monkeypatch, "Agency A", OWNER_A.id)
    b = provider_from_cli(engine, monkeypatch, "Agency B", OWNER_B.id)
    return a, b


def cohort(
    engine: Engine,
    provider_id: int,
    market: str,
    name: str,
    *,
    group: int | None = None,
    rules: dict[str, Any] | None = None,
) -> int:
    with Session(engine) as session:
        row = create_cohort(session, provider_id=provider_id, name=name, market=market)
        row.group_chat_id = group
        row.rules = dict(rules or {})
        session.add(row)
        session.commit()
        assert row.id is not None
        return row.id


def seller(
    engine: Engine,
    user_id: int,
    cohort_id: int,
    *,
    locale: str = "en",
    market: str = "uk",
    track: str = "uk_business",
    state: str = "company_number",
    idle_days: float = 0,
    submitted: bool = False,
    blocked: bool = False,
    now: dt.datetime | None = None,
) -> int:
    """A seller with one application in ``cohort_id``, last changed ``idle_days`` before
    ``now``."""
    changed = (now or utcnow()) - dt.timedelta(days=idle_days)
    with Session(engine) as session:
        row = Seller(telegram_user_id=user_id, chat_id=user_id, locale=locale, blocked=blocked)
        session.add(row)
        session.flush()
        assert row.id is not None
        application = Application(
            seller_id=row.id,
            market=market,
            track=track,
            state=state,
            cohort_id=cohort_id,
            updated_at=changed,
            submitted_at=changed if submitted else None,
        )
        session.add(application)
        session.flush()
        row.current_application_id = application.id
        session.add(row)
        session.commit()
        assert application.id is not None
        return application.id


def latest_draft(engine: Engine, admin: TelegramUser) -> BroadcastDraft:
    with Session(engine) as session:
        draft = session.exec(
            select(BroadcastDraft)
            .where(BroadcastDraft.admin_telegram_id == admin.id)
            .order_by(col(BroadcastDraft.id).desc())
        ).first()
        assert draft is not None
        session.expunge(draft)
        return draft


def cohort_row(engine: Engine, cohort_id: int) -> Cohort:
    with Session(engine) as session:
        row = session.get(Cohort, cohort_id)
        assert row is not None
        session.expunge(row)
        return row


async def tap(bot: BotHarness, admin: TelegramUser, action: str, value: str) -> list[Call]:
    return await bot.tap_data(admin, f"adm_bc|{action}|{value}")


def last_prompt(bot: BotHarness, admin: TelegramUser) -> int:
    for call in reversed(bot.api.sent_to(admin.id)):
        markup = call.params.get("reply_markup") or {}
        if markup.get("force_reply"):
            assert isinstance(call.result, dict)
            return int(call.result["message_id"])
    raise LookupError("no prompt sent")


async def answer(bot: BotHarness, admin: TelegramUser, text: str, **content: Any) -> str:
    """Reply to the latest composer prompt (as a Telegram client does with ForceReply)."""
    prompt = last_prompt(bot, admin)
    update = bot.updates.message_text(admin, text)
    message = update["message"]
    message["reply_to_message"] = {
        "message_id": prompt,
        "from": dict(bot.updates.bot_user),
        "chat": message["chat"],
        "date": message["date"],
        "text": "?",
    }
    if content:
        message.pop("text")
        message.update(content)
    calls = await bot.push(update)
    return "\n".join(call.text or "" for call in calls if call.method == "sendMessage")


async def ask_and_answer(
    bot: BotHarness, admin: TelegramUser, draft_id: int, what: str, text: str, **content: Any
) -> str:
    await tap(bot, admin, "in", f"{draft_id}.{what}")
    return await answer(bot, admin, text, **content)
