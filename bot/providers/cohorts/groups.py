"""Cohort groups (对接群): link a group to a cohort, answer ``/join``, follow the group.

In groups the bot stays quiet: it answers ``/link`` (admins) and ``/join`` (anyone) and
says nothing to chat traffic. A group upgraded to a supergroup keeps its link; a bot
removed from the group unlinks it and tells the provider's admins.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass

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
GROUP_ADMINS = ("creator", "administrator")
WELCOME = N_("group_welcome")


async def administers(context: BotContext, chat_id: int, user_id: int) -> bool:
    """Whether Telegram says ``user_id`` created or administers the group. Being an admin
    of the bot is not enough to link a group: its members trust whoever runs it."""
    try:
        member = await context.bot.get_chat_member(chat_id, user_id)
    except TelegramError as error:
        log.info("could not check a group's admins: %s", type(error).__name__)
        return False
    return member.status in GROUP_ADMINS


async def link(update: Update, context: BotContext) -> None:
    """``/link`` (or ``/link@Bot``) in a group: an admin of the bot who also administers
    the group picks the cohort with a button; anybody else gets nothing, or a refusal."""
    admin = await acting_admin(update, context)
    chat, user = update.effective_chat, update.effective_user
    if admin is None or chat is None or user is None:
        return  # quiet in groups: no hint that admin commands exist
    t = admin_t(admin)
    if not await administers(context, chat.id, user.id):
        await reply(update, context, t("group_link_not_group_admin"))
        return
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
    """The cohort button under ``/link``: checked again (admin, provider, the group's own
    admins) before linking; a group taken from another provider's cohort tells them."""
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
    if not await administers(context, chat_id, query.from_user.id):
        await query.answer(t("group_link_not_group_admin"), show_alert=True)
        return
    moved: list[Moved] = []

    def link_it(session: Session) -> Cohort | None:
        def link_group(cohort: Cohort) -> None:
            previous = cohorts.link_group(session, cohort=cohort, chat_id=chat_id)
            if previous is not None and previous.provider_id != cohort.provider_id:
                moved.append(Moved(previous.name, admins_of(session, previous.provider_id)))

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
    for taken in moved:
        await _tell_admins(context, taken.admins, N_("group_moved"), {"name": taken.cohort})


@dataclass(frozen=True)
class Moved:
    """A group that left a cohort of another provider: its name, and whom to tell."""

    cohort: str
    admins: list[tuple[int, str]]


def admins_of(session: Session, provider_id: int) -> list[tuple[int, str]]:
    """(Telegram id, language) of a provider's admins."""
    rows = session.exec(
        select(Admin.telegram_user_id, Admin.locale).where(Admin.provider_id == provider_id)
    ).all()
    return [(user, locale) for user, locale in rows]


async def _tell_admins(
    context: BotContext, admins: list[tuple[int, str]], msgid: str, params: dict[str, str]
) -> None:
    """A notice to each admin in their language; one who blocked the bot is only logged."""
    for user, locale in admins:
        try:
            await context.bot.send_message(user, translator(locale)(msgid, params))
        except TelegramError as error:
            log.info("could not tell an admin about their group: %s", type(error).__name__)


def _welcome(context: BotContext, cohort: Cohort) -> str:
    """The group's welcome: in Indonesian for an Indonesian cohort; a UK group is mixed
    (Chinese cross-border sellers and English-speaking ones)."""
    link = deep_link(context, cohort.join_token)
    locales = ("zh_Hans", "en") if cohort.market == "uk" else ("id",)
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

    def unlink(session: Session) -> tuple[Cohort | None, list[tuple[int, str]]]:
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
        return cohort, admins_of(session, cohort.provider_id)

    cohort, admins = await context.services.db.run(unlink)
    if cohort is not None:
        await _tell_admins(context, admins, N_("group_unlinked"), {"name": cohort.name})


async def on_migrate(update: Update, context: BotContext) -> None:
    """A group became a supergroup: the cohort's link follows the new chat id."""
    message = update.effective_message
    if message is None or message.migrate_to_chat_id is None:
        return
    old, new = message.chat.id, message.migrate_to_chat_id
    await context.services.db.run(
        lambda s: cohorts.migrate_group(s, old_chat_id=old, new_chat_id=new)
    )
