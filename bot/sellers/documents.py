"""A licence or KTP photo sent first: read it in the sandbox and offer what it says.

The flow keeps the photo for its own step and marks the outcome ``READ``
(``flows.proposals``); the seller at once gets "📄 Photo received. Reading it…", and a
task (not the update's handler: a reading takes seconds, and the seller's lock stripe
must not wait on it) downloads the photo, reads it through ``bot.documents.reader`` (a
child forked from a warm sandboxed process that loaded the model once, at most
``DOCUMENT_READINGS`` at once) and runs a second unit of work
on the seller as they are by then: the offer is stored (``PROPOSAL``) only if that photo
is still the one kept and the seller is still on a step it answers. The "reading…"
message is then edited into the offer with its "✅ Use these" button, or into one line
saying nothing usable was read, each followed by the question the seller is on. A tap on
the button is an ordinary answer (``answers.on_button`` → ``flows.engine``).
"""

from __future__ import annotations

import contextlib
import logging
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatAction
from telegram.error import BadRequest, TelegramError

from bot.db.uploads import is_file
from bot.documents.images import MAX_BYTES
from bot.documents.reader import Reading, read, warm_readers
from bot.platform.i18n import Translator
from bot.platform.warm_sandbox import WarmSandbox
from bot.sellers.dialog import Answered, addressed, answered, chat_of, run_unit, send
from bot.sellers.tags import tagged
from bot.sellers.unit import Result, SellerView, Write
from bot.transport.context import BotContext
from bot.transport.downloads import DownloadFailed, FileTooLarge, download_capped
from bot.transport.keyboards import ANSWER, pack
from bot.transport.render import Reply, prompt_reply
from bot.transport.sends import Sent
from flows.documents import DocumentKind
from flows.engine import prompt
from flows.progress import FlowEnv, Progress
from flows.proposals import (
    PROPOSAL,
    ahead,
    document_step,
    labelled,
    offer,
    use_value,
    withdraw,
)
from flows.steps import N_, Step
from flows.tracks import TRACKS

__all__ = ["READERS", "readers", "reading_reply", "start_reading"]

log = logging.getLogger(__name__)
READERS = "document_readers"
"""The key of the warm readers in ``bot_data`` (``DOCUMENT_READINGS`` of them; ``bot.app``
closes them at shutdown)."""

_REFUSED = {
    "too_large": N_("error_document_too_large"),
    "too_many_pixels": N_("error_document_too_many_pixels"),
    "not_an_image": N_("error_document_not_an_image"),
}


def reading_reply(t: Translator) -> Reply:
    """What the seller sees while the photo is read (edited once it is)."""
    return Reply(t("notice_document_reading"))


async def start_reading(
    update: Update, context: BotContext, result: Result[Answered], sent: Sent | None
) -> None:
    """Read the photo the seller just sent ahead, in a task of its own.

    An application that is not running (the offline demo feeds it one update at a time)
    reads it there and then: it would not await a task.
    """
    document = _ahead_document(result.seller.progress)
    if document is None:
        return
    reading = _read_and_offer(
        update, context, document, dict(result.seller.progress.answers[document.id]), sent
    )
    if not context.application.running:
        await reading
        return
    context.application.create_task(reading, update=update, name=f"reading {document.reads}")


def _ahead_document(progress: Progress) -> Step | None:
    if progress.track is None:
        return None
    return next(
        (
            step
            for step in TRACKS[progress.track]
            if step.reads and step.id in ahead(progress) and is_file(progress.answers.get(step.id))
        ),
        None,
    )


async def _read_and_offer(
    update: Update,
    context: BotContext,
    document: Step,
    held: Mapping[str, Any],
    sent: Sent | None,
) -> None:
    chat_id = chat_of(update)
    with contextlib.suppress(TelegramError):
        await context.bot.send_chat_action(chat_id, ChatAction.TYPING)
    reading = await _reading(context, document, held)
    unit = _offer_unit(
        document, str(held.get("file_unique_id", "")), reading, secrets.token_urlsafe(6)
    )
    try:
        result = await run_unit(update, context, unit, follow_up=True)
    except _Erased:
        return
    await _edit_or_send(context, chat_id, sent, result)


async def _reading(context: BotContext, document: Step, held: Mapping[str, Any]) -> Reading:
    """Download and read the photo (or a PDF's first page)."""
    try:
        data = await download_capped(context.bot, str(held["file_id"]), max_bytes=MAX_BYTES)
    except FileTooLarge:
        return Reading(refused="too_large")
    except DownloadFailed:
        return Reading(stopped="download")
    kind: DocumentKind = "licence" if document.reads == "licence" else "ktp"
    return await read(kind, data, readers=readers(context))


def readers(context: BotContext) -> WarmSandbox:
    """The application's warm readers: ``DOCUMENT_READINGS`` at once, at most."""
    pool: WarmSandbox | None = context.application.bot_data.get(READERS)
    if pool is None:
        pool = warm_readers(context.services.settings.document_readings)
        context.application.bot_data[READERS] = pool
    return pool


class _Erased(Exception):
    """The seller is gone (``/delete_me``) by the time the reading is done."""


@dataclass(frozen=True)
class _Offered:
    """The edit's text lines before the question, and the offer's button value if any."""

    lines: tuple[tuple[str, Mapping[str, Any]], ...]
    fields: tuple[tuple[str, str], ...] = ()
    use: str | None = None
    ask: bool = True  # the question again below (not when the seller has moved on)


def _offer_unit(
    document: Step, file_unique_id: str, reading: Reading, nonce: str
) -> Callable[[SellerView, FlowEnv], tuple[Write | None, Answered]]:
    """Store the offer (or drop a refused image) if the photo read is still the one kept."""

    def unit(view: SellerView, env: FlowEnv) -> tuple[Write | None, Answered]:
        if view.is_new:  # erased while the photo was read: not brought back (rolled back)
            raise _Erased
        progress = view.progress
        held: Any = progress.answers.get(document.id)
        kept = is_file(held) and held.get("file_unique_id") == file_unique_id
        if not kept or document_step(progress, env) != document:  # the seller moved on
            moved_on = _Offered(((N_("notice_document_saved"), {}),), ask=False)
            return None, _answer(env, progress, moved_on)
        if reading.refused in _REFUSED:  # not a photo we read: not kept for the step either
            dropped = progress.copy()
            withdraw(dropped, document.id)
            said = _Offered(((_REFUSED[reading.refused], {"max_mb": MAX_BYTES // 2**20}),))
            return Write(progress=dropped), _answer(env, dropped, said)
        fields = offer(progress, reading.proposal.fields if reading.proposal else {}, env)
        if not fields:
            return None, _answer(env, progress, _Offered(((N_("notice_document_unread"), {}),)))
        offered = progress.copy()
        stored = {"id": nonce, "fields": fields}
        offered.answers[PROPOSAL] = stored
        said = _Offered(
            ((N_("offer_heading"), {}),),
            tuple(labelled(progress.track, fields)),
            use_value(stored),
        )
        return Write(progress=offered), _answer(env, offered, said)

    return unit


def _answer(env: FlowEnv, progress: Progress, said: _Offered) -> Answered:
    now = prompt(progress, env)
    question = replace(now, tips=())  # "or send a photo" is answered already

    def reply(t: Translator) -> Reply:
        lines = [t(msgid, params) for msgid, params in said.lines]
        if said.fields:
            read = (
                t("offer_field", {"label": t(label), "value": value})
                for label, value in said.fields
            )
            lines[-1] += "\n" + "\n".join(read)
            lines.append(t("offer_use_or_type"))
        if not said.ask:
            return Reply("\n\n".join(lines))
        text = prompt_reply(question, t, before=["\n\n".join(lines)])
        if said.use is None:
            return text
        button = InlineKeyboardButton(
            t("button_use_offer"), callback_data=pack(ANSWER, question.key, said.use)
        )
        rows = list(text.keyboard.inline_keyboard) if text.keyboard else []
        return Reply(text.text, InlineKeyboardMarkup([[button], *rows]))

    return answered(env, progress, reply)


async def _edit_or_send(
    context: BotContext, chat_id: int, sent: Sent | None, result: Result[Answered]
) -> None:
    """Edit the "reading…" message into the answer; send it anew if that cannot be done."""
    if sent is None:
        await send(context, chat_id, result)
        return
    reply, _ = addressed(result)
    keyboard = tagged(reply.keyboard, result.seller.application_id)
    try:
        await context.bot.edit_message_text(
            reply.text, chat_id=chat_id, message_id=sent.message_id, reply_markup=keyboard
        )
    except BadRequest as error:  # too old to edit, or deleted: say it anew
        log.info("reading message not edited (%s); sending the answer", error.message)
        await send(context, chat_id, result)
