"""Running the bot for real: logging, migrations, then polling or a webhook.

Start-up waits (with backoff, and says so) for the database and for Telegram, so a bot
started alongside its database in compose or Kubernetes does not crash-loop; one that
never comes is one line naming it (``bot.platform.startup``). SIGTERM and
SIGINT stop the HTTP server; PTB then finishes the updates in hand, the job queue stops,
and the process exits 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Iterator
from urllib.parse import urlsplit

import uvicorn
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from telegram import Update
from telegram.error import InvalidToken, NetworkError, TimedOut

from bot.app import build_application, metrics_collectors, on_shutdown, on_startup
from bot.db.engine import make_engine, make_sqlite_folder, sqlite_file, unwritable_sqlite
from bot.db.revision import HEAD, stored_revision
from bot.desk.web import desk_routes
from bot.outbox.service import OutboxService
from bot.platform import heap
from bot.platform.logs import configure_logging
from bot.platform.settings import Settings, SettingsError
from bot.platform.startup import Schedule, bound_database_attempts, database_name, reach, retrying
from bot.transport.web import make_web_app, webhook_secret

__all__ = ["retrying", "run", "serve", "start_database"]
log = logging.getLogger(__name__)


def schedule(settings: Settings) -> Schedule:
    """The start-up retry schedule the settings ask for."""
    return Schedule(tries=settings.startup_tries, max_wait=settings.startup_max_wait)


async def start_database(settings: Settings, engine: Engine, revision: str = "head") -> None:
    """Migrate, waiting for PostgreSQL; ``ServiceUnreachable`` when it never answers,
    ``SqliteLocationError`` at once when a SQLite file cannot be created or written."""
    bound_database_attempts()
    if sqlite_file(engine) is not None:  # no server to wait for: the file system answers now
        try:
            await asyncio.to_thread(_migrate, engine, revision)
        except OperationalError as error:
            raise unwritable_sqlite(engine, str(error.orig).split("\n", 1)[0]) from None
        return
    service, url = database_name(settings.database_url)
    await reach(
        service,
        url,
        lambda: asyncio.to_thread(_migrate, engine, revision),
        retry_on=(OperationalError,),
        schedule=schedule(settings),
        hint="Check DATABASE_URL and that the database server is running.",
    )


def _migrate(engine: Engine, revision: str) -> None:
    """Upgrade to ``revision``; a database already at the newest one needs no Alembic."""
    make_sqlite_folder(engine)
    if revision == "head" and stored_revision(engine) == HEAD:
        return
    from bot.db.migrate import upgrade

    upgrade(engine, revision)


class _Server(uvicorn.Server):
    """uvicorn's server without its signal handling: after a SIGTERM/SIGINT, uvicorn
    re-raises the signal once it has shut down (``capture_signals``), which kills the
    process (exit 143) before PTB stops; ``serve`` handles the signals instead."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def serve(settings: Settings) -> None:
    """Serve until a stop signal; the event loop's only long-running job."""
    token = settings.token
    engine = make_engine(settings.database_url)
    await start_database(settings, engine)
    log.info("database migrated to revision %s", stored_revision(engine))
    app = build_application(settings, engine=engine)
    try:
        await reach(
            "Telegram",
            f"{settings.bot_api_url.rstrip('/')}/bot<token>/getMe",
            app.initialize,
            retry_on=(NetworkError, TimedOut),
            schedule=schedule(settings),
            hint="Check the network (a proxy or firewall?) and BOT_API_URL.",
        )
    except InvalidToken:
        raise SettingsError(
            "BOT_TOKEN was refused by Telegram (unauthorized): copy the current token from "
            "@BotFather (/mybots → API Token)."
        ) from None
    await on_startup(app)
    outbox = OutboxService(app, engine)
    webhook_path = urlsplit(settings.webhook_url).path or "/" if settings.webhook_url else None
    configured = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    secret = webhook_secret(token, configured) if webhook_path else None
    metrics_token = settings.metrics_token.get_secret_value() if settings.metrics_token else None
    web = make_web_app(
        app,
        engine,
        webhook_path=webhook_path,
        secret=secret,
        metrics_token=metrics_token,
        collectors=metrics_collectors(app.bot_data["services"].db),
        checks={"outbox": outbox.ready},
        mounted=desk_routes(settings, app.bot_data["services"].db, app.bot),
    )
    server = _Server(
        uvicorn.Config(
            web,
            host=settings.listen_host,
            port=settings.listen_port,
            log_level="warning",
            access_log=False,
            lifespan="off",
        )
    )
    loop = asyncio.get_running_loop()
    for stop_signal in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(stop_signal, setattr, server, "should_exit", True)
    try:
        if settings.webhook_url:
            await app.bot.set_webhook(
                settings.webhook_url, secret_token=secret, allowed_updates=Update.ALL_TYPES
            )
            log.info("webhook mode on port %d", settings.listen_port)
        else:
            assert app.updater is not None
            await app.updater.start_polling(allowed_updates=Update.ALL_TYPES)
            log.info("polling mode; health checks on port %d", settings.listen_port)
        await app.start()
        if settings.outbox_enabled:
            outbox.start()
        heap.settle()
        await server.serve()  # returns on SIGTERM / SIGINT
        log.info("stopping: finishing the updates in hand")
    finally:
        await outbox.stop()
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await on_shutdown(app)
        await app.shutdown()
        engine.dispose()


def run(settings: Settings) -> int:
    """Configure logging, then serve; returns the process exit code."""
    settings.token  # noqa: B018  (fail fast, with a one-line reason, on a bad token)
    configure_logging(level=settings.log_level, fmt=settings.log_format)
    if settings.sentry_dsn is not None and settings.sentry_dsn.get_secret_value():
        from bot.platform.sentry_reports import start_sentry  # only then: 170 ms of imports

        start_sentry(
            settings.sentry_dsn.get_secret_value(), environment=settings.sentry_environment
        )
        log.info("error reports go to Sentry")
    asyncio.run(serve(settings))
    log.info("stopped cleanly")
    return 0
