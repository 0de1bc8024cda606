"""Telegram handlers, registered in one ordered list by ``register``."""

from __future__ import annotations

from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.handlers import applications, buttons, commands, errors, seller

PRIVATE = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
"""New messages in private chats; an edited old message must not answer the current step."""


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Every handler of the bot, in the order they are tried."""
    from bot.privacy import handlers as privacy
    from bot.providers import handlers as providers  # imports this package's modules

    providers.register(app)
    privacy.register(app)
    app.add_handler(CommandHandler("start", commands.start, filters=PRIVATE))
    app.add_handler(CommandHandler("status", commands.status, filters=PRIVATE))
    app.add_handler(CommandHandler("back", commands.back, filters=PRIVATE))
    app.add_handler(CommandHandler("restart", commands.restart, filters=PRIVATE))
    app.add_handler(CommandHandler("language", commands.language, filters=PRIVATE))
    app.add_handler(CommandHandler("help", commands.help_command, filters=PRIVATE))
    app.add_handler(CommandHandler("new", applications.new, filters=PRIVATE))
    app.add_handler(CommandHandler("applications", applications.list_applications, filters=PRIVATE))
    app.add_handler(CallbackQueryHandler(commands.on_language, pattern=r"^lang\|"))
    app.add_handler(CallbackQueryHandler(commands.on_restart, pattern=r"^restart\|"))
    app.add_handler(CallbackQueryHandler(applications.on_new, pattern=r"^new\|"))
    app.add_handler(CallbackQueryHandler(applications.on_switch, pattern=r"^app\|"))
    app.add_handler(CallbackQueryHandler(seller.on_button, pattern=r"^a\|"))
    app.add_handler(CallbackQueryHandler(buttons.on_unknown_button))
    app.add_handler(MessageHandler(PRIVATE & filters.COMMAND, commands.unknown_command))
    app.add_handler(MessageHandler(PRIVATE & filters.TEXT, seller.on_text))
    app.add_handler(MessageHandler(PRIVATE & filters.PHOTO, seller.on_photo))
    app.add_handler(MessageHandler(PRIVATE & filters.Document.ALL, seller.on_document))
    app.add_handler(MessageHandler(PRIVATE & ~filters.StatusUpdate.ALL, seller.on_other))
    app.add_error_handler(errors.on_error)
