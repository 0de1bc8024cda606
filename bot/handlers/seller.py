"""Seller answers in a private chat: buttons, text, photos, documents."""

from __future__ import annotations

import asyncio
import contextlib

from telegram import CallbackQuery, Document, Update
from telegram.error import BadRequest

from bot.context import BotContext, translator
from bot.handlers.dialog import Answered, answered, outcome_write, run_for_sender, run_unit
from bot.i18n import telegram_locale
from bot.keyboards import unpack
from bot.render import outcome_reply
from bot.sellers import DuplicateUpdate, SellerView, Unit, Write
from bot.tags import split as split_tag
from bot.tags import tag_of
from flows.answers import Answer, ChoiceAnswer, FileAnswer, TextAnswer
from flows.bulk import BulkResult, RowError, parse_product_file
from flows.engine import advance, current_step, prompt
from flows.errors import StaleAnswer, ValidationError
from flows.product_step import is_bulk_file
from flows.products import ProductRules
from flows.progress import DRAFT, FlowEnv, Outcome
from flows.reuse import fast_forward
from flows.steps import InputKind

MAX_BULK_FILE_BYTES = 5 * 1024 * 1024


def answer_unit(answer: Answer | BulkResult, *, tag: str | None = None) -> Unit[Answered]:
    """The unit of work that applies one answer and renders the next prompt.

    ``tag`` is the application a button was shown for: another one's button is stale.
    """

    def unit(view: SellerView, env: FlowEnv) -> tuple[Write | None, Answered]:
        if tag is not None and tag != tag_of(view.application_id):
            raise StaleAnswer(tag)
        outcome = fast_forward(advance(view.progress, answer, env), env)
        next_prompt = prompt(outcome.progress, env)
        return outcome_write(view, outcome), answered(
            env,
            outcome.progress,
            lambda t: outcome_reply(outcome, next_prompt, env, t),
            actions=outcome.actions,
        )

    return unit


async def apply_answer(
    update: Update, context: BotContext, answer: Answer | BulkResult, *, tag: str | None = None
) -> bool:
    """Apply an answer for the update's sender and reply; False for a redelivered update."""
    return await run_for_sender(update, context, answer_unit(answer, tag=tag)) is not None


async def on_text(update: Update, context: BotContext) -> None:
    """Typed text answers the current step."""
    message = update.effective_message
    assert message is not None and message.text is not None
    await apply_answer(update, context, TextAnswer(message.text))


async def on_photo(update: Update, context: BotContext) -> None:
    """A photo (Telegram's compressed JPEG); the largest size is kept."""
    message = update.effective_message
    assert message is not None and message.photo
    largest = message.photo[-1]
    answer = FileAnswer(
        file_id=largest.file_id,
        file_unique_id=largest.file_unique_id,
        kind="photo",
        mime_type="image/jpeg",
        size=largest.file_size or 0,
        width=largest.width,
        height=largest.height,
    )
    await apply_answer(update, context, answer)


async def on_document(update: Update, context: BotContext) -> None:
    """A document: a qualification file, a product image, or a bulk product file."""
    message = update.effective_message
    assert message is not None and message.document is not None
    answer = _document_answer(message.document)
    rules = await _bulk_rules(update, context) if is_bulk_file(answer) else None
    if rules is not None:
        await apply_answer(update, context, await _parse_bulk(context, answer, rules))
        return
    await apply_answer(update, context, answer)


def _document_answer(document: Document) -> FileAnswer:
    return FileAnswer(
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

    try:
        return (await run_unit(update, context, peek)).value
    except DuplicateUpdate:
        return None  # applying it will say nothing either


async def _parse_bulk(context: BotContext, answer: FileAnswer, rules: ProductRules) -> BulkResult:
    """Download and parse a product file; parsing runs in a worker thread."""
    if answer.size > MAX_BULK_FILE_BYTES:
        too_large = RowError(0, "", "error_bulk_too_large", {"max_mb": MAX_BULK_FILE_BYTES >> 20})
        return BulkResult(products=(), errors=(too_large,))
    file = await context.bot.get_file(answer.file_id)
    data = bytes(await file.download_as_bytearray())
    return await asyncio.to_thread(parse_product_file, data, answer.file_name, rules)


async def on_button(update: Update, context: BotContext) -> None:
    """A tapped answer button; a button of an earlier step changes nothing."""
    query = update.callback_query
    assert query is not None
    callback = unpack(query.data)
    assert callback is not None
    try:
        step, tag = split_tag(callback.key)
        applied = await apply_answer(update, context, ChoiceAnswer(step, callback.value), tag=tag)
    except StaleAnswer:
        applied = False
    if not applied:  # an earlier step's button, or a tap another worker already applied
        await _stale(query, context)
        return
    await query.answer()
    with contextlib.suppress(BadRequest):  # the message may be too old to edit
        await query.edit_message_reply_markup(reply_markup=None)  # its question is answered


async def on_unknown_button(update: Update, context: BotContext) -> None:
    """A button this bot version did not make (or very old): say it is out of date."""
    query = update.callback_query
    assert query is not None
    await _stale(query, context)


async def _stale(query: CallbackQuery, context: BotContext) -> None:
    locale = telegram_locale(
        query.from_user.language_code, default=context.services.settings.default_locale
    )
    t = translator(locale)
    with contextlib.suppress(BadRequest):  # a redelivered query may be answered already
        await query.answer(t("notice_stale_button"))


async def on_other(update: Update, context: BotContext) -> None:
    """Stickers, voice notes, locations…: say so, and ask the current question again."""

    def unit(view: SellerView, env: FlowEnv) -> tuple[None, Answered]:
        refused = Outcome(view.progress, error=ValidationError("error_unsupported_message"))
        now = prompt(view.progress, env)
        return None, answered(env, view.progress, lambda t: outcome_reply(refused, now, env, t))

    await run_for_sender(update, context, unit)
