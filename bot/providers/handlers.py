"""The providers' handlers, in the order they are tried (before the sellers' catch-alls)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.context import BotContext
from bot.handlers import applications as seller_applications
from bot.handlers import buttons, commands, seller
from bot.providers import (
    admin_commands,
    broadcast_admin,
    broadcast_commands,
    broadcast_input,
    code_commands,
    cohort_commands,
    export_commands,
    group_chats,
    insight_commands,
    review_buttons,
    review_commands,
)
from bot.providers.access import AdminIdentity
from bot.providers.gate import AdminHandler, admin_command

PRIVATE = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
GROUPS = filters.ChatType.GROUPS & filters.UpdateType.MESSAGE

ADMIN_COMMANDS = {
    "provider_new": admin_commands.provider_new,
    "admin_invite": admin_commands.admin_invite,
    "admins": admin_commands.admins,
    "admin_remove": admin_commands.admin_remove,
    "audit": admin_commands.audit_log,
    "cohorts": cohort_commands.cohort_list,
    "cohort_new": cohort_commands.cohort_new,
    "cohort": cohort_commands.cohort_show,
    "cohort_rule": cohort_commands.cohort_rule,
    "codes": code_commands.codes_command,
    "queue": review_commands.queue,
    "application": review_commands.application,
    "assign": review_commands.assign,
    "export": export_commands.export_command,
    "documents": export_commands.documents_command,
    "stats": insight_commands.stats,
    "flow": insight_commands.flow,
    "broadcast": broadcast_commands.broadcast,
    "broadcasts": broadcast_admin.broadcasts,
    "remind": broadcast_admin.remind,
}
"""Admin command → handler; a non-admin gets the sellers' unknown-command reply."""

ADMIN_BUTTONS: tuple[tuple[str, AdminHandler], ...] = (
    (r"^adm_c\|", cohort_commands.on_cohort_button),
    (r"^adm_audit\|", admin_commands.on_audit_page),
    (r"^adm_r\|", review_buttons.on_review_button),
    (r"^adm_bc\|(co|cy|cont|drop|send|pv|in)\|", broadcast_commands.on_composer_button),
    (r"^adm_al\|", insight_commands.on_list_button),
    (r"^adm_bc\|", broadcast_admin.on_control_button),  # after the composer's own actions
)
"""Callback-data pattern → admin button handler, tried in this order; a non-admin's tap
gets the stale notice."""


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Admin commands and buttons, admin invite links, and the cohort groups."""
    app.add_handler(
        CommandHandler(
            "start", admin_commands.accept_invite, filters=PRIVATE & filters.Regex(r"^/start adm_")
        )
    )
    for name, handler in ADMIN_COMMANDS.items():
        gated = admin_command(handler, otherwise=commands.unknown_command)
        app.add_handler(CommandHandler(name, gated, filters=PRIVATE))
    app.add_handler(  # admins get the provider's list; everybody else their own, unchanged
        CommandHandler(
            "applications",
            admin_command(
                insight_commands.applications, otherwise=seller_applications.list_applications
            ),
            filters=PRIVATE,
        )
    )
    app.add_handler(
        MessageHandler(
            PRIVATE & filters.Document.ALL & filters.CaptionRegex(r"^/codes_import(@\w+)?(\s|$)"),
            admin_command(code_commands.codes_import, otherwise=seller.on_document),
        )
    )
    for pattern, on_tap in ADMIN_BUTTONS:
        gated = admin_command(on_tap, otherwise=buttons.on_unknown_button)
        app.add_handler(CallbackQueryHandler(gated, pattern=pattern))
    app.add_handler(  # an admin's reply may be the note of a rejection they started
        MessageHandler(
            PRIVATE & filters.TEXT & filters.REPLY & ~filters.COMMAND,
            admin_command(_note_or_answer, otherwise=seller.on_text),
        )
    )
    app.add_handler(CallbackQueryHandler(broadcast_admin.on_continue, pattern=r"^bc\|go\|"))
    # replies to the composer's prompts, before every other handler (group -1)
    app.add_handler(MessageHandler(PRIVATE & filters.REPLY, broadcast_input.on_reply), group=-1)
    broadcast_admin.schedule_jobs(app)
    app.add_handler(CommandHandler("link", group_chats.link, filters=GROUPS))
    app.add_handler(CommandHandler("join", group_chats.join, filters=GROUPS))
    app.add_handler(CallbackQueryHandler(group_chats.on_link_button, pattern=r"^adm_g\|"))
    app.add_handler(
        MessageHandler(
            filters.StatusUpdate.MIGRATE & filters.ChatType.GROUPS, group_chats.on_migrate
        )
    )
    app.add_handler(
        ChatMemberHandler(group_chats.on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER)
    )


async def _note_or_answer(update: Update, context: BotContext, admin: AdminIdentity) -> None:
    """A rejection note, or (an admin who is also a seller) an ordinary answer."""
    if not await review_buttons.on_note(update, context, admin):
        await seller.on_text(update, context)
