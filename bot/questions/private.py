"""A seller's question in their private chat: the FAQ first, then a person.

The text is judged an answer or a question inside the seller's transaction
(``bot.sellers.asking``); a question never touches the seller's progress. Here it is
matched against the seller's FAQ (``faq_matcher``) and kept as a ticket: ``asked`` with
the answers shown and "That answers it" / "Ask a person", or ``open`` at once when
nothing answers it, which sends it to the provider's admins through the outbox. Then
the seller's step is shown again, so a question never loses their place; a seller
waiting on a person keeps walking the flow.
"""

from __future__ import annotations

import asyncio
import contextlib

from sqlmodel import Session
from telegram import ReplyParameters, Update
from telegram.error import BadRequest

from bot.outbox import store as outbox
from bot.questions import store
from bot.questions.faq import faq_matcher
from bot.questions.store import OPEN, TicketView
from bot.questions.texts import SELLER, faq_keyboard, faq_reply, notice
from bot.sellers.answers import apply_text
from bot.sellers.asking import ask_next_unit
from bot.sellers.dialog import Answered, chat_of, run_for_sender, send
from bot.sellers.unit import Result
from bot.transport.buttons import checked_tap, stale
from bot.transport.context import BotContext, translator
from flows.steps import N_


async def on_text(update: Update, context: BotContext) -> None:
    """Typed text: an answer to the current step, or a question."""
    message = update.effective_message
    if message is None or message.text is None:  # the handler's filter lets none through
        return
    result = await apply_text(update, context, message.text)
    if result is not None and result.value.asked is not None:
        await answer_question(update, context, result)


async def ask(update: Update, context: BotContext) -> None:
    """``/ask <question>``: a question whatever it says; ``/ask`` alone: the next text is."""
    message = update.effective_message
    text = (message.text or "").partition(" ")[2].strip() if message is not None else ""
    if not text:
        await run_for_sender(update, context, ask_next_unit)
        return
    result = await apply_text(update, context, text, forced=True)
    if result is not None and result.value.asked is not None:
        await answer_question(update, context, result)


async def answer_question(update: Update, context: BotContext, result: Result[Answered]) -> None:
    """The FAQ's answers (or the ticket sent on), then the seller's step again."""
    asked = result.value.asked
    message = update.effective_message
    assert asked is not None and message is not None
    services = context.services
    scope = await services.db.run(
        lambda session: store.scope_of(session, application_id=asked.application_id)
    )
    market = asked.market or scope.market  # empty before a market is chosen: all of them
    matcher = await faq_matcher(services, market, scope.cohort_id)
    matches = matcher.match(asked.text, asked.locale)
    chat_id = chat_of(update)

    def create(session: Session) -> TicketView | None:
        return store.create(
            session,
            telegram_user_id=result.seller.telegram_user_id,
            application_id=asked.application_id,
            scope=scope,
            chat_id=chat_id,
            message_id=message.message_id,
            question=asked.text,
            locale=asked.locale,
            market=market,
            track=asked.track,
            step=asked.step,
            state=store.ASKED if matches else OPEN,
        )

    ticket = await services.db.run(create)
    t = translator(result.seller.locale)
    quoted = ReplyParameters(message.message_id, allow_sending_without_reply=True)
    if ticket is not None and matches:
        await context.bot.send_message(
            chat_id,
            faq_reply(matches, t),
            reply_markup=faq_keyboard(ticket.id, t),
            reply_parameters=quoted,
        )
    elif ticket is not None:
        told = await notify_admins(context, ticket)
        text = t(N_("ticket_sent") if told else N_("ticket_nobody"))
        await context.bot.send_message(chat_id, text, reply_parameters=quoted)
    await send(context, chat_id, result)


async def notify_admins(context: BotContext, ticket: TicketView) -> bool:
    """Send an open ticket to the admins who take tickets; False when there is nobody."""
    settings = context.services.settings
    people = await context.services.db.run(
        lambda session: store.recipients(
            session, ticket, settings.superadmin_ids, settings.default_locale
        )
    )
    if not people:
        return False
    messages = [notice(ticket, chat, translator(locale)) for chat, locale in people]
    engine = context.services.db.engine
    await asyncio.to_thread(outbox.enqueue, engine, messages, kind="notification")
    return True


async def on_button(update: Update, context: BotContext) -> None:
    """ "That answers it" closes the seller's question; "Ask a person" sends it on."""
    tap = await checked_tap(update, context, SELLER)
    if tap is None:
        return
    action, raw = tap.callback.key, tap.callback.value
    if action not in ("ok", "ask") or not raw.isdecimal() or len(raw) > 12:
        await stale(tap.query, context)
        return
    to = OPEN if action == "ask" else store.CLOSED
    ticket = await context.services.db.run(
        lambda session: store.seller_claim(
            session, ticket_id=int(raw), telegram_user_id=tap.query.from_user.id, to=to
        )
    )
    if ticket is None:  # not theirs, or tapped already
        await stale(tap.query, context)
        return
    t = translator(ticket.locale)
    with contextlib.suppress(BadRequest):  # the message may be too old to edit
        await tap.query.edit_message_reply_markup(reply_markup=None)
    if action == "ok":
        await tap.query.answer(t(N_("faq_glad")))
        return
    await tap.query.answer()
    told = await notify_admins(context, ticket)
    await context.bot.send_message(
        tap.chat_id,
        t(N_("ticket_sent") if told else N_("ticket_nobody")),
        reply_parameters=ReplyParameters(ticket.message_id, allow_sending_without_reply=True),
    )
