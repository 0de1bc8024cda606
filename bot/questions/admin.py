"""Admins answer sellers' questions: by replying to a ticket, or from ``/tickets``.

A ticket reaches an admin through the outbox; the delivered message is stored with its
ticket, so a reply to it finds the ticket by the message replied to. ``/tickets`` lists
what waits; the one picked comes as the bot's prompt to type the answer (a ForceReply,
so the admin's next message replies to it), whose ticket is read from its own text. The
answer goes to the seller's chat as a reply to their question. Every call re-reads the
acting admin's scope: another provider's ticket, or forged callback data, reads as none.
An answered ticket of a cohort becomes an entry of that cohort's FAQ with one button
(``adm_t|f|<ticket>``): the seller's question and the latest answer, in the seller's language.
"""

from __future__ import annotations

import contextlib
import re

from sqlmodel import Session
from telegram import (
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyParameters,
    Update,
)
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.db.models import FaqEntry
from bot.providers.access import AdminIdentity
from bot.providers.gate import admin_t
from bot.providers.replies import button_fields, reply
from bot.questions import faq_store, store
from bot.questions.faq_store import FaqRefused, FaqScope, Texts
from bot.questions.faq_transfer import scope_name
from bot.questions.store import TicketView
from bot.questions.texts import ADMIN, listing, notice_text
from bot.transport.context import BotContext, translator
from bot.transport.keyboards import pack
from bot.transport.long_text import split_text
from flows.steps import N_
from flows.tracks import LANGUAGES

TICKET_NUMBER = re.compile(r"#(\d{1,11})\b")


async def tickets(update: Update, context: BotContext, admin: AdminIdentity) -> None:
    """``/tickets``: the questions waiting; ``/tickets on|off``: whether they reach me."""
    t = admin_t(admin)
    switch = (context.args or [""])[0].lower()
    if switch in ("on", "off"):
        on = switch == "on"
        done = await context.services.db.run(
            lambda session: store.set_notify(session, admin=admin, on=on)
        )
        msgid = N_("tickets_on") if on else N_("tickets_off")
        await reply(update, context, t(msgid if done else N_("tickets_no_admin_row")))
        return
    if switch:
        await reply(update, context, t(N_("tickets_usage")))
        return
    found = await context.services.db.run(lambda session: store.waiting(session, admin=admin))
    text, keyboard = listing(found, t)
    await reply(update, context, text, keyboard)


async def on_ticket_button(update: Update, context: BotContext, admin: AdminIdentity) -> None:
    """``adm_t|v|<ticket>``: the ticket with a prompt to type the answer (Telegram makes
    the next message a reply to it); ``adm_t|c|<ticket>``: close it; ``adm_t|f|<ticket>``:
    add the question and its answer to the cohort's FAQ."""
    query = update.callback_query
    if query is None:
        return
    t = admin_t(admin)
    action, raw = button_fields(query)
    ticket_id = int(raw) if raw.isdecimal() and len(raw) < 12 else 0
    if action == "c":
        closed = await context.services.db.run(
            lambda session: store.close(session, admin=admin, ticket_id=ticket_id)
        )
        await query.answer(t(N_("ticket_closed") if closed else N_("ticket_not_found")))
        if closed is not None:
            with contextlib.suppress(BadRequest):
                await query.edit_message_reply_markup(reply_markup=None)
        return
    if action == "f":
        await _to_faq(update, context, admin, ticket_id)
        return
    found = await context.services.db.run(
        lambda session: store.for_admin(session, admin=admin, ticket_id=ticket_id)
    )
    if action != "v" or found is None or found.state == store.CLOSED:
        await query.answer(t(N_("ticket_not_found")))
        return
    await query.answer()
    prompt = ForceReply(input_field_placeholder=t(N_("ticket_answer_placeholder")))
    await context.bot.send_message(
        admin.telegram_user_id, notice_text(found, t), reply_markup=prompt
    )


async def on_reply(update: Update, context: BotContext, admin: AdminIdentity) -> bool:
    """An admin's reply to a ticket's message answers it; False for any other reply."""
    message = update.effective_message
    replied = message.reply_to_message if message is not None else None
    if message is None or message.text is None or replied is None:
        return False
    chat_id = message.chat.id
    prompted = _prompted_ticket(replied, context.bot.id)
    found = await context.services.db.run(
        lambda session: (
            store.replied_to(session, admin=admin, chat_id=chat_id, message_id=replied.message_id)
            or (store.for_admin(session, admin=admin, ticket_id=prompted) if prompted else None)
        )
    )
    if found is None:
        return False
    await answer_ticket(update, context, admin, found, message.text)
    return True


def _prompted_ticket(replied: Message, bot_id: int) -> int | None:
    """The ticket a ``/tickets`` prompt names (the bot's own message, so its text is the
    bot's: ``🙋 … #12 …``); None for any other message."""
    author = replied.from_user
    if author is None or author.id != bot_id or not (replied.text or "").startswith("🙋"):
        return None
    found = TICKET_NUMBER.search(replied.text or "")
    return int(found.group(1)) if found else None


async def answer_ticket(
    update: Update, context: BotContext, admin: AdminIdentity, ticket: TicketView, text: str
) -> None:
    """Claim the ticket (first answer) or follow up, then send the answer to the seller."""
    t = admin_t(admin)
    answering = await context.services.db.run(
        lambda session: store.answer(session, admin=admin, ticket_id=ticket.id, text=text)
    )
    if answering.ticket is None:
        await reply(update, context, t(N_("ticket_not_found")))
        return
    if answering.ticket.state == store.CLOSED:
        await reply(update, context, t(N_("ticket_already_closed"), {"id": ticket.id}))
        return
    seller_t = translator(ticket.locale)
    quoted = ReplyParameters(ticket.message_id, allow_sending_without_reply=True)
    first, *rest = split_text(seller_t(N_("ticket_answer_for_seller"), {"answer": text}))
    try:  # the frame can take an answer of Telegram's full length over the limit
        await context.bot.send_message(ticket.chat_id, first, reply_parameters=quoted)
        for piece in rest:
            await context.bot.send_message(ticket.chat_id, piece)
    except Forbidden:
        await reply(update, context, t(N_("ticket_seller_unreachable"), {"id": ticket.id}))
        return
    except TelegramError:
        await reply(update, context, t(N_("ticket_not_delivered"), {"id": ticket.id}))
        return
    to_faq = None
    if ticket.cohort_id is not None:  # an entry belongs to a cohort (or all of a provider's)
        button = InlineKeyboardButton(
            t(N_("ticket_button_to_faq")), callback_data=pack(ADMIN, "f", str(ticket.id))
        )
        to_faq = InlineKeyboardMarkup([[button]])
    await reply(update, context, t(N_("ticket_answer_sent"), {"id": ticket.id}), to_faq)


async def _to_faq(
    update: Update, context: BotContext, admin: AdminIdentity, ticket_id: int
) -> None:
    """The ticket's question and latest answer as an entry of its cohort's FAQ (the one
    way entries are added, so a second tap finds the same entry and saves nothing)."""
    query = update.callback_query
    assert query is not None
    t = admin_t(admin)

    def save(session: Session) -> tuple[FaqEntry, bool, FaqScope] | None:
        ticket = store.for_admin(session, admin=admin, ticket_id=ticket_id)
        if ticket is None or ticket.cohort_id is None or not ticket.answer:
            return None
        scope = faq_store.scope_of(session, actor=admin, key=str(ticket.cohort_id))
        if scope is None:
            return None
        texts = Texts({ticket.locale: [ticket.question]}, {ticket.locale: ticket.answer})
        row, new = faq_store.add_entry(session, admin=admin, scope=scope, texts=texts)
        return row, new, scope

    try:
        saved = await context.services.db.run(save)
    except FaqRefused as refused:
        await query.answer()
        await reply(update, context, t(refused.code, refused.params))
        return
    if saved is None:
        await query.answer(t(N_("ticket_not_found")))
        return
    row, new, scope = saved
    await query.answer()
    with contextlib.suppress(BadRequest):
        await query.edit_message_reply_markup(reply_markup=None)
    locale = next(iter(row.answers), admin.locale)
    params = {"number": row.id, "scope": scope_name(scope, t), "language": LANGUAGES[locale]}
    await reply(update, context, t(N_("faq_added") if new else N_("faq_already"), params))
