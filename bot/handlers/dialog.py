"""The round trip every seller handler shares: run a unit of work, then reply.

The unit runs in the seller store's transaction (a worker thread); replies are sent
after it has committed, so no transaction ever waits on Telegram.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from telegram import InputFile, Update

from bot.context import BotContext, translator
from bot.i18n import Translator, telegram_locale
from bot.labels import heading
from bot.redelivery import update_digest
from bot.render import Reply, currency_of
from bot.sellers import DuplicateUpdate, Result, SellerView, Unit, Write
from bot.tags import tagged
from flows.bulk import template_csv, template_xlsx
from flows.progress import FlowEnv, Outcome, Progress

T = TypeVar("T")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Answered:
    """What a seller unit hands back to be rendered after the transaction."""

    reply: Callable[[Translator], Reply]
    currency: str
    actions: tuple[str, ...] = ()
    track: str | None = None


def write_if_changed(
    view: SellerView, progress: Progress, *, locale: str | None = None
) -> Write | None:
    """A write only when something changed, so idle taps do not bump the version."""
    if progress == view.progress and (locale is None or locale == view.locale):
        return None
    return Write(progress=progress, locale=locale)


def outcome_write(view: SellerView, outcome: Outcome) -> Write | None:
    """What an accepted outcome stores (the language step also sets the locale)."""
    if not outcome.accepted:
        return None
    language = outcome.saved.get("language")
    return write_if_changed(view, outcome.progress, locale=language)


def answered(
    env: FlowEnv, progress: Progress, reply: Callable[[Translator], Reply], **kwargs: Any
) -> Answered:
    """Package a reply with the currency its prices are in."""
    return Answered(
        reply=reply, currency=currency_of(progress, env), track=progress.track, **kwargs
    )


async def run_unit(
    update: Update, context: BotContext, unit: Unit[T], *, start_payload: str | None = None
) -> Result[T]:
    """Run ``unit`` in the transaction of the update's sender (created on first contact)."""
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    services = context.services
    return await services.sellers.run(
        telegram_user_id=user.id,
        chat_id=chat.id,
        locale=telegram_locale(user.language_code, default=services.settings.default_locale),
        unit=unit,
        start_payload=start_payload,
        update_id=update.update_id,
        update_digest=update_digest(update),
    )


async def run_for_sender(
    update: Update, context: BotContext, unit: Unit[Answered], *, start_payload: str | None = None
) -> Result[Answered] | None:
    """Run ``unit`` for the update's sender, then send what it answered.

    A redelivered update is already part of the seller's progress: it gets no reply.
    """
    try:
        result = await run_unit(update, context, unit, start_payload=start_payload)
    except DuplicateUpdate:
        log.info("update %d was delivered again; already applied", update.update_id)
        return None
    assert update.effective_chat is not None
    await send(context, update.effective_chat.id, result)
    return result


async def send(context: BotContext, chat_id: int, result: Result[Answered]) -> None:
    """Send the reply, then whatever the flow asked for (e.g. the product templates)."""
    answer = result.value
    t = translator(result.seller.locale, answer.currency)
    reply = answer.reply(t)
    text = reply.text
    named = heading(result.seller.applications, result.seller.application_id, t)
    if named is not None:  # a seller with several applications sees which one this is
        text = f"{named}\n\n{text}"
    keyboard = tagged(reply.keyboard, result.seller.application_id)
    await context.bot.send_message(chat_id, text, reply_markup=keyboard)
    if "send_product_template" in answer.actions and answer.track:
        await send_templates(context, chat_id, answer.track, t)


async def send_templates(context: BotContext, chat_id: int, track: str, t: Translator) -> None:
    """The bulk product templates, CSV and XLSX, for the seller's track."""
    csv_bytes, xlsx_bytes = await asyncio.gather(
        asyncio.to_thread(template_csv, track), asyncio.to_thread(template_xlsx, track)
    )
    await context.bot.send_document(
        chat_id,
        InputFile(csv_bytes, filename=f"products_{track}.csv"),
        caption=t("template_caption"),
    )
    await context.bot.send_document(
        chat_id, InputFile(xlsx_bytes, filename=f"products_{track}.xlsx")
    )
