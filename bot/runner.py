"""Running the bot for real: logging, migrations, then polling."""

from __future__ import annotations

import logging

from telegram import Update

from bot.app import build_application
from bot.db.engine import make_engine
from bot.db.migrate import upgrade
from bot.logs import configure_logging
from bot.settings import Settings

log = logging.getLogger(__name__)


def run(settings: Settings) -> int:
    """Migrate the database and serve updates until SIGINT/SIGTERM; returns the exit code."""
    settings.token  # noqa: B018  (fail fast, with a one-line reason, on a bad token)
    configure_logging(level=settings.log_level, fmt=settings.log_format)
    engine = make_engine(settings.database_url)
    upgrade(engine)
    app = build_application(settings, engine=engine)
    log.info("starting in polling mode against %s", settings.bot_api_url)
    app.run_polling(allowed_updates=Update.ALL_TYPES, drop_pending_updates=False)
    engine.dispose()
    return 0
