"""Buttons that must not work, through the real Application over the fake Bot API.

Callback data is untrusted: a client can send any data for any message carrying the
bot's keyboard, or none at all from an inline-mode message. Every refused tap here gets
the stale notice in the seller's chosen language and leaves every table as it was.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, SQLModel, select

from bot.db.models import Seller, utcnow
from bot.transport.context import translator
from tests.fakebotapi import Call
from tests.harness import BotHarness, running_bot
from tests.updates import TelegramChat, TelegramUser

Snapshot = dict[str, list[tuple[Any, ...]]]


def snapshot(engine: Engine) -> Snapshot:
    """Every row of every table of the bot, except the record of updates received (a
    refused tap is recorded too, so its redelivery is not answered twice)."""
    with engine.connect() as connection:
        return {
            table.name: [
                tuple(row)
                for row in connection.execute(table.select().order_by(*table.primary_key.columns))
            ]
            for table in SQLModel.metadata.sorted_tables
            if table.name != "processedupdate"
        }


def stale_notice(locale: str) -> str:
    return translator(locale)("notice_stale_button")


def assert_refused(calls: list[Call], locale: str) -> None:
    """Only the stale pop-up, in ``locale``: no message sent, none edited."""
    assert [call.method for call in calls] == ["answerCallbackQuery"], calls
    assert calls[0].params.get("text") == stale_notice(locale)


async def submit_id_individual(bot: BotHarness, user: TelegramUser, locale: str) -> None:
    """An Indonesian individual seller's whole application, up to *submitted*."""
    await bot.begin(user, locale, "id", "id_individual")
    for answer in ("3174 0550 1290 0001", "01.855.081.4-412.000"):
        await bot.say(user, answer)
    await bot.photo(user, "ktp")
    await bot.say(user, "0812-3456-7890")
    await bot.tap(user, "add")
    await bot.say(user, "Kaos Polos Katun Premium Pria Wanita")
    await bot.say(user, "Rp150.000")
    await bot.photo(user, "product-photo-1")
    await bot.tap(user, "images_done")
    await bot.say(user, "30x20x10")
    await bot.say(user, "0.5")
    await bot.tap(user, "done")
    await bot.tap(user, "submit")
    assert bot.seller(user).state == "submitted"


def confirmation_message(bot: BotHarness, user: TelegramUser) -> tuple[int, str, str]:
    """The latest restart question: its message id and its yes / no callback data."""
    message = bot.last_keyboard(user)
    yes, no = (button["callback_data"] for button in message["reply_markup"]["inline_keyboard"][0])
    assert yes.startswith("restart|") and yes.endswith("|yes") and no.endswith("|no")
    return message["message_id"], yes, no


def set_confirmation_expiry(engine: Engine, user: TelegramUser, expires_at: dt.datetime) -> None:
    with Session(engine) as session:
        seller = session.exec(select(Seller).where(Seller.telegram_user_id == user.id)).one()
        assert seller.pending_confirmation is not None
        seller.pending_confirmation = {
            **seller.pending_confirmation,
            "expires_at": expires_at.isoformat(),
        }
        session.add(seller)
        session.commit()


async def test_a_submitted_application_cannot_be_restarted(engine: Engine) -> None:
    user = TelegramUser(3001, "Budi", "en")
    async with running_bot(engine) as bot:
        await submit_id_individual(bot, user, "id")
        before = snapshot(engine)
        calls = await bot.push(bot.updates.message_text(user, "/restart"))
        sent = [call for call in calls if call.method == "sendMessage"]
        assert len(sent) == 1 and not sent[0].params.get("reply_markup")  # nothing to confirm
        assert translator("id")("restart_refused_submitted") in (sent[0].text or "")
        assert snapshot(engine) == before
        # nor does the old, unbound confirmation data erase it
        assert_refused(await bot.tap_data(user, "restart|confirm|yes"), "id")
        assert snapshot(engine) == before
    seller = bot.seller(user)
    assert seller.state == "submitted" and seller.answers["nik"] == "3174055012900001"


async def test_a_confirmation_asked_before_submitting_cannot_erase_the_submission(
    engine: Engine,
) -> None:
    user = TelegramUser(3002, "Sari", "id")
    async with running_bot(engine) as bot:
        await bot.say(user, "/start")
        await bot.say(user, "/restart")
        message_id, yes, _ = confirmation_message(bot, user)
        await submit_id_individual(bot, user, "id")
        submitted = bot.seller(user)
        calls = await bot.tap_data(user, yes, message_id)
        assert translator("id")("restart_refused_submitted") in "\n".join(
            call.text or "" for call in calls if call.method == "sendMessage"
        )
    seller = bot.seller(user)
    assert (seller.state, seller.answers, seller.submitted_at) == (
        submitted.state,
        submitted.answers,
        submitted.submitted_at,
    )


@pytest.mark.parametrize("data", ["restart|confirm|yes", "restart|confirm|no"])
async def test_a_forged_confirmation_from_an_unrelated_message_changes_nothing(
    engine: Engine, data: str
) -> None:
    user = TelegramUser(3003, "Ann", "en")
    async with running_bot(engine) as bot:
        await bot.begin(user, "en", "uk", "uk_business")
        await bot.say(user, "Acme Trading Ltd")
        before = snapshot(engine)
        for message_id in (1, 2, 3, 999):  # the bot's questions, and a message it never sent
            assert_refused(await bot.tap_data(user, data, message_id), "en")
        assert snapshot(engine) == before
    assert bot.seller(user).answers["company_name"] == "Acme Trading Ltd"


async def test_a_real_confirmation_only_works_from_the_message_that_asked(engine: Engine) -> None:
    user = TelegramUser(3004, "Tom", "en")
    async with running_bot(engine) as bot:
        await bot.begin(user, "en", "uk", "uk_business")
        await bot.say(user, "Acme Trading Ltd")
        await bot.say(user, "/restart")
        message_id, yes, _ = confirmation_message(bot, user)
        before = snapshot(engine)
        wrong_nonce = "restart|AAAAAAAA|yes"
        for data, on in ((yes, message_id - 1), (yes, message_id + 5), (wrong_nonce, message_id)):
            assert_refused(await bot.tap_data(user, data, on), "en")
        assert_refused(await bot.tap_data(user, yes.replace("|yes", "|maybe"), message_id), "en")
        assert snapshot(engine) == before
        await bot.say(user, "/restart")  # a new question replaces the old one
        assert "reply_markup" not in (bot.api.message(user.id, message_id) or {})
        assert_refused(await bot.tap_data(user, yes, message_id), "en")
        assert bot.seller(user).answers["company_name"] == "Acme Trading Ltd"
        newer_id, newer_yes, _ = confirmation_message(bot, user)
        await bot.tap_data(user, newer_yes, newer_id)  # the newest one works
    assert bot.seller(user).state == "market"


@pytest.mark.parametrize("choice", ["yes", "no"])
async def test_a_used_confirmation_loses_its_buttons_and_cannot_be_replayed(
    engine: Engine, choice: str
) -> None:
    user = TelegramUser(3005, "Wei", "zh-hans")
    async with running_bot(engine) as bot:
        await bot.begin(user, "zh_Hans", "uk", "uk_crossborder")
        await bot.say(user, "深圳市星河贸易有限公司")
        await bot.say(user, "/restart")
        message_id, yes, no = confirmation_message(bot, user)
        calls = await bot.tap_data(user, yes if choice == "yes" else no, message_id)
        assert "editMessageReplyMarkup" in [call.method for call in calls]
        assert "reply_markup" not in (bot.api.message(user.id, message_id) or {})
        expected_state = "market" if choice == "yes" else "uscc"
        assert bot.seller(user).state == expected_state
        before = snapshot(engine)
        for data in (yes, no):  # the message Telegram still shows in a lagging client
            assert_refused(await bot.tap_data(user, data, message_id), "zh_Hans")
        assert snapshot(engine) == before
    assert bot.seller(user).state == expected_state


async def test_an_expired_confirmation_changes_nothing(engine: Engine) -> None:
    user = TelegramUser(3006, "Dewi", "en")
    async with running_bot(engine) as bot:
        await bot.begin(user, "id", "id", "id_individual")
        await bot.say(user, "3174 0550 1290 0001")
        await bot.say(user, "/restart")
        message_id, yes, _ = confirmation_message(bot, user)
        set_confirmation_expiry(engine, user, utcnow() - dt.timedelta(seconds=1))
        before = snapshot(engine)
        assert_refused(await bot.tap_data(user, yes, message_id), "id")
        assert snapshot(engine) == before
    assert bot.seller(user).answers["nik"] == "3174055012900001"


async def test_a_confirmation_in_time_is_honoured(engine: Engine) -> None:
    user = TelegramUser(3007, "Joko", "en")
    async with running_bot(engine) as bot:
        await bot.begin(user, "id", "id", "id_individual")
        await bot.say(user, "/restart")
        message_id, yes, _ = confirmation_message(bot, user)
        set_confirmation_expiry(engine, user, utcnow() + dt.timedelta(seconds=60))
        await bot.tap_data(user, yes, message_id)
    seller = bot.seller(user)
    assert seller.state == "market" and seller.pending_confirmation is None


MALFORMED = [
    "a|language",  # two parts
    "a|market|uk|extra",  # four parts
    "a",
    "",
    "restart|yes",
    "lang|set|xx",  # a language the bot does not have
    "lang|set",
    "nonsense|1|2",
    "a|market|id",  # the market question's old button: stale
]


@pytest.mark.parametrize("locale", ["zh_Hans", "id"])
async def test_malformed_inline_and_foreign_taps_get_the_stale_notice_in_the_sellers_language(
    engine: Engine, locale: str
) -> None:
    user = TelegramUser(3100 + len(locale), "Seller", "en")  # Telegram's app is in English
    async with running_bot(engine) as bot:
        await bot.say(user, "/start")
        await bot.tap(user, locale)
        await bot.tap(user, "uk")
        question = bot.last_keyboard(user)["message_id"]
        before = snapshot(engine)
        updates = [bot.updates.callback(user, data, question) for data in MALFORMED]
        without_data = bot.updates.callback(user, "x", question)
        del without_data["callback_query"]["data"]
        updates.append(without_data)
        for data in ("a|track|uk_business", "restart|confirm|yes"):
            updates.append(inline_callback(bot, user, data))
        group = TelegramChat.group(-1001234567890, "Sellers", chat_type="supergroup")
        updates.append(bot.updates.callback(user, "a|track|uk_business", 7, chat=group))
        for update in updates:
            assert_refused(await bot.push(update), locale)
        assert snapshot(engine) == before
    assert bot.seller(user).state == "track"


async def test_a_stranger_s_inline_tap_gets_the_notice_in_telegram_s_language(
    engine: Engine,
) -> None:
    stranger = TelegramUser(3200, "Li", "zh-hans")
    async with running_bot(engine) as bot:
        before = snapshot(engine)
        for data in ("a|language|en", "restart|confirm|yes"):
            assert_refused(await bot.push(inline_callback(bot, stranger, data)), "zh_Hans")
        assert_refused(await bot.tap_data(stranger, "restart|confirm|yes", 1), "zh_Hans")
        assert snapshot(engine) == before  # no seller made for a stranger


def inline_callback(bot: BotHarness, user: TelegramUser, data: str) -> dict[str, Any]:
    """A tap on a button of an inline-mode message: no message, no chat."""
    update = bot.updates.callback(user, data, 1)
    query = update["callback_query"]
    del query["message"]
    query["inline_message_id"] = "AgAAAEBVAQDKzqUHxyz"
    return update


async def test_the_apology_for_an_internal_error_is_in_the_sellers_language(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = TelegramUser(3300, "Wei", "en")  # Telegram's app in English, the bot in Chinese
    async with running_bot(engine) as bot:
        await bot.say(user, "/start")
        await bot.tap(user, "zh_Hans")

        def broken(*args: object, **kwargs: object) -> str:
            raise RuntimeError("a bug in rendering the summary")

        monkeypatch.setattr("bot.sellers.commands.summary_text", broken)
        with pytest.raises(AssertionError, match="RuntimeError"):
            await bot.say(user, "/status")
        bot.errors.clear()
    apology = bot.api.calls_to("sendMessage")[-1]
    assert apology.text == translator("zh_Hans")("error_internal")
