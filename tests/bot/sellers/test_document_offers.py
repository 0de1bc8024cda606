"""End to end: a licence or KTP photo sent first is read and offered; one tap uses it.

The real Application against the fake Bot API, on SQLite and PostgreSQL (``engine``).
The licence is a photo of the generated set (``tests/documents``) read by the real OCR
in the sandbox: a couple of seconds a reading, so only the first test reads one.
"""

from __future__ import annotations

import io
import struct
import zlib
from typing import Any

from PIL import Image
from sqlalchemy import Engine

from bot.transport.context import translator
from tests.documents.synthetic import sample
from tests.fakebotapi import Call
from tests.harness import BotHarness, running_bot
from tests.updates import TelegramUser

READING_SECONDS = 90.0  # one OCR child on a machine other test workers keep busy


def _t(msgid: str, **params: Any) -> str:
    return translator("zh_Hans")(msgid, params)


async def _send_photo(bot: BotHarness, user: TelegramUser, file_id: str, data: bytes) -> Call:
    """Send a photo whose bytes the fake serves; the "reading…" reply."""
    bot.api.add_file(file_id, data)
    calls = await bot.push(bot.updates.photo(user, file_id, f"u-{file_id}"))
    return next(call for call in calls if call.method == "sendMessage")


async def _read(bot: BotHarness, reading: Call) -> Call:
    """The edit the reading ends in."""
    message_id = reading.result["message_id"]
    return await bot.api.wait_for(
        lambda call: (
            call.method == "editMessageText" and call.params.get("message_id") == message_id
        ),
        timeout=READING_SECONDS,
    )


def _use_button(edit: Call) -> str:
    (button,) = [b for row in edit.inline_keyboard for b in row]
    data = str(button["callback_data"])
    assert button["text"] == _t("button_use_offer")
    return data


async def test_a_licence_photo_offers_its_name_and_code_and_one_tap_uses_both(
    engine: Engine,
) -> None:
    licence = sample("licence", 0)
    user = TelegramUser(7101, "Seller", "zh-hans")
    async with running_bot(engine) as bot:
        first = await bot.begin(user, "zh_Hans", "uk", "uk_crossborder")
        assert _t("tip_licence_photo_first") in first
        reading = await _send_photo(bot, user, "licence-photo", licence.photo)
        assert reading.text == _t("notice_document_reading")
        offer = await _read(bot, reading)
        text = offer.text or ""
        assert licence.truth["company_name"] in text and licence.truth["uscc"] in text
        assert _t("ask_company_name") in text
        assert bot.seller(user).state == "company_name"  # nothing saved without the tap

        use = _use_button(offer)
        message_id = reading.result["message_id"]
        reply = await bot.push(bot.updates.callback(user, use, message_id))
        assert _t("notice_offer_used") in "\n".join(c.text or "" for c in reply)
        seller = bot.seller(user)
        assert seller.state == "legal_rep_id"  # the licence, sent first, is not asked again
        assert seller.answers["company_name"] == licence.truth["company_name"]
        assert seller.answers["uscc"] == licence.truth["uscc"]
        version = seller.version

        again = await bot.push(bot.updates.callback(user, use, message_id))  # a double tap
        notices = [c.params.get("text") for c in again if c.method == "answerCallbackQuery"]
        assert notices == [_t("notice_stale_button")]
        assert bot.seller(user).version == version  # saved once


async def test_an_unreadable_photo_falls_back_to_typing(engine: Engine) -> None:
    blank = io.BytesIO()
    Image.new("RGB", (1280, 960), "white").save(blank, "JPEG")
    user = TelegramUser(7102, "Seller", "zh-hans")
    async with running_bot(engine) as bot:
        await bot.begin(user, "zh_Hans", "uk", "uk_crossborder")
        edit = await _read(bot, await _send_photo(bot, user, "blank", blank.getvalue()))
        assert (edit.text or "").startswith(_t("notice_document_unread"))
        assert not edit.inline_keyboard
        await bot.say(user, "深圳市星河贸易有限公司")
        await bot.say(user, "91110000802100433B")
        assert bot.seller(user).state == "legal_rep_id"  # the photo stays the licence


async def test_a_pixel_bomb_is_refused_with_a_clear_message_and_nothing_lost(
    engine: Engine,
) -> None:
    user = TelegramUser(7103, "Seller", "zh-hans")
    async with running_bot(engine) as bot:
        await bot.begin(user, "zh_Hans", "uk", "uk_crossborder")
        await bot.say(user, "深圳市星河贸易有限公司")
        bomb = _png_claiming(60_000, 60_000)
        bot.api.add_file("bomb", bomb)
        update = bot.updates.document(user, "bomb", "licence.png", "image/png", len(bomb))
        calls = await bot.push(update)
        reading = next(call for call in calls if call.method == "sendMessage")
        edit = await _read(bot, reading)
        assert (edit.text or "").startswith(_t("error_document_too_many_pixels"))
        seller = bot.seller(user)
        assert seller.state == "uscc"
        assert seller.answers["company_name"] == "深圳市星河贸易有限公司"
        assert "business_licence" not in seller.answers  # refused: asked again at its turn


async def test_a_ktp_photo_that_cannot_be_fetched_leaves_the_nik_to_type(engine: Engine) -> None:
    user = TelegramUser(7104, "Penjual", "id")
    async with running_bot(engine) as bot:
        await bot.begin(user, "id", "id", "id_individual")
        calls = await bot.push(bot.updates.photo(user, "ktp-gone", "u-ktp-gone"))
        reading = next(call for call in calls if call.method == "sendMessage")
        edit = await _read(bot, reading)
        assert (edit.text or "").startswith(translator("id")("notice_document_unread"))
        await bot.say(user, "3174 0550 1290 0001")
        await bot.say(user, "01.855.081.4-412.000")
        assert bot.seller(user).state == "phone"


def _png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width`` × ``height`` (a pixel bomb's header)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )
