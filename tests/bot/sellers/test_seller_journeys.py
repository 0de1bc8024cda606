"""End to end: sellers walk every track in every language through the real Application.

Updates travel as real Update JSON through PTB's HTTP polling against the fake Bot API
on 127.0.0.1; the database is SQLite and PostgreSQL in turn (the ``engine`` fixture).
"""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable

import openpyxl
import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from bot.providers.codes import store as codes
from bot.transport.context import translator
from flows.bulk import template_xlsx
from tests.harness import BotHarness, at_products, running_bot
from tests.updates import TelegramUser

Step = Callable[[BotHarness, TelegramUser], Awaitable[str]]


def text(value: str) -> Step:
    return lambda bot, user: bot.say(user, value)


def tap(value: str) -> Step:
    return lambda bot, user: bot.tap(user, value)


def pdf(name: str = "certificate.pdf") -> Step:
    return lambda bot, user: bot.document(user, name, "application/pdf")


def photo(file_id: str) -> Step:
    return lambda bot, user: bot.photo(user, file_id)


def guided_product(title: str, price: str) -> list[Step]:
    return [
        tap("add"),
        text(title),
        text(price),
        photo("product-photo-1"),
        tap("images_done"),
        text("30x20x10"),
        text("0.5"),
    ]


UK_PRODUCT = guided_product("Wireless Earbuds Bluetooth 5.3", "£12.99")
ID_PRODUCT = guided_product("Kaos Polos Katun Premium Pria Wanita", "Rp150.000")

JOURNEYS: dict[str, list[Step]] = {
    "uk_business": [
        text("Acme Trading Ltd"),
        text("sc123456"),
        text("14/03/2019"),
        pdf(),
        photo("director-passport"),
        text("07400 123456"),
        *UK_PRODUCT,
    ],
    "uk_individual": [
        photo("passport-page"),
        photo("selfie-with-passport"),
        pdf("council-tax.pdf"),
        text("+44 7400 123456"),
        *UK_PRODUCT,
    ],
    "uk_crossborder": [
        text("深圳市星河贸易有限公司"),
        text("91110000802100433B"),
        pdf("licence.pdf"),
        photo("legal-rep-id"),
        text("tts-uk-2026"),
        text("07400 123456"),
        text("Shop@Example.com"),
        *UK_PRODUCT,
    ],
    "id_individual": [
        text("3174 0550 1290 0001"),
        text("01.855.081.4-412.000"),
        photo("ktp"),
        text("0812-3456-7890"),
        *ID_PRODUCT,
    ],
    "id_business": [
        text("PT Maju Jaya Abadi"),
        text("9120001234567"),
        text("0018550814412000"),
        photo("rep-ktp"),
        text("+62 812 3456 7890"),
        *ID_PRODUCT,
    ],
}
MARKET = {
    "uk_business": "uk",
    "uk_individual": "uk",
    "uk_crossborder": "uk",
    "id_individual": "id",
    "id_business": "id",
}
TELEGRAM_LANGUAGE = {"en": "en", "zh_Hans": "zh-hans", "id": "id"}
SUBMITTED = {"en": "submitted", "zh_Hans": "已提交", "id": "dikirim"}


def _seed_invite_code(engine: Engine) -> None:
    with Session(engine) as session:
        codes.add_invite_code(session, code="TTS-UK-2026", market="uk", max_uses=None)
        session.commit()


@pytest.mark.parametrize("locale", ["en", "zh_Hans", "id"])
@pytest.mark.parametrize("track", list(JOURNEYS))
async def test_a_seller_walks_the_whole_track_to_submission(
    engine: Engine, track: str, locale: str
) -> None:
    _seed_invite_code(engine)
    user = TelegramUser(1000 + len(track), "Seller", TELEGRAM_LANGUAGE[locale])
    async with running_bot(engine) as bot:
        await bot.say(user, "/start")
        await bot.tap(user, locale)
        await bot.tap(user, MARKET[track])
        await bot.tap(user, track)
        for step in JOURNEYS[track]:
            await step(bot, user)
        summary = await bot.tap(user, "done")
        assert bot.seller(user).state == "review"
        price = "£12.99" if MARKET[track] == "uk" else "Rp150.000"
        if locale == "id" and MARKET[track] == "uk":
            price = "£12,99"  # Indonesian writes a decimal comma
        assert price in summary
        reply = await bot.tap(user, "submit")
    seller = bot.seller(user)
    assert seller.state == "submitted" and seller.submitted_at is not None
    assert seller.locale == locale and seller.track == track
    assert len(seller.answers["products"]) == 1
    assert SUBMITTED[locale].lower() in reply.lower()


async def test_wrong_answers_are_explained_and_change_nothing(engine: Engine) -> None:
    user = TelegramUser(2001, "Wei", "zh-hans")
    async with running_bot(engine) as bot:
        await bot.begin(user, "zh_Hans", "uk", "uk_crossborder")
        await bot.say(user, "深圳市星河贸易有限公司")
        before = bot.seller(user)
        reply = await bot.say(user, "91110000802100433A")  # wrong check character
        after = bot.seller(user)
        assert "91110000802100433B" in reply  # the example of a right answer
        assert (after.state, after.answers, after.version) == (
            before.state,
            before.answers,
            before.version,
        )
        # a file where a code is expected (a photo would be taken as the licence, sent
        # first: tests/bot/sellers/test_document_offers.py)
        await bot.document(user, "notes.txt", "text/plain")
        assert bot.seller(user).version == before.version


@pytest.mark.parametrize("locale", ["en", "zh_Hans", "id"])
async def test_a_wrong_phone_is_told_what_was_wrong_and_the_example_not_the_whole_step_again(
    engine: Engine, locale: str
) -> None:
    _seed_invite_code(engine)
    user = TelegramUser(2006, "Wei", TELEGRAM_LANGUAGE[locale])
    t = translator(locale)
    async with running_bot(engine) as bot:
        await bot.begin(user, locale, "uk", "uk_crossborder")
        for answer in ("深圳市星河贸易有限公司", "91110000802100433B"):
            await bot.say(user, answer)
        await bot.document(user, "licence.pdf", "application/pdf")
        await bot.photo(user, "legal-rep-id")
        question = await bot.say(user, "tts-uk-2026")
        assert t("ask_uk_phone_crossborder") in question  # the step, asked once in full
        reply = await bot.say(user, "12345")
    assert reply.splitlines() == [
        "⚠️ " + t("error_uk_mobile"),
        t("error_example", {"example": "07911 123456"}),
    ]
    assert bot.seller(user).state == "phone"


@pytest.mark.parametrize("locale", ["en", "zh_Hans", "id"])
async def test_the_sellers_help_names_their_data_commands(engine: Engine, locale: str) -> None:
    user = TelegramUser(2007, "Ana", TELEGRAM_LANGUAGE[locale])
    async with running_bot(engine) as bot:
        await bot.begin(user, locale, "id", "id_individual")
        reply = await bot.say(user, "/help")
    assert "/mydata" in reply and "/delete_me" in reply


async def test_a_stale_button_gets_a_notice_and_changes_nothing(engine: Engine) -> None:
    user = TelegramUser(2002, "Ann", "en")
    async with running_bot(engine) as bot:
        await bot.say(user, "/start")
        await bot.tap(user, "en")
        await bot.tap(user, "uk")
        before = bot.seller(user)
        calls = await bot.tap_data(user, "a|market|id")  # the market message's old button
        notices = [c for c in calls if c.method == "answerCallbackQuery"]
        assert notices and notices[0].params.get("text")
        assert not [c for c in calls if c.method == "sendMessage"]
        after = bot.seller(user)
        assert (after.state, after.answers, after.version) == (
            before.state,
            before.answers,
            before.version,
        )


async def test_back_and_restart_with_confirmation(engine: Engine) -> None:
    user = TelegramUser(2003, "Budi", "id")
    async with running_bot(engine) as bot:
        await bot.begin(user, "id", "id", "id_individual")
        await bot.say(user, "3174055012900001")
        assert bot.seller(user).state == "tax_id"
        await bot.say(user, "/back")
        assert bot.seller(user).state == "nik"
        assert bot.seller(user).answers["nik"] == "3174055012900001"  # kept for editing
        await bot.say(user, "/restart")
        assert bot.seller(user).state == "nik"  # nothing happens before the confirmation
        await bot.tap(user, "no")
        assert bot.seller(user).state == "nik"
        await bot.say(user, "/restart")
        await bot.tap(user, "yes")
        seller = bot.seller(user)
        assert seller.state == "market" and "nik" not in seller.answers and seller.locale == "id"


async def test_progress_survives_a_restart_of_the_application(engine: Engine) -> None:
    user = TelegramUser(2004, "Tom", "en")
    async with running_bot(engine) as bot:
        await bot.begin(user, "en", "uk", "uk_individual")
        await bot.photo(user, "passport")
        await bot.stop()
        await bot.start()  # a new Application on the same database
        reply = await bot.photo(user, "selfie")
        assert bot.seller(user).state == "address_proof"
        assert "Step 3 of" in reply


async def test_language_switch_and_status_mid_flow(engine: Engine) -> None:
    user = TelegramUser(2005, "Li", "en")
    async with running_bot(engine) as bot:
        await bot.begin(user, "en", "uk", "uk_crossborder")
        await bot.say(user, "Star River Trading Co")
        await bot.say(user, "/language")
        reply = await bot.tap_data(user, "lang|set|zh_Hans")
        assert bot.seller(user).locale == "zh_Hans"
        assert any("统一社会信用代码" in (c.text or "") for c in reply)
        status = await bot.say(user, "/status")
        assert "Star River Trading Co" in status


def _xlsx(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


async def test_bulk_product_file_with_errors_is_reported_row_by_row_then_accepted(
    engine: Engine,
) -> None:
    user = TelegramUser(2006, "Sari", "id")
    header = ["title", "price", "image_urls", "length_cm", "width_cm", "height_cm", "weight_kg"]
    good = [
        "Kaos Polos Katun Premium Pria Wanita",
        150000,
        "https://cdn.example.com/a.jpg",
        30,
        20,
        5,
        0.3,
    ]
    async with running_bot(engine) as bot:
        await bot.begin(user, "id", "id", "id_individual")
        for answer in ("3174055012900001", "3174055012900001"):
            await bot.say(user, answer)
        await bot.photo(user, "ktp")
        await bot.say(user, "081234567890")
        assert bot.seller(user).state == "products"
        templates = await bot.push(
            bot.updates.callback(user, "a|products|template", bot.last_keyboard(user)["message_id"])
        )
        assert {c.files["document"].filename for c in templates if c.method == "sendDocument"} == {
            "products_id_individual.csv",
            "products_id_individual.xlsx",
        }
        bad = _xlsx([header, good, ["Kaos", "12.5", "ftp://x", 30, 20, 5, 0.3]])
        reply = await bot.document(
            user,
            "produk.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            bad,
        )
        assert "3" in reply and "price" in reply and "title" in reply
        assert "products" not in bot.seller(user).answers
        fixed = _xlsx([header, good, good])
        await bot.document(
            user,
            "produk.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            fixed,
        )
        assert len(bot.seller(user).answers["products"]) == 2


@pytest.mark.parametrize("locale", ["en", "zh_Hans", "id"])
async def test_the_template_sent_back_unchanged_is_refused_as_the_example_row(
    engine: Engine, locale: str
) -> None:
    user = TelegramUser(2009, "Sari", TELEGRAM_LANGUAGE[locale])
    async with running_bot(engine) as bot:
        await at_products(bot, user, locale)
        reply = await bot.document(
            user,
            "products_id_individual.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            template_xlsx("id_individual"),
        )
    assert translator(locale)("error_bulk_example_row") in reply
    assert "products" not in bot.seller(user).answers


async def test_an_edited_old_message_does_not_answer_the_current_step(engine: Engine) -> None:
    user = TelegramUser(2007, "Ann", "en")
    async with running_bot(engine) as bot:
        await bot.begin(user, "en", "uk", "uk_crossborder")
        update = bot.updates.message_text(user, "Acme Trading Ltd")
        update["edited_message"] = update.pop("message")
        update["edited_message"]["edit_date"] = update["edited_message"]["date"]
        calls = await bot.push(update)
        assert not [c for c in calls if c.method == "sendMessage"]
        assert bot.seller(user).state == "company_name"


async def test_switching_language_at_the_first_question_answers_it(engine: Engine) -> None:
    user = TelegramUser(2008, "Ani", "en")
    async with running_bot(engine) as bot:
        await bot.say(user, "/start")
        await bot.say(user, "/language")
        await bot.tap_data(user, "lang|set|id")
        seller = bot.seller(user)
        assert (seller.locale, seller.state) == ("id", "market")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_the_command_menu_is_set_in_each_language(engine: Engine) -> None:
    async with running_bot(engine) as bot:
        menus = {
            call.params.get("language_code"): [c["description"] for c in call.params["commands"]]
            for call in bot.api.calls_to("setMyCommands")
        }
    assert set(menus) == {None, "en", "zh", "id"}
    assert [len(m) for m in menus.values()] == [11, 11, 11, 11]  # /ask, /new … /mydata, /delete_me
    assert menus["zh"] != menus["en"] != menus["id"]
    assert menus[None] == menus["en"]  # the default locale's menu for everyone else


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_an_answered_questions_buttons_are_removed_and_a_refused_tap_keeps_them(
    engine: Engine,
) -> None:
    user = TelegramUser(2009, "Ann", "en")
    async with running_bot(engine) as bot:
        await bot.say(user, "/start")
        language_message = bot.last_keyboard(user)["message_id"]
        await bot.tap(user, "en")
        assert "reply_markup" not in bot.api.message(user.id, language_message)
        market_message = bot.last_keyboard(user)["message_id"]
        await bot.tap_data(user, "a|language|id", language_message)  # stale: changes nothing
        assert "reply_markup" in bot.api.message(user.id, market_message)
