"""A provider with a cohort and a seller who applied in it, through the real Application."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.db import repo
from bot.db.models import Application
from bot.providers.codes import store as codes
from tests.bot.providers.test_providers import OWNER_A, new_cohort, provider_from_cli
from tests.harness import BotHarness
from tests.updates import TelegramUser

MARK = "zqxmark"
"""Planted in everything the seller types or uploads; nothing else contains it."""
SELLER = TelegramUser(
    770011223344, f"{MARK}first", "zh-hans", last_name=f"{MARK}last", username=f"{MARK}user"
)
COMPANY = f"深圳市{MARK}贸易有限公司"
USCC = "91110000802100433B"
EMAIL = f"{MARK}@example.com"
PRODUCT = f"{MARK} Wireless Earbuds"
LICENCE = f"{MARK}-licence.pdf"
LICENCE_BYTES = b"%PDF-1.4 licence " + MARK.encode()
PHOTO_ID = f"{MARK}-legal-rep-id"
PHOTO_BYTES = b"\xff\xd8\xff photo " + MARK.encode()
PRODUCT_PHOTO = f"{MARK}-product-photo"


async def cohort_of_a(bot: BotHarness) -> tuple[int, str]:
    """Provider A's cross-border cohort, made by ``OWNER_A``: (id, join token)."""
    with Session(bot.engine) as session:
        codes.add_invite_code(session, code="TTS-UK-2026", market="uk", max_uses=None)
        session.commit()
    return await new_cohort(bot, OWNER_A, "uk track=uk_crossborder 英国跨境一批")


def provider_a(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> int:
    """Provider A from the command line, owned by ``OWNER_A``."""
    return provider_from_cli(engine, monkeypatch, "星河出海服务", OWNER_A.id)


async def apply_in_cohort(
    bot: BotHarness, token: str, user: TelegramUser = SELLER, *, submit: bool = True
) -> int:
    """The seller opens the cohort's link and walks the cross-border track; the app's id."""
    await bot.say(user, f"/start {token}")
    for value in ("zh_Hans", "uk", "uk_crossborder"):
        await bot.tap(user, value)
    await bot.say(user, COMPANY)
    await bot.say(user, USCC)
    bot.api.add_file(f"doc-{LICENCE}", LICENCE_BYTES)
    update = bot.updates.document(
        user, f"doc-{LICENCE}", LICENCE, "application/pdf", len(LICENCE_BYTES)
    )
    await bot.push(update)
    bot.api.add_file(PHOTO_ID, PHOTO_BYTES)
    await bot.photo(user, PHOTO_ID)
    await bot.say(user, "WRONG-CODE-1")  # counted as a failed invite code, by user id
    await bot.say(user, "tts-uk-2026")
    await bot.say(user, "07400 123456")
    await bot.say(user, EMAIL)
    await bot.tap(user, "add")
    await bot.say(user, PRODUCT)
    await bot.say(user, "£12.99")
    await bot.photo(user, PRODUCT_PHOTO)
    await bot.tap(user, "images_done")
    await bot.say(user, "30x20x10")
    await bot.say(user, "0.5")
    await bot.tap(user, "done")
    if submit:
        await bot.tap(user, "submit")
    with Session(bot.engine) as session:
        seller = repo.get_seller(session, telegram_user_id=user.id)
        assert seller is not None
        ids = session.exec(
            select(Application.id)
            .where(Application.seller_id == seller.id)
            .order_by(col(Application.id).desc())
        ).all()
    assert ids and ids[0] is not None
    return ids[0]
