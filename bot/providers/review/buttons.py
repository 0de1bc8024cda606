"""The review buttons under a notice: approve, reject (pick reasons, or write one), back.

Callback data is ``adm_r|<op>|<application>|<version>|<reasons bitmask>`` (well under
Telegram's 64 bytes); the picked reasons live in the data itself, so nothing is stored
until the rejection is sent. Nothing in it is trusted: ``bot.providers.review.decisions`` re-reads
the application and checks the admin's scope, the version and the mask on every tap.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass

from sqlmodel import Session
from telegram import ForceReply, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from bot.outbox.sender import album_of
from bot.platform.i18n import Translator
from bot.providers.access import ROLE_NAMES, AdminIdentity
from bot.providers.gate import admin_t
from bot.providers.review import decisions as review
from bot.providers.review.cases import Case, load_case
from bot.providers.review.decisions import Decision, Earlier, Verdict, codes_of, offered_mask
from bot.providers.review.notices import REVIEW, Buttons, albums, file_message, review_buttons
from bot.providers.review.verdicts import decide_and_tell_seller
from bot.transport.context import BotContext
from flows.normalize import without_lone_surrogates
from flows.rejections import REASONS, REASONS_BY_CODE
from flows.steps import N_
from flows.tracks import APPROVED

DATA = re.compile(rf"^{REVIEW}\|([axtswbd])\|(\d{{1,10}})\|(\d{{1,6}})\|(\d{{1,5}})$")


@dataclass(frozen=True)
class Tap:
    op: str
    application_id: int
    version: int
    mask: int


def parse(data: str) -> Tap | None:
    """The tap's fields, or None for data this bot did not make."""
    match = DATA.match(data)
    if match is None:
        return None
    op, application, version, mask = match.groups()
    return Tap(op, int(application), int(version), int(mask))


def markup(rows: Buttons) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b["text"], callback_data=b["callback_data"]) for b in row]
         for row in rows]
    )  # fmt: skip


def reason_buttons(case: Case, mask: int, t: Translator) -> Buttons:
    """One toggle per reason offered for the application, then note, send and back."""
    offered = offered_mask(case)
    tail = f"{case.id}|{case.version}"
    rows: Buttons = []
    for index, reason in enumerate(REASONS):
        bit = 1 << index
        if offered & bit:
            mark = "☑️" if mask & bit else "⬜"
            data = f"{REVIEW}|t|{tail}|{mask ^ bit}"
            rows.append([{"text": f"{mark} {t(reason.button)}", "callback_data": data}])
    rows.append([{"text": t("review_button_note"), "callback_data": f"{REVIEW}|w|{tail}|{mask}"}])
    rows.append(
        [
            {"text": t("review_button_back"), "callback_data": f"{REVIEW}|b|{tail}|0"},
            {"text": t("review_button_send"), "callback_data": f"{REVIEW}|s|{tail}|{mask}"},
        ]
    )
    return rows


def verdict_text(decision: Decision, t: Translator) -> str:
    """What the deciding admin is told, whatever happened."""
    if decision.verdict is Verdict.DECIDED:
        assert decision.case is not None
        approved = decision.to_state == APPROVED
        key = N_("review_done_approved") if approved else N_("review_done_rejected")
        return t(key, {"id": decision.case.id})
    if decision.verdict is Verdict.ALREADY_DECIDED:
        assert decision.case is not None
        return earlier_text(decision.case.id, decision.earlier, t)
    if decision.verdict is Verdict.ERASED:
        return t("review_seller_erased")
    if decision.verdict is Verdict.CHANGED:
        return t("review_changed_since")
    if decision.verdict is Verdict.BAD_REASONS:
        return t("review_pick_a_reason")
    return t("review_not_found")


def earlier_text(application_id: int, earlier: Earlier | None, t: Translator) -> str:
    """ "Already rejected by operator 5002 at 09:14 UTC: name, phone. Nothing changed." """
    if earlier is None:  # moved on without an admin's decision (e.g. assigned elsewhere)
        return t("review_not_waiting")
    role = t(ROLE_NAMES[earlier.role]) if earlier.role in ROLE_NAMES else ""
    params = {
        "id": application_id,
        "who": f"{role} {earlier.admin_telegram_id}".strip(),
        "when": earlier.at.strftime("%Y-%m-%d %H:%M UTC"),
        "reasons": reason_names(earlier.reasons, t) or "—",
    }
    if earlier.approved:
        return t("review_already_approved", params)
    return t("review_already_rejected", params)


def reason_names(codes: tuple[str, ...], t: Translator) -> str:
    """Rejection reasons in the admin's language, comma-separated."""
    return ", ".join(t(REASONS_BY_CODE[code].button) for code in codes if code in REASONS_BY_CODE)


async def decide_and_tell(
    update: Update,
    context: BotContext,
    admin: AdminIdentity,
    tap: Tap,
    *,
    approve: bool,
    note: str = "",
    from_note: bool = False,
) -> Decision:
    """Decide (``decide_and_tell_seller``), then tell the admin what happened."""
    decision = await decide_and_tell_seller(
        context.services.db, admin, application_id=tap.application_id, version=tap.version,
        approve=approve, mask=tap.mask, note=note, from_note=from_note,
    )  # fmt: skip
    chat = update.effective_chat
    if chat is not None:
        await context.bot.send_message(chat.id, verdict_text(decision, admin_t(admin)))
    return decision


async def on_review_button(update: Update, context: BotContext, admin: AdminIdentity) -> None:
    """Every ``adm_r|…`` tap of an admin."""
    query = update.callback_query
    if query is None:
        return
    t = admin_t(admin)
    tap = parse(query.data or "")
    if tap is None:
        await query.answer(t("notice_stale_button"))
        return
    if tap.op in ("a", "s"):
        await query.answer()
        decision = await decide_and_tell(update, context, admin, tap, approve=tap.op == "a")
        if decision.verdict is not Verdict.BAD_REASONS:
            with contextlib.suppress(BadRequest):
                await query.edit_message_reply_markup(reply_markup=None)
        return

    def read(session: Session) -> tuple[Case | None, Decision | None]:
        case = load_case(session, admin, tap.application_id)
        if tap.op == "d":  # the files may be fetched whatever became of the application
            return case, None if case is not None else Decision(Verdict.NOT_FOUND)
        return case, review.refusal(session, case, tap.version)

    case, refused = await context.services.db.run(read)
    if refused is not None or case is None:
        await query.answer()
        await context.bot.send_message(
            admin.telegram_user_id, verdict_text(refused or Decision(Verdict.NOT_FOUND), t)
        )
        return
    if tap.mask & ~offered_mask(case):
        await query.answer(t("notice_stale_button"))
        return
    await query.answer()
    if tap.op == "d":
        await resend_files(context, query.from_user.id, case, t)
    elif tap.op == "w":
        await _ask_note(context, admin, tap, t)
    else:
        rows = review_buttons(case, t) if tap.op == "b" else reason_buttons(case, tap.mask, t)
        with contextlib.suppress(BadRequest):  # unchanged markup, or a message too old
            await query.edit_message_reply_markup(reply_markup=markup(rows))


async def _ask_note(context: BotContext, admin: AdminIdentity, tap: Tap, t: Translator) -> None:
    def work(session: Session) -> Case | None:
        return review.start_note(
            session, admin, application_id=tap.application_id, version=tap.version, mask=tap.mask
        )

    case = await context.services.db.run(work)
    if case is None:
        await context.bot.send_message(admin.telegram_user_id, t("review_changed_since"))
        return
    picked = reason_names(codes_of(tap.mask), t) or "—"
    await context.bot.send_message(
        admin.telegram_user_id,
        t("review_note_ask", {"id": case.id, "reasons": picked}),
        reply_markup=ForceReply(selective=True),
    )


async def resend_files(context: BotContext, chat_id: int, case: Case, t: Translator) -> None:
    """The application's documents and product images again, as albums (a reply)."""
    found = albums(case, t)
    for album in found:
        if len(album) > 1:
            await context.bot.send_media_group(chat_id, album_of(album))
            continue
        message = file_message(chat_id, album, case.id)
        if message.photo_file_id is not None:
            await context.bot.send_photo(chat_id, message.photo_file_id, caption=message.text)
        elif message.document_file_id is not None:
            await context.bot.send_document(chat_id, message.document_file_id, caption=message.text)
    if not found:
        await context.bot.send_message(chat_id, t("review_no_files"))


async def on_note(update: Update, context: BotContext, admin: AdminIdentity) -> bool:
    """An admin's reply that is the note of a rejection they started; False if it is not."""
    message = update.effective_message
    if message is None or not message.text:
        return False
    draft = await context.services.db.run(lambda s: review.pending_note(s, admin))
    if draft is None:
        return False
    tap = Tap("s", draft.application_id, draft.version, draft.reasons)
    await decide_and_tell(
        update,
        context,
        admin,
        tap,
        approve=False,
        note=without_lone_surrogates(message.text),
        from_note=True,
    )
    return True
