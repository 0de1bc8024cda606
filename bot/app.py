"""Builds the PTB ``Application``: handlers, per-seller ordering, rate limits, services."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from typing import Any

import httpx
from sqlalchemy import Engine
from telegram import BotCommand
from telegram.ext import Application, ApplicationBuilder, ContextTypes
from telegram.request import BaseRequest, HTTPXRequest

from bot import routes
from bot.db import repo
from bot.db.units import Database
from bot.outbox import store as outbox_store
from bot.outbox.limiter import ReplyRateLimiter
from bot.outbox.service import limiter_for
from bot.platform.i18n import LOCALES, Translator
from bot.platform.metrics import CachedCounts, observe_transactions
from bot.platform.settings import Settings
from bot.platform.update_trace import pseudonym_key
from bot.providers.menus import every_admin, restore_admin_menus
from bot.providers.review.notices import review_notices
from bot.sellers.applications import Limits
from bot.sellers.companies_house import CompaniesHouseClient, LookupOutcome
from bot.sellers.documents import READERS
from bot.sellers.store import SELLERS, SellerStore
from bot.sellers.unit import CompanyLookup
from bot.transport.context import BotContext, Services, translator
from bot.transport.ordering import SellerOrderedUpdateProcessor, flood_notice
from bot.transport.retries import RetryingRateLimiter
from bot.transport.tracing import UpdateTracer, name_handlers
from flows.progress import CompanyCheck
from flows.steps import N_

log = logging.getLogger(__name__)

COMMANDS = {
    "start": N_("command_start"),
    "status": N_("command_status"),
    "back": N_("command_back"),
    "restart": N_("command_restart"),
    "language": N_("command_language"),
    "help": N_("command_help"),
    "ask": N_("command_ask"),
    "new": N_("command_new"),
    "applications": N_("command_applications"),
    "mydata": N_("command_mydata"),
    "delete_me": N_("command_delete_me"),
}
"""Command → its description's message id, for the per-language command menu."""
TELEGRAM_LANGUAGE_CODES = {"en": "en", "zh_Hans": "zh", "id": "id"}


def company_lookup(client: CompaniesHouseClient) -> CompanyLookup:
    """Adapt the Companies House client to what the flow needs to know."""

    async def lookup(number: str) -> CompanyCheck:
        found = await client.lookup(number)
        outcome = {
            LookupOutcome.FOUND: "found",
            LookupOutcome.NOT_FOUND: "not_found",
            LookupOutcome.UNAVAILABLE: "unavailable",
        }[found.outcome]
        return CompanyCheck(outcome, name=found.name, status=found.status)

    return lookup


def telegram_requests() -> tuple[BaseRequest, BaseRequest]:
    """PTB's two HTTP clients (Bot API calls, and ``getUpdates``), with PTB's own pool sizes,
    sharing one TLS context: each would otherwise load the CA bundle itself (35 ms of
    start-up apiece, measured)."""
    tls = httpx.create_ssl_context()
    return (
        HTTPXRequest(connection_pool_size=256, httpx_kwargs={"verify": tls}),
        HTTPXRequest(connection_pool_size=1, httpx_kwargs={"verify": tls}),
    )


def build_application(
    settings: Settings,
    *,
    engine: Engine,
    request: BaseRequest | None = None,
    companies_house: CompaniesHouseClient | None = None,
    update_processor: SellerOrderedUpdateProcessor | None = None,
    rate_limiter: RetryingRateLimiter | None = None,
) -> Application:  # type: ignore[type-arg]
    """The bot, ready for a manual start; the caller owns (and disposes) ``engine``."""
    key = settings.companies_house_api_key
    if companies_house is None and key is not None and key.get_secret_value():
        companies_house = CompaniesHouseClient(
            key.get_secret_value(), base_url=settings.companies_house_url
        )
    store = SellerStore(
        engine,
        company_lookup=company_lookup(companies_house) if companies_house else None,
        # the invite-code guessers' key: the same in every worker, secret as the token
        limits=Limits(guess_key=hashlib.sha256(b"guessers:" + settings.token.encode()).digest()),
        notices=review_notices(settings),
    )
    limiter = limiter_for(settings)  # shared with the outbox sender: replies go first
    builder = (
        ApplicationBuilder()
        .token(settings.token)
        .base_url(f"{settings.bot_api_url.rstrip('/')}/bot")
        .base_file_url(f"{settings.bot_api_url.rstrip('/')}/file/bot")
        .context_types(ContextTypes(context=BotContext))
        .concurrent_updates(
            update_processor
            or SellerOrderedUpdateProcessor(
                settings.concurrent_updates,
                stripes=settings.seller_lock_slots,
                tracer=UpdateTracer(pseudonym_key(settings.token)),
            )
        )
        .rate_limiter(
            rate_limiter
            or RetryingRateLimiter(
                settings.rate_limit_per_second, inner=ReplyRateLimiter(limiter, max_retries=0)
            )
        )
    )
    if request is None:
        request, polling = telegram_requests()
    else:
        polling = request  # a test's or benchmark's double answers both
    builder = builder.request(request).get_updates_request(polling)
    app = builder.build()
    processor = app.update_processor
    if isinstance(processor, SellerOrderedUpdateProcessor) and processor.on_flood is None:
        processor.on_flood = flood_notice(app.bot, default_locale=settings.default_locale)
    app.bot_data["services"] = Services(settings=settings, db=Database(engine))
    app.bot_data[SELLERS] = store
    app.bot_data["companies_house"] = companies_house
    app.bot_data["outbox_limiter"] = limiter
    routes.register(app)
    name_handlers(app)
    observe_transactions(engine)
    return app


COUNTS_TTL = 60.0
"""Seconds the database-backed gauges are cached: a scraper every 15 s costs a query a minute."""


def metrics_collectors(db: Database, *, ttl: float = COUNTS_TTL) -> list[CachedCounts]:
    """The ``/metrics`` gauges read from the database: applications by state, the backlog.

    With several workers each reports the same database-wide figures: aggregate them with
    ``max``, not ``sum`` (docs/operations.md#metrics).
    """
    return [
        CachedCounts(
            "bot_applications",
            "Applications by state (the whole database, cached).",
            "state",
            lambda: db.run_sync(repo.application_states),
            ttl,
        ),
        CachedCounts(
            "bot_outbox_backlog",
            "Deliveries pending or being sent, by kind (broadcast, reminder, notification).",
            "kind",
            lambda: outbox_store.backlog(db.engine),
            ttl,
        ),
    ]


async def on_startup(app: Application) -> None:  # type: ignore[type-arg]
    """After ``initialize``: set the command menu in each language (Telegram shows the
    user's own), then every admin's own menu (an owner created by the command line has no
    other moment to get one). Called by the runner; PTB's ``post_init`` would only run
    under ``run_polling``, and the runner manages the lifecycle itself. The menus are
    independent, so they are sent together: one round trip for the languages' menus."""
    menus: dict[str | None, Translator] = {
        TELEGRAM_LANGUAGE_CODES[locale]: translator(locale) for locale in LOCALES
    }
    menus[None] = translator(app.bot_data["services"].settings.default_locale)
    await asyncio.gather(
        *(
            app.bot.set_my_commands(
                [BotCommand(name, t(description)) for name, description in COMMANDS.items()],
                language_code=language_code,
            )
            for language_code, t in menus.items()
        )
    )
    settings: Settings = app.bot_data["services"].settings
    admins = await app.bot_data["services"].db.run(
        lambda session: every_admin(
            session,
            superadmin_ids=settings.superadmin_ids,
            default_locale=settings.default_locale,
        )
    )
    await restore_admin_menus(app.bot, admins, desk_url=settings.desk_url)


async def on_shutdown(app: Application) -> None:  # type: ignore[type-arg]
    """Before ``shutdown``: close the Companies House client's connections and end the
    warm document readers (``sellers.documents``)."""
    for name in ("companies_house", READERS):
        closable: Any = app.bot_data.get(name)
        if closable is not None:
            await closable.aclose()
