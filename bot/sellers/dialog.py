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
from telegram.error import Forbidden, TelegramError

from bot.platform.i18n import Translator, telegram_locale
from bot.sellers.confirmations import Confirmation
from bot.sellers.labels import heading
from bot.sellers.store import seller_store
from bot.sellers.tags import tagged_json
from bot.sellers.unit import DuplicateUpdate, Result, SellerView, Unit, Write
from bot.transport.context import BotContext, translator
from bot.transport.long_text import split_text
from bot.transport.redelivery import update_digest
from bot.transport.render import Reply, currency_of
from bot.transport.retries import is_delivery_fault
from bot.transport.sends import Sent, send_text
from flows.albums import QUIET
from flows.bulk import template_csv, template_xlsx
from flows.progress import FlowEnv, Outcome, Progress

T = TypeVar("T")
log = logging.getLogger(__name__)
OWED = "replies_owed"


@dataclass(frozen=True)
class Asked:
    """A question the seller typed instead of an answer, and where they stood."""

    text: str
    locale: str
    application_id: int
    market: str
    track: str | None
    step: str


@dataclass(frozen=True)
class Answered:
    """What a seller unit hands back to be rendered after the transaction.

    ``asked``: the text was a question, not an answer; ``reply`` shows the step again."""

    reply: Callable[[Translator], Reply]
    currency: str
    actions: tuple[str, ...] = ()
    track: str | None = None
    asked: Asked | None = None


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


class NoSender(ValueError):
    """An update without a user or chat (the handlers' filters and checks keep these out)."""


def chat_of(update: Update) -> int:
    """The id of the chat an update came from."""
    if update.effective_chat is None:
        raise NoSender(f"update {update.update_id} has no chat")
    return update.effective_chat.id


async def run_unit(
    update: Update,
    context: BotContext,
    unit: Unit[T],
    *,
    start_payload: str | None = None,
    follow_up: bool = False,
    peek: bool = False,
) -> Result[T]:
    """Run ``unit`` in the transaction of the update's sender (created on first contact).

    A ``follow_up`` is a second write for an update already applied (e.g. the id of the
    message just sent), a ``peek`` a look before the unit that answers the update: neither
    is checked, nor recorded, as a delivery of the update.
    """
    user = update.effective_user
    if user is None:
        raise NoSender(f"update {update.update_id} has no user")
    services = context.services
    return await seller_store(context).run(
        telegram_user_id=user.id,
        chat_id=chat_of(update),
        locale=telegram_locale(user.language_code, default=services.settings.default_locale),
        unit=unit,
        start_payload=start_payload,
        update_id=None if follow_up or peek else update.update_id,
        update_digest=update_digest(update),
    )


async def run_for_sender(
    update: Update, context: BotContext, unit: Unit[Answered], *, start_payload: str | None = None
) -> Result[Answered] | None:
    """Run ``unit`` for the update's sender, then send what it answered.

    A redelivered update is already part of the seller's progress: it gets no reply.
    """
    done = await run_and_send(update, context, unit, start_payload=start_payload)
    return None if done is None else done[0]


async def run_and_send(
    update: Update, context: BotContext, unit: Unit[Answered], *, start_payload: str | None = None
) -> tuple[Result[Answered], Sent | None] | None:
    """``run_for_sender``, with the reply's message (None when not confirmed delivered)."""
    try:
        result = await run_unit(update, context, unit, start_payload=start_payload)
    except DuplicateUpdate:
        log.info("update %d was delivered again; already applied", update.update_id)
        return None
    return result, await send(context, chat_of(update), result)


async def send(context: BotContext, chat_id: int, result: Result[Answered]) -> Sent | None:
    """Send the reply, then whatever the flow asked for (e.g. the product templates).

    Returns the reply's message (a confirmation binds itself to its id), or None when it
    was not confirmed delivered. The update is already committed: a reply Telegram would
    not take is logged (by the seller's internal id), not retried here and not followed
    by an apology.
    """
    answer = result.value
    if QUIET in answer.actions:  # e.g. the rest of an album, already told about
        return None
    reply, t = addressed(result)
    text, keyboard = reply.text, tagged_json(reply.keyboard, result.seller.application_id)
    try:
        *before, last = split_text(text)  # a long bulk error list is several messages
        for piece in before:
            await send_text(context.bot, chat_id, piece)
        sent = await send_text(context.bot, chat_id, last, reply_markup=keyboard)
        if "send_product_template" in answer.actions and answer.track:
            await send_templates(context, chat_id, answer.track, t)
    except TelegramError as error:
        if not is_delivery_fault(error):
            raise  # a request of ours Telegram refused (BadRequest): a bug, apologized for
        log.warning(
            "reply to seller %d not confirmed delivered: %s", result.seller.id, type(error).__name__
        )
        if not isinstance(error, Forbidden):  # a seller who blocked the bot is owed nothing
            replies_owed(context)[chat_id] = result.seller.telegram_user_id
        return None
    replies_owed(context).pop(chat_id, None)  # confirmed: the seller has the current question
    return sent


def addressed(result: Result[Answered]) -> tuple[Reply, Translator]:
    """The reply as its seller gets it, and their translator: headed with the application
    when they have several (its buttons are tagged with it as it is sent: ``bot.sellers.tags``)."""
    t = translator(result.seller.locale, result.value.currency)
    reply = result.value.reply(t)
    text = reply.text
    named = heading(result.seller.applications, result.seller.application_id, t)
    if named is not None:  # a seller with several applications sees which one this is
        text = f"{named}\n\n{text}"
    return Reply(text, reply.keyboard), t


def replies_owed(context: BotContext) -> dict[int, int]:
    """Chats whose last reply Telegram did not confirm → their seller's Telegram user id.

    ``sellers.owed`` asks them the current question again once Telegram is back. Kept in
    this process only: after a restart the seller's next message is answered as usual.
    """
    owed: dict[int, int] = context.application.bot_data.setdefault(OWED, {})
    return owed


def bind_confirmation(sent: Confirmation) -> Unit[None]:
    """Store the id of the message a confirmation was sent in (unless replaced meanwhile)."""

    def unit(view: SellerView, env: FlowEnv) -> tuple[Write | None, None]:
        pending = Confirmation.from_json(view.confirmation)
        if pending is None or pending.nonce != sent.nonce:
            return None, None
        return Write(confirmation=sent.to_json()), None

    return unit


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
