"""``/mydata`` and ``/delete_me`` in a seller's private chat.

``/delete_me`` asks first, with a confirmation bound to its message (``bot.sellers.confirmations``);
the erasure runs in one transaction that holds the seller's lock, so an answer being
saved at the same moment cannot bring the data back.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from sqlmodel import Session
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.error import BadRequest
from telegram.ext import filters

from bot.db import repo
from bot.db.models import utcnow
from bot.platform.i18n import Translator
from bot.privacy import erasure, mydata
from bot.sellers.confirmations import Confirmation
from bot.sellers.dialog import answered, bind_confirmation, chat_of, run_unit, send
from bot.sellers.unit import DuplicateUpdate, SellerView, Write
from bot.transport.buttons import checked_tap, stale
from bot.transport.context import BotContext, translator, user_locale
from bot.transport.keyboards import pack
from bot.transport.render import Reply
from flows.progress import FlowEnv
from flows.steps import N_

ERASE = "erase"
PRIVATE = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE


async def my_data(update: Update, context: BotContext) -> None:
    """A JSON file of everything stored about the seller, and a summary in their language."""
    user = update.effective_user
    assert user is not None
    data = await context.services.db.run(lambda s: mydata.collect(s, telegram_user_id=user.id))
    t = translator(await user_locale(context, user))
    chat_id = chat_of(update)
    if data is None:
        await context.bot.send_message(chat_id, t("mydata_nothing"))
        return
    body = await asyncio.to_thread(mydata.as_json, data)
    await context.bot.send_message(chat_id, mydata.summary(data, t))
    await context.bot.send_document(
        chat_id, InputFile(body, filename="my-data.json"), caption=t("mydata_caption")
    )


def erase_keyboard(nonce: str, t: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t("button_delete_me_yes"), callback_data=pack(ERASE, nonce, "yes")
                ),
                InlineKeyboardButton(t("button_no"), callback_data=pack(ERASE, nonce, "no")),
            ]
        ]
    )


async def delete_me(update: Update, context: BotContext) -> None:
    """Ask before erasing; the buttons answer only this question, once, within 10 minutes."""
    issued = Confirmation.issue(ERASE, now=utcnow())

    def unit(view: SellerView, env: FlowEnv) -> tuple[Write, Any]:
        def ask(t: Translator) -> Reply:
            return Reply(t("ask_delete_me_confirm"), erase_keyboard(issued.nonce, t))

        return Write(confirmation=issued.to_json()), answered(env, view.progress, ask)

    try:
        result = await run_unit(update, context, unit)
    except DuplicateUpdate:
        return
    sent = await send(context, chat_of(update), result)
    if sent is not None:
        await run_unit(
            update, context, bind_confirmation(issued.sent_as(sent.message_id)), follow_up=True
        )


async def on_erase(update: Update, context: BotContext) -> None:
    """Yes: erase now. No: nothing changes. Any other tap: the stale notice."""
    tap = await checked_tap(update, context, ERASE)
    if tap is None:
        return
    user_id, now = tap.query.from_user.id, utcnow()
    answer = tap.callback.value

    def work(session: Session) -> tuple[str, str] | None:
        repo.lock_seller(session.connection(), telegram_user_id=user_id)
        seller = repo.get_seller(session, telegram_user_id=user_id)
        if seller is None or answer not in ("yes", "no"):
            return None
        pending = Confirmation.from_json(seller.pending_confirmation)
        if pending is None or not pending.accepts(
            ERASE, nonce=tap.callback.key, message_id=tap.message_id, now=now
        ):
            return None
        locale = seller.locale
        if answer == "no":
            seller.pending_confirmation = None
            session.add(seller)
            return locale, N_("delete_me_cancelled")
        erasure.erase_seller(session, seller=seller)
        return locale, N_("delete_me_done")

    done = await context.services.db.run(work)
    if done is None:
        await stale(tap.query, context)
        return
    locale, message = done
    await tap.query.answer()
    with contextlib.suppress(BadRequest):
        await tap.query.edit_message_reply_markup(reply_markup=None)
    await context.bot.send_message(tap.chat_id, translator(locale)(message))
