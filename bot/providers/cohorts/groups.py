"""Cohort groups (对接群): link a group to a cohort, answer ``/join``, follow the group.

In groups the bot stays quiet: it answers ``/link`` (admins) and ``/join`` (anyone) and
says nothing to chat traffic. A group upgraded to a supergroup keeps its link; a bot
removed from the group unlinks it and tells the provider's admins.
"""

from __future__ import annotations

import contextlib
import logging

from sqlmodel import Session, select
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError

from bot.db.models import Admin, Cohort
from bot.providers import audit
from bot.providers.access import AdminIdentity
from bot.providers.cohorts import store as cohorts
from bot.providers.gate import acting_admin, admin_t
from bot.providers.replies import button_fields, deep_link, int_arg, reply
from bot.transport.buttons import stale
from bot.transport.context import BotContext, translator
from bot.transport.keyboards import pack
from flows.steps import N_

log = logging.getLogger(__name__)
GROUP = "adm_g"
LEFT = ("left", "kicked")
WELCOME = N_("group_welcome")


async def link(update: Update, context: BotContext) -> None:
    """``/link`` in a group: an admin picks the cohort with a button; others get nothing."""
    admin = await acting_admin(update, context)
    chat = update.effective_chat
    if admin is None or chat is None:
        return  # quiet in groups: no hint that admin commands exist
    t = admin_t(admin)
    rows = await context.services.db.run(lambda s: cohorts.cohorts_of(s, actor=admin))
    if not rows:
        await reply(update, context, t("cohorts_empty"))
        return
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    f"#{row.id} {row.name}"[:60], callback_data=pack(GROUP, "link", str(row.id))
                )
            ]
            for row in rows[:20]
        ]
    )
    await reply(update, context, t("group_link_choose"), keyboard)


async def on_link_button(update: Update, context: BotContext) -> None:
    """The cohort button under ``/link``: checked again (admin, provider) before linking."""
    query = update.callback_query
    if query is None or query.message is None:
        return
    admin = await acting_admin(update, context)
    _, value = button_fields(query)
    cohort_id = int_arg([value], 0)
    if admin is None or cohort_id is None:
        await stale(query, context)
        return
    t = admin_t(admin)
    chat_id = query.message.chat.id

    def link_it(session: Session) -> Cohort | None:
        def link_group(cohort: Cohort) -> None:
            cohorts.link_group(session, cohort=cohort, chat_id=chat_id)

        return cohorts.change_cohort(
            session, actor=admin, cohort_id=cohort_id, action="group.link", change=link_group
        )

    cohort = await context.services.db.run(link_it)
    if cohort is None:
        await query.answer(t("notice_stale_button"))
        return
    await query.answer()
    with contextlib.suppress(TelegramError):
        await query.edit_message_reply_markup(reply_markup=None)
    await context.bot.send_message(chat_id, _welcome(context, cohort))


def _welcome(context: BotContext, cohort: Cohort) -> str:
    """The group's welcome, in the group's market's languages (a group is mixed)."""
    link = deep_link(context, cohort.join_token)
    locales = ("zh_Hans", "en") if cohort.market == "uk" else ("id", "zh_Hans", "en")
    return "\n\n".join(
        translator(locale)(WELCOME, {"name": cohort.name, "link": link}) for locale in locales
    )


async def join(update: Update, context: BotContext) -> None:
    """``/join`` in a linked group: the cohort's join link; in other groups, nothing."""
    chat = update.effective_chat
    if chat is None:
        return
    chat_id = chat.id
    cohort = await context.services.db.run(lambda s: cohorts.cohort_for_group(s, chat_id=chat_id))
    if cohort is None or cohort.archived:
        return
    await context.bot.send_message(chat.id, _welcome(context, cohort))


async def on_my_chat_member(update: Update, context: BotContext) -> None:
    """The bot was removed from a group: unlink it and tell the cohort's provider's admins."""
    member = update.my_chat_member
    if member is None or member.new_chat_member.status not in LEFT:
        return
    chat_id = member.chat.id

    def unlink(session: Session) -> tuple[Cohort | None, list[Admin]]:
        cohort = cohorts.unlink_group(session, chat_id=chat_id)
        if cohort is None:
            return None, []
        actor = AdminIdentity(member.from_user.id, cohort.provider_id, "telegram", "en")
        audit.record(
            session,
            admin=actor,
            action="group.removed",
            target=f"cohort:{cohort.id}",
            before={"group_chat_id": chat_id},
            after={"group_chat_id": None},
        )
        admins = session.exec(select(Admin).where(Admin.provider_id == cohort.provider_id)).all()
        return cohort, list(admins)

    cohort, admins = await context.services.db.run(unlink)
    if cohort is None:
        return
    for admin in admins:
        t = translator(admin.locale)
        try:
            await context.bot.send_message(
                admin.telegram_user_id, t("group_unlinked", {"name": cohort.name})
            )
        except TelegramError as error:
            log.info(
                "could not tell admin %d of an unlinked group: %s",
                admin.id or 0,
                type(error).__name__,
            )


async def on_migrate(update: Update, context: BotContext) -> None:
    """A group became a supergroup: the cohort's link follows the new chat id."""
    message = update.effective_message
    if message is None or message.migrate_to_chat_id is None:
        return
    old, new = message.chat.id, message.migrate_to_chat_id
    await context.services.db.run(
        lambda s: cohorts.migrate_group(s, old_chat_id=old, new_chat_id=new)
    )
