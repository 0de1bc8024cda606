"""Seller answers in a private chat: buttons, text, photos, documents."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from telegram import Document, Update
from telegram.error import BadRequest

from bot.platform.sandbox import SandboxError, SandboxLimits, parse_in_sandbox
from bot.sellers.asking import applied, text_unit
from bot.sellers.dialog import (
    Answered,
    answered,
    chat_of,
    run_and_send,
    run_for_sender,
    run_unit,
    send,
)
from bot.sellers.documents import start_reading
from bot.sellers.error_list import send_error_list
from bot.sellers.tags import split as split_tag
from bot.sellers.tags import tag_of
from bot.sellers.unit import DuplicateUpdate, Result, SellerView, Unit, Write
from bot.transport.buttons import Tap, checked_tap, stale
from bot.transport.context import BotContext, translator
from bot.transport.downloads import DownloadFailed, FileTooLarge, download_capped
from bot.transport.keyboards import ANSWER
from bot.transport.render import outcome_reply
from bot.transport.sends import clear_buttons
from flows.answers import Answer, ChoiceAnswer, FileAnswer
from flows.bulk import BulkResult, RowError, parse_product_file
from flows.engine import advance, current_step, prompt
from flows.errors import StaleAnswer, ValidationError
from flows.product_step import is_bulk_file
from flows.products import ProductRules
from flows.progress import DRAFT, FlowEnv, Outcome
from flows.proposals import READ
from flows.reuse import fast_forward
from flows.sheets import DEFAULT_LIMITS as SHEET_LIMITS
from flows.steps import N_, InputKind

log = logging.getLogger(__name__)
SANDBOX_LIMITS = SandboxLimits()


def answer_unit(answer: Answer | BulkResult, *, tag: str | None = None) -> Unit[Answered]:
    """The unit of work that applies one answer and renders the next prompt.

    ``tag`` is the application a button was shown for: another one's button is stale.
    """

    def unit(view: SellerView, env: FlowEnv) -> tuple[Write | None, Answered]:
        if tag is not None and tag != tag_of(view.application_id):
            raise StaleAnswer(tag)
        return applied(view, env, fast_forward(advance(view.progress, answer, env), env))

    return unit


async def apply_answer(
    update: Update, context: BotContext, answer: Answer | BulkResult, *, tag: str | None = None
) -> bool:
    """Apply an answer for the update's sender and reply; False for a redelivered update.

    A submission's notice to its reviewers was queued with it (``bot.sellers.store``)."""
    done = await run_and_send(update, context, answer_unit(answer, tag=tag))
    if done is None:
        return False
    result, sent = done
    if READ in result.value.actions:
        await start_reading(update, context, result, sent)
    return True


async def apply_text(
    update: Update, context: BotContext, text: str, *, forced: bool = False
) -> Result[Answered] | None:
    """Apply typed text for the update's sender (``bot.sellers.asking``).

    An answer is replied to here. A question is returned unsent: the caller answers it,
    then sends the result, which shows the step again. None for a redelivered update.
    """
    try:
        result = await run_unit(update, context, text_unit(text, forced=forced))
    except DuplicateUpdate:
        log.info("update %d was delivered again; already applied", update.update_id)
        return None
    if result.value.asked is not None:
        return result
    await send(context, chat_of(update), result)
    return result


async def on_photo(update: Update, context: BotContext) -> None:
    """A photo (Telegram's compressed JPEG); the largest size is kept."""
    message = update.effective_message
    if message is None or not message.photo:
        return
    largest = message.photo[-1]
    answer = FileAnswer(
        file_id=largest.file_id,
        file_unique_id=largest.file_unique_id,
        kind="photo",
        mime_type="image/jpeg",
        size=largest.file_size or 0,
        width=largest.width,
        height=largest.height,
        album=message.media_group_id or "",
    )
    await apply_answer(update, context, answer)


async def on_document(update: Update, context: BotContext) -> None:
    """A document: a qualification file, a product image, or a bulk product file."""
    message = update.effective_message
    if message is None or message.document is None:
        return
    answer = _document_answer(message.document, album=message.media_group_id or "")
    rules = await _bulk_rules(update, context) if is_bulk_file(answer) else None
    if rules is not None:
        result = await _parse_bulk(context, answer, rules)
        sent = await run_for_sender(update, context, answer_unit(result))
        if sent is not None and message.chat is not None:
            t = translator(sent.seller.locale, sent.value.currency)
            await send_error_list(context, message.chat.id, result.errors, t)
        return
    await apply_answer(update, context, answer)


def _document_answer(document: Document, *, album: str) -> FileAnswer:
    return FileAnswer(
        album=album,
        file_id=document.file_id,
        file_unique_id=document.file_unique_id,
        kind="document",
        mime_type=document.mime_type or "application/octet-stream",
        size=document.file_size or 0,
        file_name=document.file_name or "",
    )


async def _bulk_rules(update: Update, context: BotContext) -> ProductRules | None:
    """The seller's product rules when a product file is expected now, else None."""

    def peek(view: SellerView, env: FlowEnv) -> tuple[None, ProductRules | None]:
        step = current_step(view.progress)
        at_menu = step is not None and step.kind is InputKind.PRODUCTS
        if not at_menu or DRAFT in view.progress.answers:
            return None, None
        return None, env.products_for(view.progress.track)

    # a peek: the unit applying the file checks and records the delivery
    return (await run_unit(update, context, peek, peek=True)).value


async def _parse_bulk(context: BotContext, answer: FileAnswer, rules: ProductRules) -> BulkResult:
    """Download a product file and parse it in a sandboxed process (``bot/platform/sandbox.py``).

    The declared size refuses early; the download stops at the limit whatever was
    declared; the parse cannot stall or exhaust the bot. Each failure is a file error.
    """
    limit = SHEET_LIMITS.max_bytes
    try:
        if answer.size > limit:
            raise FileTooLarge
        data = await download_capped(context.bot, answer.file_id, max_bytes=limit)
        return await parse_in_sandbox(
            parse_product_file, data, answer.file_name, rules, limits=SANDBOX_LIMITS
        )
    except FileTooLarge:
        return _file_refused(N_("error_bulk_too_large"), max_mb=SHEET_LIMITS.max_mb)
    except DownloadFailed:
        return _file_refused(N_("error_bulk_download_failed"))
    except SandboxError as error:
        log.warning("product file refused by the sandbox: %s", error.reason)
        return _file_refused(_SANDBOX_ERRORS[error.reason])


_SANDBOX_ERRORS = {
    "timeout": N_("error_bulk_too_slow"),
    "memory": N_("error_bulk_too_complex"),
    "crashed": N_("error_bulk_unreadable"),
}


def _file_refused(code: str, **params: object) -> BulkResult:
    return BulkResult(errors=(RowError(0, "", code, params),))


async def on_button(update: Update, context: BotContext) -> None:
    """A tapped answer button; a button of an earlier step changes nothing."""
    tap = await checked_tap(update, context, ANSWER)
    if tap is None:
        return
    step, tag = split_tag(tap.callback.key)
    answer = ChoiceAnswer(step, tap.callback.value)
    try:
        applied = await apply_answer(update, context, answer, tag=tag)
    except StaleAnswer:
        applied = False
    if not applied:  # an earlier step's button, or a tap another worker already applied
        await stale(tap.query, context)
        return
    await asyncio.gather(tap.query.answer(), _clear_buttons(context, tap))


async def _clear_buttons(context: BotContext, tap: Tap) -> None:
    """The tapped message's buttons go: its question is answered."""
    with contextlib.suppress(BadRequest):  # the message may be too old to edit
        await clear_buttons(context.bot, tap.chat_id, tap.message_id)


async def on_other(update: Update, context: BotContext) -> None:
    """Stickers, voice notes, locations…: say so, and ask the current question again.

    An empty text (``filters.TEXT`` lets only non-empty text through) is told it is empty.
    """
    message = update.effective_message
    empty = message is not None and message.text is not None
    code = N_("error_empty_answer") if empty else N_("error_unsupported_message")

    def unit(view: SellerView, env: FlowEnv) -> tuple[None, Answered]:
        refused = Outcome(view.progress, error=ValidationError(code))
        now = prompt(view.progress, env)
        return None, answered(env, view.progress, lambda t: outcome_reply(refused, now, env, t))

    await run_for_sender(update, context, unit)
