"""Admins answer sellers' questions: by replying to a ticket, or from ``/tickets``.

A ticket reaches an admin through the outbox; the delivered message is stored with its
ticket, so a reply to it finds the ticket by the message replied to. ``/tickets`` lists
what waits and sends the one picked the same way. The answer goes to the seller's chat
as a reply to their question. Every call re-reads the acting admin's scope: another
provider's ticket, or forged callback data, reads as no ticket.
"""

from __future__ import annotations

import asyncio
import contextlib

from telegram import ReplyParameters, Update
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.outbox import store as outbox
from bot.providers.access import AdminIdentity
from bot.providers.gate import admin_t
from bot.providers.replies import button_fields, reply
from bot.questions import store
from bot.questions.store import TicketView
from bot.questions.texts import listing, notice
from bot.transport.context import BotContext, translator
from flows.steps import N_


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
    """``adm_t|v|<ticket>``: send me this ticket to reply to; ``adm_t|c|<ticket>``: close."""
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
    found = await context.services.db.run(
        lambda session: store.for_admin(session, admin=admin, ticket_id=ticket_id)
    )
    if action != "v" or found is None or found.state == store.CLOSED:
        await query.answer(t(N_("ticket_not_found")))
        return
    engine = context.services.db.engine
    message = notice(found, admin.telegram_user_id, t)
    await asyncio.to_thread(outbox.enqueue, engine, [message], kind="notification")
    await query.answer(t(N_("ticket_coming")))


async def on_reply(update: Update, context: BotContext, admin: AdminIdentity) -> bool:
    """An admin's reply to a ticket's message answers it; False for any other reply."""
    message = update.effective_message
    replied = message.reply_to_message if message is not None else None
    if message is None or message.text is None or replied is None:
        return False
    chat_id = message.chat.id
    found = await context.services.db.run(
        lambda session: store.replied_to(
            session, admin=admin, chat_id=chat_id, message_id=replied.message_id
        )
    )
    if found is None:
        return False
    await answer_ticket(update, context, admin, found, message.text)
    return True


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
    try:
        await context.bot.send_message(
            ticket.chat_id,
            seller_t(N_("ticket_answer_for_seller"), {"answer": text}),
            reply_parameters=ReplyParameters(ticket.message_id, allow_sending_without_reply=True),
        )
    except Forbidden:
        await reply(update, context, t(N_("ticket_seller_unreachable"), {"id": ticket.id}))
        return
    except TelegramError:
        await reply(update, context, t(N_("ticket_not_delivered"), {"id": ticket.id}))
        return
    await reply(update, context, t(N_("ticket_answer_sent"), {"id": ticket.id}))
