"""End to end: a seller changes one answer from the summary, and removes a saved product.

Through the real Application and the fake Bot API, as in ``test_seller_journeys``.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine

from bot.platform.i18n import Translator
from bot.transport.keyboards import MAX_CALLBACK_BYTES
from tests.harness import BotHarness, running_bot
from tests.updates import TelegramUser

TELEGRAM_LANGUAGE = {"en": "en", "zh_Hans": "zh-hans", "id": "id"}


def _buttons(bot: BotHarness, user: TelegramUser) -> list[dict[str, Any]]:
    markup = bot.last_keyboard(user)["reply_markup"]["inline_keyboard"]
    return [button for row in markup for button in row]


async def _tap_label(bot: BotHarness, user: TelegramUser, starts: str) -> str:
    """Tap the latest keyboard's button whose label starts with ``starts``."""
    message = bot.last_keyboard(user)
    for button in _buttons(bot, user):
        if button["text"].startswith(starts):
            calls = await bot.tap_data(user, button["callback_data"], message["message_id"])
            return "\n".join(c.text or "" for c in calls if c.method == "sendMessage")
    raise LookupError(f"no button starting {starts!r}")


async def _add_product(bot: BotHarness, user: TelegramUser, title: str, price: str) -> None:
    await bot.tap(user, "add")
    await bot.say(user, title)
    await bot.say(user, price)
    await bot.photo(user, f"product-{price}")
    await bot.tap(user, "images_done")
    await bot.say(user, "30x20x10")
    await bot.say(user, "0,5")


async def _uk_individual_at_products(bot: BotHarness, user: TelegramUser, locale: str) -> None:
    await bot.begin(user, locale, "uk", "uk_individual")
    await bot.photo(user, "passport-page")
    await bot.photo(user, "selfie-with-passport")
    await bot.document(user, "council-tax.pdf", "application/pdf")
    await bot.say(user, "07400 123456")
    assert bot.seller(user).state == "products"


@pytest.mark.parametrize("locale", ["en", "zh_Hans", "id"])
async def test_edit_from_the_summary_jumps_to_the_picked_answer_and_comes_back(
    engine: Engine, locale: str
) -> None:
    t = Translator(locale)
    user = TelegramUser(3100 + len(locale), "Seller", TELEGRAM_LANGUAGE[locale])
    async with running_bot(engine) as bot:
        await _uk_individual_at_products(bot, user, locale)
        await _add_product(bot, user, "Wireless Earbuds Bluetooth 5.3", "12.99")
        await bot.tap(user, "done")
        assert bot.seller(user).state == "review"

        listed = await bot.tap(user, "edit")
        assert t("ask_edit_which") in listed
        buttons = _buttons(bot, user)
        labels = [button["text"] for button in buttons]
        assert t("label_phone") in labels and t("label_products") in labels
        assert labels[-1] == t("button_back_to_summary")
        assert all(len(b["callback_data"].encode()) <= MAX_CALLBACK_BYTES for b in buttons)

        asked = await bot.tap(user, "phone")
        assert bot.seller(user).state == "phone"
        assert "07911 123456" in asked  # the example, up front
        back = await bot.say(user, "07400 654321")
        seller = bot.seller(user)
        assert seller.state == "review"  # straight back, not through the products again
        assert seller.answers["phone"] == "+447400654321"
        assert "+447400654321" in back and t("summary_title") in back

        version = seller.version
        calls = await bot.tap_data(user, "a|review.edit|phone")  # the list's old button
        assert not [c for c in calls if c.method == "sendMessage"]
        assert bot.seller(user).version == version
        await bot.tap(user, "submit")
        assert bot.seller(user).state == "submitted"


@pytest.mark.parametrize("locale", ["en", "id"])
async def test_a_saved_product_is_removed_but_never_the_last_one(
    engine: Engine, locale: str
) -> None:
    t = Translator(locale)
    user = TelegramUser(3200 + len(locale), "Seller", TELEGRAM_LANGUAGE[locale])
    async with running_bot(engine) as bot:
        await _uk_individual_at_products(bot, user, locale)
        await _add_product(bot, user, "Stoneware Coffee Mug 350 ml", "12.99")
        await _add_product(bot, user, "Stoneware Teapot 1 litre", "20")
        await bot.tap(user, "change")
        await _tap_label(bot, user, "1")  # "1. Stoneware Coffee Mug 350 ml"
        removed = await bot.tap(user, "remove")
        products = bot.seller(user).answers["products"]
        assert [p["title"] for p in products] == ["Stoneware Teapot 1 litre"]
        assert t("product_removed", {"title": "Stoneware Coffee Mug 350 ml", "total": 1}) in removed

        await bot.tap(user, "change")
        await _tap_label(bot, user, "1")
        refused = await bot.tap(user, "remove")
        assert t("error_products_remove_minimum", {"min": 1}) in refused
        assert len(bot.seller(user).answers["products"]) == 1

        await bot.tap(user, "replace")
        await _add_product_fields(bot, user, "Enamel Camping Mug", "7.50")
        products = bot.seller(user).answers["products"]
        assert [(p["title"], p["price"]) for p in products] == [("Enamel Camping Mug", "7.50")]


async def _add_product_fields(bot: BotHarness, user: TelegramUser, title: str, price: str) -> None:
    await bot.say(user, title)
    await bot.say(user, price)
    await bot.photo(user, f"product-{price}")
    await bot.tap(user, "images_done")
    await bot.say(user, "30x20x10")
    await bot.say(user, "0.5")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_an_empty_message_is_told_it_is_empty_not_that_it_is_a_sticker(
    engine: Engine,
) -> None:
    t = Translator("en")
    user = TelegramUser(3301, "Ann", "en")
    async with running_bot(engine) as bot:
        first = await bot.begin(user, "en", "uk", "uk_crossborder")
        assert "深圳市" in first and t("prompt_example", {"example": ""}) in first
        for blank in ("", "\u200b"):
            reply = await bot.say(user, blank)
            assert t("error_empty_answer") in reply
            assert t("error_unsupported_message") not in reply
        assert bot.seller(user).state == "company_name"
