"""The fake Bot API speaks Telegram well enough for the real PTB stack to run against it.

A tiny PTB Application (echo, /start, a button, a document round-trip) polls the fake over real
HTTP on 127.0.0.1; each test pushes updates Telegram would send and asserts what the bot called.
"""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaDocument,
    InputMediaPhoto,
    MenuButtonCommands,
    Message,
    Update,
)
from telegram.error import BadRequest, Forbidden, InvalidToken, RetryAfter
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.fakebotapi import FakeBotAPI, settle
from tests.updates import TelegramChat, TelegramUser, UpdateFactory

ANN = TelegramUser(id=111, first_name="Ann", language_code="en")
BUDI = TelegramUser(id=222, first_name="Budi", language_code="id")

App = Application[Any, Any, Any, Any, Any, Any]
Context = ContextTypes.DEFAULT_TYPE


async def echo(update: Update, context: Context) -> None:
    """Echo the text with a button, so texts and keyboards round-trip."""
    button = InlineKeyboardButton("Again", callback_data="again")
    await update.effective_message.reply_text(  # type: ignore[union-attr]
        update.effective_message.text,  # type: ignore[union-attr,arg-type]
        reply_markup=InlineKeyboardMarkup.from_button(button),
    )


async def start(update: Update, context: Context) -> None:
    """Say what deep-link payload arrived."""
    await update.effective_message.reply_text(f"payload: {' '.join(context.args or [])}")  # type: ignore[union-attr]


async def pressed(update: Update, context: Context) -> None:
    """Answer the tap and replace the message, as a menu step would."""
    query = update.callback_query
    assert query is not None
    await query.answer("Noted")
    await query.edit_message_text(f"You pressed {query.data}")


async def reverse_document(update: Update, context: Context) -> None:
    """Download the seller's file and send it back reversed: both directions of file I/O."""
    message = update.effective_message
    assert message is not None and message.document is not None
    data = await (await context.bot.get_file(message.document.file_id)).download_as_bytearray()
    await message.reply_document(
        bytes(reversed(data)), filename=f"reversed-{message.document.file_name}", caption="done"
    )


async def remember_error(update: object, context: Context) -> None:
    """PTB only logs handler errors; keep them so the fixture can fail the test."""
    context.bot_data.setdefault("errors", []).append(context.error)


def build_app(api: FakeBotAPI, **builder: Any) -> App:
    app_builder = (
        ApplicationBuilder()
        .token(api.token)
        .base_url(api.base_url)
        .base_file_url(api.base_file_url)
    )
    for name, value in builder.items():
        app_builder = getattr(app_builder, name)(value)
    app = app_builder.build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    app.add_handler(CallbackQueryHandler(pressed))
    app.add_handler(MessageHandler(filters.Document.ALL, reverse_document))
    app.add_error_handler(remember_error)
    return app


@asynccontextmanager
async def running(app: App) -> AsyncIterator[App]:
    """Run ``app`` as run_polling does, minus signal handling and the blocking loop."""
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1)
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI() as fake:
        yield fake


@pytest.fixture
def updates(api: FakeBotAPI) -> UpdateFactory:
    return UpdateFactory.for_api(api)


@pytest.fixture
async def app(api: FakeBotAPI) -> AsyncIterator[App]:
    async with running(build_app(api)) as application:
        yield application
        assert application.bot_data.get("errors", []) == []


async def test_a_text_message_is_echoed_with_its_inline_keyboard(
    api: FakeBotAPI, updates: UpdateFactory, app: App
) -> None:
    api.push_update(updates.message_text(ANN, "hello there"))
    await settle(app, api)

    [reply] = api.sent_to(ANN.id)
    assert reply.method == "sendMessage"
    assert reply.params["text"] == "hello there"
    assert reply.inline_keyboard == [[{"text": "Again", "callback_data": "again"}]]
    assert reply.result["chat"] == {"id": ANN.id, "first_name": "Ann", "type": "private"}
    assert reply.result["from"]["username"] == api.bot_username


async def test_a_deep_link_start_payload_reaches_the_command_handler(
    api: FakeBotAPI, updates: UpdateFactory, app: App
) -> None:
    api.push_update(updates.message_text(ANN, "/start uk-cohort-1"))
    await settle(app, api)

    assert [call.text for call in api.sent_to(ANN.id)] == ["payload: uk-cohort-1"]


async def test_a_button_press_is_answered_and_edits_the_bots_message(
    api: FakeBotAPI, updates: UpdateFactory, app: App
) -> None:
    api.push_update(updates.message_text(ANN, "menu"))
    await settle(app, api)
    menu = api.sent_to(ANN.id)[-1].result

    api.push_update(updates.press(ANN, menu, "Again"))
    await settle(app, api)

    [answer] = api.calls_to("answerCallbackQuery")
    assert answer.params["text"] == "Noted"
    assert isinstance(answer.params["callback_query_id"], str)
    edit = api.sent_to(ANN.id)[-1]
    assert edit.method == "editMessageText"
    assert edit.params["message_id"] == menu["message_id"]
    assert api.message(ANN.id, menu["message_id"])["text"] == "You pressed again"  # type: ignore[index]


async def test_a_document_is_downloaded_and_the_reply_upload_carries_its_bytes(
    api: FakeBotAPI, updates: UpdateFactory, app: App
) -> None:
    api.add_file("BQACAgIAAxkBAAIBdoc", b"company registration", file_path="documents/file_7.pdf")
    api.push_update(updates.document(ANN, "BQACAgIAAxkBAAIBdoc", "reg.pdf", "application/pdf", 20))
    await settle(app, api)

    [upload] = api.sent_to(ANN.id)
    assert upload.method == "sendDocument"
    assert upload.files["document"].data == b"noitartsiger ynapmoc"
    assert upload.files["document"].filename == "reversed-reg.pdf"
    assert upload.result["document"]["file_name"] == "reversed-reg.pdf"
    assert upload.params["caption"] == "done"


async def test_an_injected_429_reaches_ptb_as_retry_after_and_the_next_send_succeeds(
    api: FakeBotAPI, updates: UpdateFactory, app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without PTB_TIMEDELTA, reading RetryAfter.retry_after warns, and warnings are errors here.
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    api.fail_next("sendMessage", error_code=429, retry_after=7)
    api.push_update(updates.message_text(ANN, "first"))
    api.push_update(updates.message_text(ANN, "second"))
    await settle(app, api)

    [error] = app.bot_data.pop("errors")
    assert isinstance(error, RetryAfter)
    assert error.retry_after.total_seconds() == 7  # type: ignore[union-attr]
    assert [call.text for call in api.sent_to(ANN.id)] == ["second"]
    assert [call.error_code for call in api.calls_to("sendMessage")] == [429, None]


async def test_an_injected_403_blocks_only_the_chosen_chat(api: FakeBotAPI, app: App) -> None:
    api.fail_next("sendMessage", error_code=403, chat_id=BUDI.id)

    await app.bot.send_message(ANN.id, "news")
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await app.bot.send_message(BUDI.id, "news")

    assert [call.chat_id for call in api.sent_to(ANN.id) + api.sent_to(BUDI.id)] == [ANN.id]


async def test_a_wrong_token_is_rejected_with_401(api: FakeBotAPI) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.post(f"{api.base_url}999:wrong/getMe")
    assert response.status_code == 401
    assert response.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}

    with pytest.raises(InvalidToken):
        async with Bot("999:wrong", base_url=api.base_url, base_file_url=api.base_file_url):
            pass
    assert api.calls == []


async def test_a_method_the_fake_lacks_is_answered_404_and_recorded(
    api: FakeBotAPI, app: App
) -> None:
    with pytest.raises(InvalidToken, match="Not Found"):  # PTB's name for a 404
        await app.bot.set_my_description("Opens TikTok Shops")

    [unknown] = api.unknown_calls
    assert (unknown.method, unknown.params) == (
        "setMyDescription",
        {"description": "Opens TikTok Shops"},
    )
    assert {call.method for call in api.calls} == {"getMe", "deleteWebhook", "setMyDescription"}


async def test_html_telegram_would_reject_is_a_bad_request(api: FakeBotAPI, app: App) -> None:
    too_long = InlineKeyboardMarkup.from_button(InlineKeyboardButton("x", callback_data="x" * 65))
    for text, markup in [("5 < 7", None), ("<b>bold", None), ("hi", too_long)]:
        with pytest.raises(BadRequest):
            await app.bot.send_message(ANN.id, text, parse_mode="HTML", reply_markup=markup)
    sent = await app.bot.send_message(ANN.id, "<b>5 &lt; 7</b>", parse_mode="HTML")
    with pytest.raises(BadRequest):
        await app.bot.edit_message_text(
            "<b>5 &lt; 7</b>", ANN.id, sent.message_id, parse_mode="HTML"
        )

    # PTB rewrites descriptions ("Button_data_invalid"); the fake keeps Telegram's wording.
    assert [call.description for call in api.calls if not call.ok] == [
        'Bad Request: can\'t parse entities: Unsupported start tag "" at byte offset 2',
        "Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"b\"",
        "Bad Request: BUTTON_DATA_INVALID",
        "Bad Request: message is not modified: specified new message content and reply markup"
        " are exactly the same as a current content and reply markup of the message",
    ]
    assert sent.text == "5 < 7"


async def test_setup_and_housekeeping_methods_round_trip_through_ptb(
    api: FakeBotAPI, app: App
) -> None:
    bot = app.bot
    assert await bot.set_my_commands([("start", "Begin")], language_code="id")
    assert [c.command for c in await bot.get_my_commands(language_code="id")] == ["start"]
    assert await bot.get_my_commands() == ()
    assert await bot.delete_my_commands(language_code="id")
    assert await bot.set_chat_menu_button(ANN.id, MenuButtonCommands())
    assert (await bot.get_webhook_info()).url == ""
    assert await bot.send_chat_action(ANN.id, "typing")
    photo = await bot.send_photo(ANN.id, b"\x89PNG fake", caption="shop front")
    again = await bot.send_photo(ANN.id, photo.photo[-1].file_id)
    assert (
        await (await bot.get_file(again.photo[-1].file_id)).download_as_bytearray()
        == b"\x89PNG fake"
    )
    assert await bot.delete_message(ANN.id, photo.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(ANN.id, photo.message_id)
    assert api.unknown_calls == []


async def test_get_updates_long_polls_and_an_offset_confirms_earlier_updates(
    api: FakeBotAPI, updates: UpdateFactory
) -> None:
    first, second, third = (api.push_update(updates.message_text(ANN, t)) for t in "abc")
    url = f"{api.base_url}{api.token}/getUpdates"
    async with httpx.AsyncClient() as client:

        async def poll(**params: Any) -> list[int]:
            response = await client.post(url, json=params)
            return [update["update_id"] for update in response.json()["result"]]

        assert await poll(limit=2) == [first, second]
        assert await poll(offset=second + 1) == [third]
        assert await poll() == [third]  # confirmed updates are gone for good
        await api.wait_fetched(second)

        waiting = asyncio.create_task(poll(offset=third + 1, timeout=5))
        await asyncio.sleep(0.05)
        fourth = api.push_update(updates.message_text(ANN, "d"))
        assert await asyncio.wait_for(waiting, 1) == [fourth]
        assert await poll(offset=fourth + 1, timeout=0.1) == []


async def test_settle_waits_for_concurrent_and_non_blocking_handlers(
    api: FakeBotAPI, updates: UpdateFactory
) -> None:
    async def slow(update: Update, context: Context) -> None:
        await asyncio.sleep(0.05)
        await update.effective_message.reply_text("slow done")  # type: ignore[union-attr]

    app = build_app(api, concurrent_updates=4)
    app.add_handler(MessageHandler(filters.PHOTO, slow, block=False))
    async with running(app):
        group = TelegramChat.group(-4001234567, "UK sellers, cohort 1")
        api.push_update(updates.photo(ANN, "AgACphoto", "AQADphoto", caption="front", chat=group))
        api.push_update(updates.message_text(BUDI, "halo", chat=group))
        await settle(app, api)

        assert sorted(str(call.text) for call in api.sent_to(group.id)) == ["halo", "slow done"]
        assert api.sent_to(group.id)[0].result["chat"]["title"] == "UK sellers, cohort 1"


async def test_a_clean_shutdown_leaves_no_task_or_warning_behind() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        async with FakeBotAPI() as api, running(build_app(api)) as app:
            api.push_update(UpdateFactory.for_api(api).message_text(ANN, "bye"))
            await settle(app, api)
        assert asyncio.all_tasks() == {asyncio.current_task()}


def test_the_factory_writes_updates_ptb_parses_as_telegram_sends_them() -> None:
    factory = UpdateFactory(bot_username="ShopOnboardingTestBot")

    command = Update.de_json(factory.message_text(ANN, "👋 hi /help@ShopOnboardingTestBot"))
    assert command.message is not None
    assert command.message.parse_entities() == {
        command.message.entities[0]: "/help@ShopOnboardingTestBot"
    }
    assert command.message.entities[0].offset == 6  # the emoji is two UTF-16 code units

    photo = Update.de_json(factory.photo(ANN, "AgACbig", "AQADbig", 1600, 1200, 300_000))
    assert photo.message is not None
    assert [(size.width, size.height) for size in photo.message.photo] == [
        (90, 68), (320, 240), (800, 600), (1280, 960), (1600, 1200)
    ]  # fmt: skip
    assert photo.message.photo[-1].file_id == "AgACbig"

    later = Update.de_json(factory.message_text(ANN, "next"))
    assert later.message is not None
    assert later.message.message_id > photo.message.message_id
    assert later.message.date >= photo.message.date

    tap = Update.de_json(factory.callback(BUDI, "v1:market:id", message_id=5, text="Market?"))
    assert tap.callback_query is not None
    assert isinstance(tap.callback_query.message, Message)
    assert tap.callback_query.message.from_user is not None
    assert tap.callback_query.message.from_user.is_bot
    assert tap.callback_query.message.chat.id == BUDI.id

    contact = Update.de_json(factory.contact(ANN, "447700900123"))
    assert contact.message is not None and contact.message.contact is not None
    assert contact.message.contact.user_id == ANN.id


async def test_an_album_is_two_to_ten_files_of_one_kind_each_a_message(
    api: FakeBotAPI, app: App
) -> None:
    for file_id in ("photo-a", "photo-b", "doc-a"):
        api.add_file(file_id, b"\xff\xd8 jpeg")
    album = await app.bot.send_media_group(
        ANN.id, [InputMediaPhoto("photo-a", caption="#1 · ID"), InputMediaPhoto("photo-b")]
    )
    assert [m.caption for m in album] == ["#1 · ID", None]
    assert album[0].media_group_id and album[0].media_group_id == album[1].media_group_id
    with pytest.raises(BadRequest, match="number of media"):
        await app.bot.send_media_group(ANN.id, [InputMediaPhoto("photo-a")])
    with pytest.raises(BadRequest, match="be mixed"):
        await app.bot.send_media_group(
            ANN.id, [InputMediaPhoto("photo-a"), InputMediaDocument("doc-a")]
        )
    assert [c.method for c in api.sent_to(ANN.id)] == ["sendMediaGroup"]


async def test_get_chat_member_says_who_runs_a_group(
    api: FakeBotAPI, app: App, updates: UpdateFactory
) -> None:
    group = TelegramChat.group(-500, "Sellers")
    api.push_update(updates.message_text(BUDI, "hello", chat=group))
    await settle(app, api)
    api.set_member(group.id, ANN.id, "creator")
    assert (await app.bot.get_chat_member(group.id, ANN.id)).status == "creator"
    assert (await app.bot.get_chat_member(group.id, BUDI.id)).status == "member"
    assert (await app.bot.get_chat_member(group.id, 999)).status == "left"
    api.set_member(group.id, BUDI.id, "administrator")
    assert (await app.bot.get_chat_member(group.id, BUDI.id)).status == "administrator"
