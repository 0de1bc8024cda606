"""Every handler of the bot, in the one order they are tried, and the jobs it schedules.

The order matters: the admins' commands and buttons come before the sellers' catch-alls;
group -1 holds the composer's replies (an admin answering a broadcast prompt). A handler
that is gated to admins gets the sellers' handler for everybody else handed in here
(``admin_command(..., otherwise=...)``), so ``bot.providers`` never imports ``bot.sellers``.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.broadcasts import composer, controls, inputs
from bot.privacy import commands as privacy
from bot.privacy import retention
from bot.providers import admin_commands
from bot.providers import help as admin_help
from bot.providers.access import AdminIdentity
from bot.providers.codes import commands as code_commands
from bot.providers.cohorts import commands as cohort_commands
from bot.providers.cohorts import groups
from bot.providers.gate import AdminHandler, admin_command
from bot.providers.insight import commands as insight_commands
from bot.providers.insight import exports as export_commands
from bot.providers.review import buttons as review_buttons
from bot.providers.review import commands as review_commands
from bot.questions import admin as ticket_admin
from bot.questions import faq_commands, faq_transfer
from bot.questions import group as group_questions
from bot.questions import private as questions
from bot.sellers import answers, application_commands, commands, owed
from bot.transport import buttons, errors, storable
from bot.transport.context import BotContext

PRIVATE = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
"""New messages in private chats; an edited old message must not answer the current step."""
GROUPS = filters.ChatType.GROUPS & filters.UpdateType.MESSAGE
OWN_APPLICATIONS = filters.Regex(r"(?i)^/applications(@\w+)?\s+mine\s*$")
"""``/applications mine``: an admin who is also a seller asks for their own list."""

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
    "broadcast": composer.broadcast,
    "broadcasts": controls.broadcasts,
    "remind": controls.remind,
    "tickets": ticket_admin.tickets,
    "faq": faq_commands.faq_command,
}
"""Admin command → handler; a non-admin gets the sellers' unknown-command reply."""

ADMIN_BUTTONS: tuple[tuple[str, AdminHandler], ...] = (
    (r"^adm_c\|", cohort_commands.on_cohort_button),
    (r"^adm_audit\|", admin_commands.on_audit_page),
    (r"^adm_faq\|", faq_commands.on_faq_button),
    (r"^adm_r\|", review_buttons.on_review_button),
    (r"^adm_bc\|(co|cy|cont|drop|send|pv|in)\|", composer.on_composer_button),
    (r"^adm_al\|", insight_commands.on_list_button),
    (r"^adm_t\|", ticket_admin.on_ticket_button),
    (r"^adm_bc\|", controls.on_control_button),  # after the composer's own actions
)
"""Callback-data pattern → admin button handler, tried in this order; a non-admin's tap
gets the stale notice."""


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Every handler of the bot, in the order they are tried, and the scheduled jobs."""
    # before anything reads or stores it: what neither database can store (group -2)
    app.add_handler(TypeHandler(Update, storable.refuse_unstorable), group=-2)
    _register_providers(app)
    _register_privacy(app)
    _register_sellers(app)
    app.add_error_handler(errors.on_error)


def _register_providers(app: Application) -> None:  # type: ignore[type-arg]
    """Admin commands and buttons, admin invite links, the composer, the cohort groups."""
    app.add_handler(
        CommandHandler(
            "start", admin_commands.accept_invite, filters=PRIVATE & filters.Regex(r"^/start adm_")
        )
    )
    app.add_handler(  # an admin's /start: the seller's side answers, then the admin's
        CommandHandler(
            "start", admin_command(_admin_start, otherwise=commands.start), filters=PRIVATE
        )
    )
    app.add_handler(
        CommandHandler(
            "help",
            admin_command(admin_help.help_command, otherwise=commands.help_command),
            filters=PRIVATE,
        )
    )
    for name, handler in ADMIN_COMMANDS.items():
        gated = admin_command(handler, otherwise=commands.unknown_command)
        app.add_handler(CommandHandler(name, gated, filters=PRIVATE))
    app.add_handler(  # admins get the provider's list; everybody else their own, unchanged
        CommandHandler(
            "applications",
            admin_command(
                insight_commands.applications, otherwise=application_commands.list_applications
            ),
            filters=PRIVATE & ~OWN_APPLICATIONS,
        )
    )
    app.add_handler(
        MessageHandler(
            PRIVATE & filters.Document.ALL & filters.CaptionRegex(r"^/codes_import(@\w+)?(\s|$)"),
            admin_command(code_commands.codes_import, otherwise=answers.on_document),
        )
    )
    app.add_handler(
        MessageHandler(
            PRIVATE & filters.Document.ALL & filters.CaptionRegex(faq_transfer.IMPORT_CAPTION),
            admin_command(faq_transfer.faq_import, otherwise=answers.on_document),
        )
    )
    app.add_handler(  # a sheet after "/faq <cohort> import", or a seller's product sheet
        MessageHandler(
            PRIVATE & faq_transfer.SHEET_FILES,
            admin_command(_faq_file_or_document, otherwise=answers.on_document),
        )
    )
    for pattern, on_tap in ADMIN_BUTTONS:
        gated = admin_command(on_tap, otherwise=buttons.on_unknown_button)
        app.add_handler(CallbackQueryHandler(gated, pattern=pattern))
    app.add_handler(  # an admin's reply may be the note of a rejection they started
        MessageHandler(
            PRIVATE & filters.TEXT & filters.REPLY & ~filters.COMMAND,
            admin_command(_note_or_answer, otherwise=questions.on_text),
        )
    )
    # replies to the composer's prompts, before every other handler (group -1)
    app.add_handler(MessageHandler(PRIVATE & filters.REPLY, inputs.on_reply), group=-1)
    controls.schedule_jobs(app)
    app.add_handler(CommandHandler("link", groups.link, filters=GROUPS))
    app.add_handler(CommandHandler("join", groups.join, filters=GROUPS))
    app.add_handler(  # a question to the bot (mentioned or replied to); else silent
        MessageHandler(GROUPS & filters.TEXT & ~filters.COMMAND, group_questions.on_group_text)
    )
    app.add_handler(CallbackQueryHandler(groups.on_link_button, pattern=r"^adm_g\|"))
    app.add_handler(
        MessageHandler(filters.StatusUpdate.MIGRATE & filters.ChatType.GROUPS, groups.on_migrate)
    )
    app.add_handler(ChatMemberHandler(groups.on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER))


def _register_privacy(app: Application) -> None:  # type: ignore[type-arg]
    """The sellers' data-rights commands and the daily retention job."""
    app.add_handler(CommandHandler("mydata", privacy.my_data, filters=PRIVATE))
    app.add_handler(CommandHandler("delete_me", privacy.delete_me, filters=PRIVATE))
    app.add_handler(CallbackQueryHandler(privacy.on_erase, pattern=rf"^{privacy.ERASE}\|"))
    retention.schedule(app)


def _register_sellers(app: Application) -> None:  # type: ignore[type-arg]
    """The seller's commands, buttons and answers, ending with the catch-alls."""
    app.add_handler(CallbackQueryHandler(commands.on_continue, pattern=r"^bc\|go\|"))
    app.add_handler(CommandHandler("start", commands.start, filters=PRIVATE))
    app.add_handler(CommandHandler("status", commands.status, filters=PRIVATE))
    app.add_handler(CommandHandler("back", commands.back, filters=PRIVATE))
    app.add_handler(CommandHandler("restart", commands.restart, filters=PRIVATE))
    app.add_handler(CommandHandler("language", commands.language, filters=PRIVATE))
    app.add_handler(CommandHandler("help", commands.help_command, filters=PRIVATE))
    app.add_handler(CommandHandler("new", application_commands.new, filters=PRIVATE))
    app.add_handler(
        CommandHandler("applications", application_commands.list_applications, filters=PRIVATE)
    )
    app.add_handler(CallbackQueryHandler(commands.on_language, pattern=r"^lang\|"))
    app.add_handler(CallbackQueryHandler(commands.on_restart, pattern=r"^restart\|"))
    app.add_handler(CallbackQueryHandler(application_commands.on_new, pattern=r"^new\|"))
    app.add_handler(CallbackQueryHandler(application_commands.on_switch, pattern=r"^app\|"))
    app.add_handler(CallbackQueryHandler(answers.on_button, pattern=r"^a\|"))
    app.add_handler(CallbackQueryHandler(questions.on_button, pattern=r"^q\|"))
    app.add_handler(CallbackQueryHandler(buttons.on_unknown_button))
    app.add_handler(CommandHandler("ask", questions.ask, filters=PRIVATE))
    app.add_handler(MessageHandler(PRIVATE & filters.COMMAND, commands.unknown_command))
    app.add_handler(MessageHandler(PRIVATE & filters.TEXT, questions.on_text))
    app.add_handler(MessageHandler(PRIVATE & filters.PHOTO, answers.on_photo))
    app.add_handler(MessageHandler(PRIVATE & filters.Document.ALL, answers.on_document))
    app.add_handler(MessageHandler(PRIVATE & ~filters.StatusUpdate.ALL, answers.on_other))
    owed.schedule(app)


async def _admin_start(update: Update, context: BotContext, admin: AdminIdentity) -> None:
    """An admin may be a seller too: their application first, then their admin side."""
    await commands.start(update, context)
    await admin_help.greet(update, context, admin)


async def _note_or_answer(update: Update, context: BotContext, admin: AdminIdentity) -> None:
    """A rejection note, an answer to a seller's ticket, or (an admin who is also a
    seller) an ordinary answer."""
    if await review_buttons.on_note(update, context, admin):
        return
    if not await ticket_admin.on_reply(update, context, admin):
        await questions.on_text(update, context)


async def _faq_file_or_document(update: Update, context: BotContext, admin: AdminIdentity) -> None:
    """A FAQ file after the import prompt, or (an admin who is also a seller) a document."""
    if not await faq_transfer.faq_import_after_prompt(update, context, admin):
        await answers.on_document(update, context)
