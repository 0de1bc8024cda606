"""One Telegram user, several shops: ``/new``, ``/applications``, limits, deep links.

Real ``Application`` over the fake Bot API, on SQLite and PostgreSQL: a seller opens three
applications in two markets, switches between them, is refused a duplicate NIB, the bot
restarts mid-way, and every prompt names its application; a seller with one application
sees none of it.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.app import build_application
from bot.db import repo
from bot.db.models import Application, Cohort, Provider, Seller, StepEvent
from bot.offline.demo import run_demo
from bot.sellers.applications import Limits, check_unique, numbered
from bot.sellers.store import SELLERS
from flows.errors import ValidationError
from tests.harness import BotHarness, running_bot
from tests.updates import TelegramUser

AGENCY = TelegramUser(4242, "Agency", "en")
SOLO = TelegramUser(4343, "Solo", "en")
COMPANY, NIB, NPWP = "PT Maju Jaya Abadi", "9120001234567", "0018550814412000"
HEADING = "📂 "


def applications(bot: BotHarness, user: TelegramUser) -> list[Application]:
    with Session(bot.engine) as session:
        seller = session.exec(select(Seller).where(Seller.telegram_user_id == user.id)).one()
        rows = session.exec(
            select(Application)
            .where(Application.seller_id == seller.id)
            .order_by(col(Application.id))
        ).all()
        for row in rows:
            session.expunge(row)
        return list(rows)


async def test_a_seller_with_one_application_sees_no_new_question_or_heading(
    engine: Engine,
) -> None:
    async with running_bot(engine) as bot:
        replies = [await bot.say(SOLO, "/start")]
        replies.append(await bot.tap(SOLO, "en"))
        replies.append(await bot.tap(SOLO, "id"))
        replies.append(await bot.tap(SOLO, "id_business"))
        replies.append(await bot.say(SOLO, COMPANY))
        replies.append(await bot.say(SOLO, "/status"))
        assert not any(HEADING in reply for reply in replies)
        listed = await bot.say(SOLO, "/applications")
        assert "one application" in listed and "/new" in listed
        assert len(applications(bot, SOLO)) == 1


async def test_three_applications_in_two_markets_switching_duplicates_and_a_restart(
    engine: Engine,
) -> None:
    async with running_bot(engine) as bot:
        await bot.begin(AGENCY, "en", "id", "id_business")
        await bot.say(AGENCY, COMPANY)
        first_nib = await bot.say(AGENCY, NIB)
        assert HEADING not in first_nib  # one application: nothing names it
        assert bot.seller(AGENCY).state == "company_npwp"

        # a second application, in the UK, keeping the language only
        asked = await bot.say(AGENCY, "/new")
        assert COMPANY in asked and "English" in asked
        started = await bot.tap(AGENCY, "other")
        assert "New application started" in started
        assert f"{HEADING}Application 2" in started
        await bot.tap(AGENCY, "uk")
        uk_prompt = await bot.tap(AGENCY, "uk_individual")
        assert f"{HEADING}Application 2 · UK individual (local seller)" in uk_prompt, uk_prompt

        # a third, in Indonesia again: the same NIB is refused, naming the first application
        await bot.say(AGENCY, "/new")
        await bot.tap(AGENCY, "other")
        await bot.tap(AGENCY, "id")
        await bot.tap(AGENCY, "id_business")
        await bot.say(AGENCY, "PT Lain Sejahtera")
        refused = await bot.say(AGENCY, NIB)
        assert f"“{COMPANY}” already has this number" in refused, refused
        assert f"{HEADING}PT Lain Sejahtera · Indonesian company" in refused
        assert bot.seller(AGENCY).state == "nib"  # nothing stored

        first, second, third = applications(bot, AGENCY)
        assert [a.state for a in (first, second, third)] == ["company_npwp", "id_document", "nib"]
        assert (first.market, second.market, third.market) == ("id", "uk", "id")

        # the list, and switching in one tap
        listed = await bot.say(AGENCY, "/applications")
        assert f"{COMPANY} · Indonesian company: step 3 of" in listed, listed
        assert "Application 2 · UK individual (local seller): step 1 of" in listed
        assert "▶️ PT Lain Sejahtera" in listed
        switched = await bot.tap(AGENCY, str(first.id))
        assert "Switched" in switched and f"{HEADING}{COMPANY} · Indonesian company" in switched
        assert bot.seller(AGENCY).application_id == first.id

        # the bot restarts mid-way: the seller is still on the first application
        await bot.stop()
        await bot.start()
        status = await bot.say(AGENCY, "/status")
        assert f"{HEADING}{COMPANY}" in status
        await bot.say(AGENCY, NPWP)
        assert bot.seller(AGENCY).state == "representative_ktp"
        _, second_after, third_after = applications(bot, AGENCY)
        assert (second_after.state, second_after.version) == (second.state, second.version)
        assert (third_after.state, third_after.version) == (third.state, third.version)

        # /back acts on the current application only
        await bot.say(AGENCY, "/back")
        assert [a.state for a in applications(bot, AGENCY)] == [
            "company_npwp",
            "id_document",
            "nib",
        ]

        # a switch button for an application of someone else changes nothing
        await bot.say(SOLO, "/start")
        (solo,) = applications(bot, SOLO)
        await bot.tap_data(AGENCY, f"app|to|{solo.id}")
        assert bot.seller(AGENCY).application_id == first.id

        # step history stays with each application
        with Session(bot.engine) as session:
            events = session.exec(
                select(StepEvent.application_id, StepEvent.to_state).order_by(col(StepEvent.id))
            ).all()
        assert (third.id, "nib") in events and (first.id, "representative_ktp") in events


async def test_the_applications_limit_is_data_and_refused_with_an_explanation(
    engine: Engine,
) -> None:
    async with running_bot(engine) as bot:
        assert bot.app is not None
        bot.app.bot_data[SELLERS].limits = Limits(applications_per_seller=2)
        await bot.begin(AGENCY, "en", "uk", "uk_individual")
        await bot.say(AGENCY, "/new")
        await bot.tap(AGENCY, "fresh")
        assert len(applications(bot, AGENCY)) == 2
        assert bot.seller(AGENCY).state == "language"
        refused = await bot.say(AGENCY, "/new")
        assert "You already have 2 applications" in refused
        assert len(applications(bot, AGENCY)) == 2


async def test_a_cohort_link_starts_a_new_application_or_continues_the_one_in_it(
    engine: Engine,
) -> None:
    with Session(engine) as session:
        provider = Provider(name="Agency")
        session.add(provider)
        session.flush()
        session.add(
            Cohort(provider_id=provider.id or 0, market="uk", name="UK", join_token="uk-dec")
        )
        session.commit()
    async with running_bot(engine) as bot:
        await bot.begin(AGENCY, "en", "id", "id_individual")
        joined = await bot.say(AGENCY, "/start uk-dec")
        first, second = applications(bot, AGENCY)
        assert second.cohort_id is not None and first.cohort_id is None
        assert first.state == "nik"  # never moved
        assert bot.seller(AGENCY).application_id == second.id
        assert f"{HEADING}Application 2" in joined
        await bot.tap(AGENCY, "uk")
        await bot.say(AGENCY, "/start uk-dec")  # already in that cohort: continue it
        assert len(applications(bot, AGENCY)) == 2
        assert bot.seller(AGENCY).state == "track"


def test_a_uscc_allows_five_crossborder_applications_then_refuses(engine: Engine) -> None:
    uscc = "91110000802100433B"
    limits = Limits()
    with Session(engine) as session:
        seller = repo.create_seller(
            session.connection(),
            telegram_user_id=77,
            chat_id=77,
            locale="zh_Hans",
            start_payload=None,
        )
        for _ in range(limits.crossborder_per_uscc):
            repo.create_application(
                session, seller_id=seller.id or 0, answers={"uscc": uscc}
            ).track = "uk_crossborder"
        session.flush()
        current = seller.current_application_id or 0
        known = numbered(repo.applications_of(session, seller_id=seller.id or 0))
        with pytest.raises(ValidationError) as refused:
            check_unique(
                session.connection(), limits=limits, application_id=current,
                field_name="uscc", value=uscc, known=known,
            )  # fmt: skip
        assert refused.value.code == "error_uscc_limit"
        check_unique(  # another entity is fine
            session.connection(), limits=limits, application_id=current,
            field_name="uscc", value="91350211MA2XN0J15X", known=known,
        )  # fmt: skip


async def test_a_button_of_another_application_is_stale_even_at_the_same_step(
    engine: Engine,
) -> None:
    async with running_bot(engine) as bot:
        await bot.say(AGENCY, "/start")
        await bot.tap(AGENCY, "en")
        await bot.tap(AGENCY, "id")  # the first application asks for the track
        await bot.say(AGENCY, "/new")
        await bot.tap(AGENCY, "other")
        await bot.tap(AGENCY, "id")  # the second asks for the track too
        second_keyboard = bot.last_keyboard(AGENCY)
        first, second = applications(bot, AGENCY)
        data = second_keyboard["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        assert data.startswith("a|track@") and len(data.encode()) <= 64

        await bot.say(AGENCY, "/applications")
        await bot.tap(AGENCY, str(first.id))
        calls = await bot.tap_data(AGENCY, data, second_keyboard["message_id"])
        notices = [c for c in calls if c.method == "answerCallbackQuery" and c.params.get("text")]
        assert notices, "a button of the other application was applied"
        assert [a.state for a in applications(bot, AGENCY)] == ["track", "track"]

        await bot.tap(AGENCY, "id_individual")  # the first application's own button works
        assert [a.state for a in applications(bot, AGENCY)] == ["nik", "track"]
        assert second.id is not None


async def test_another_shop_of_the_same_company_reuses_the_company_answers(
    engine: Engine,
) -> None:
    name, uscc = "深圳市星河贸易有限公司", "91110000802100433B"
    async with running_bot(engine) as bot:
        await bot.begin(AGENCY, "en", "uk", "uk_crossborder")
        await bot.say(AGENCY, name)
        await bot.say(AGENCY, uscc)
        assert bot.seller(AGENCY).state == "business_licence"
        asked = await bot.say(AGENCY, "/new")
        assert name in asked
        await bot.tap(AGENCY, "same")
        await bot.tap(AGENCY, "uk")
        reply = await bot.tap(AGENCY, "uk_crossborder")
        assert "filled in from your other application" in reply, reply
        second = bot.seller(AGENCY)
        assert second.state == "business_licence"  # company name and USCC answered for them
        assert (second.answers["company_name"], second.answers["uscc"]) == (name, uscc)
        assert "_reused" not in second.answers
        assert f"{HEADING}{name} · " in reply


async def test_the_offline_demo_can_show_new(tmp_path: Path) -> None:
    """English, UK, UK business, a company name; then /new for another company, /applications."""
    lines = iter(["2", "1", "1", "Acme Trading Ltd", "/new", "2", "/applications", "quit"])
    out = io.StringIO()
    await run_demo(
        build=build_application,
        language="en",
        database_url=f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        read_line=lambda: next(lines),
        out=out,
    )
    text = out.getvalue()
    assert "New application started" in text
    assert "📂 Application 2" in text
    assert "Acme Trading Ltd · " in text and "Your applications:" in text


async def test_a_restart_question_of_one_application_restarts_no_other_after_a_switch(
    engine: Engine,
) -> None:
    async with running_bot(engine) as bot:
        await bot.say(AGENCY, "/start")
        await bot.tap(AGENCY, "en")
        await bot.tap(AGENCY, "id")
        await bot.tap(AGENCY, "id_individual")  # the first application is at the NIK
        await bot.say(AGENCY, "/new")
        await bot.tap(AGENCY, "other")
        await bot.tap(AGENCY, "uk")  # the second is at the track question
        await bot.say(AGENCY, "/restart")  # asked while the second is current
        question = bot.last_keyboard(AGENCY)
        yes = question["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        first, _ = applications(bot, AGENCY)
        await bot.say(AGENCY, "/applications")
        await bot.tap(AGENCY, str(first.id))  # now the first is current
        calls = await bot.tap_data(AGENCY, yes, question["message_id"])
        notices = [c for c in calls if c.method == "answerCallbackQuery" and c.params.get("text")]
        assert notices, "the second application's question restarted the first"
        assert [a.state for a in applications(bot, AGENCY)] == ["nik", "track"]
