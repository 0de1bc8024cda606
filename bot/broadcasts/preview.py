"""The preview: each language's message sent to the admin exactly as recipients get it.

The text passed ``html_check`` when it was typed and passes it again here
(``compose.check_ready``), so Telegram takes it; should Telegram still refuse a message
(a file or a button it will not take), the admin is told why, in their language, and gets
no Send button: never the apology for a bug.
"""

from __future__ import annotations

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.error import BadRequest

from bot.broadcasts import compose
from bot.db.models import BroadcastDraft, utcnow
from bot.outbox import store
from bot.platform.i18n import Translator
from bot.providers.access import AdminIdentity
from bot.providers.gate import admin_t
from bot.transport.context import BotContext
from bot.transport.keyboards import pack
from flows.errors import ValidationError
from flows.tracks import LANGUAGES

ZONE_OF_LOCALE = {"zh_Hans": "Asia/Shanghai", "en": "Europe/London", "id": "Asia/Jakarta"}


def zone_for(admin: AdminIdentity) -> str:
    """The admin's time zone for schedules: the usual one of their language."""
    return ZONE_OF_LOCALE.get(admin.locale, "Europe/London")


async def send_as(bot: Bot, chat_id: int, message: store.Message) -> Message:
    """Send one outbox message directly (the preview), the way the sender does."""
    rows = [
        [
            InlineKeyboardButton(b["text"], url=b.get("url"), callback_data=b.get("callback_data"))
            for b in row
        ]
        for row in message.buttons
    ]
    markup = InlineKeyboardMarkup(rows) if rows else None
    if message.photo_file_id:
        return await bot.send_photo(
            chat_id,
            message.photo_file_id,
            caption=message.text,
            parse_mode=message.parse_mode,
            reply_markup=markup,
        )
    if message.document_file_id:
        return await bot.send_document(
            chat_id,
            message.document_file_id,
            caption=message.text,
            parse_mode=message.parse_mode,
            reply_markup=markup,
        )
    return await bot.send_message(
        chat_id, message.text, parse_mode=message.parse_mode, reply_markup=markup
    )


def language_name(language: str, t: Translator) -> str:
    """A language as its speakers write it ("简体中文"); "all languages" in the admin's."""
    return t("broadcast_all_languages") if language == compose.ALL else LANGUAGES[language]


async def preview(context: BotContext, admin: AdminIdentity, draft: BroadcastDraft) -> None:
    """Per language: a heading, then the message itself; then the count and the choices."""
    t = admin_t(admin)
    try:
        compose.check_ready(draft.spec)
    except ValidationError as error:
        await context.bot.send_message(draft.chat_id, "⚠️ " + t(error.code, error.params))
        return
    spec = draft.spec
    count = await context.services.db.run(
        lambda s: len(compose.recipients(s, admin, spec, utcnow()))
    )
    for language in compose.languages(spec):
        locale = "en" if language == compose.ALL else language
        await context.bot.send_message(
            draft.chat_id, t("broadcast_preview_heading", {"language": language_name(language, t)})
        )
        recipient = compose.Recipient(draft.chat_id, None, locale, group=False)
        try:
            await send_as(context.bot, draft.chat_id, compose.message_for(spec, recipient))
        except BadRequest as error:  # Telegram refused it: so it would for every recipient
            refused = t("broadcast_preview_refused", {"reason": error.message})
            await context.bot.send_message(draft.chat_id, "⚠️ " + refused)
            return  # no Send button under a message Telegram does not take
    value = f"{draft.id}."
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t("button_bc_send"), callback_data=pack("adm_bc", "send", value)
                ),
                InlineKeyboardButton(
                    t("button_bc_schedule"), callback_data=pack("adm_bc", "in", value + "schedule")
                ),
                InlineKeyboardButton(
                    t("button_bc_cancel"), callback_data=pack("adm_bc", "drop", value)
                ),
            ]
        ]
    )
    await context.bot.send_message(
        draft.chat_id, t("broadcast_preview_count", {"count": count}), reply_markup=keyboard
    )
