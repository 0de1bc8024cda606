"""Replies Telegram did not confirm: the current question again, once, when it is back.

With sends hanging for 30 s while a seller answered five times, the answers were saved but
none of the five replies arrived, and after recovery nothing more was said: the seller was
left in silence mid-flow (issue 18, item 7). ``dialog.send`` remembers a chat whose reply
was not confirmed (``dialog.replies_owed``) and forgets it when a later reply is confirmed.
This job, every ``RETRY_SECONDS``, asks each remembered seller the current question,
headed by one sentence saying why; once Telegram confirms it the seller is forgotten (so
they get it once), and a seller whose reply was confirmed meanwhile gets nothing more.
While Telegram still fails, the round stops at the first failure and waits for the next.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram.ext import Application

from bot.sellers.dialog import Answered, answered, replies_owed, send
from bot.sellers.store import seller_store
from bot.sellers.unit import SellerView
from bot.transport.context import BotContext
from bot.transport.render import prompt_reply
from flows.engine import prompt
from flows.progress import FlowEnv

log = logging.getLogger(__name__)
RETRY_SECONDS = 15.0


def _current_question(view: SellerView, env: FlowEnv) -> tuple[None, Answered]:
    now = prompt(view.progress, env)
    return None, answered(
        env, view.progress, lambda t: prompt_reply(now, t, before=[t("reply_asked_again")])
    )


async def ask_again(context: BotContext) -> int:
    """One round: the current question to every seller owed a reply; how many got it."""
    owed = replies_owed(context)
    delivered = 0
    for chat_id, telegram_user_id in list(owed.items()):
        if owed.get(chat_id) != telegram_user_id:
            continue  # answered meanwhile
        result = await seller_store(context).run(
            telegram_user_id=telegram_user_id,
            chat_id=chat_id,
            locale=context.services.settings.default_locale,
            unit=_current_question,
        )
        if await send(context, chat_id, result) is None:
            return delivered  # Telegram still does not confirm: the next round tries again
        delivered += 1
    if delivered:
        log.info("asked %d sellers their current question again", delivered)
    return delivered


def schedule(app: Application) -> None:  # type: ignore[type-arg]
    """Run ``ask_again`` every ``RETRY_SECONDS``."""
    queue: Any = app.job_queue
    if queue is not None:
        queue.run_repeating(ask_again, interval=RETRY_SECONDS, first=RETRY_SECONDS)
