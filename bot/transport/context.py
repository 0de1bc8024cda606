"""What every handler can reach: the shared services, through a typed ``CallbackContext``.

Only what every role shares lives here (settings, the database). A role keeps its own
long-lived objects in ``bot_data`` under its own key and reads them through its own
accessor (``bot.sellers.store.seller_store``), so this module knows no role.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from telegram import User
from telegram.ext import CallbackContext, ExtBot

from bot.db import repo
from bot.db.units import Database
from bot.platform.i18n import Translator, telegram_locale
from bot.platform.settings import Settings


@dataclass
class Services:
    """Long-lived objects every role uses; built once in ``bot.app``."""

    settings: Settings
    db: Database


class BotContext(CallbackContext[ExtBot[None], dict, dict, dict]):  # type: ignore[type-arg]
    """``CallbackContext`` with typed access to the services."""

    @property
    def services(self) -> Services:
        services: Services = self.application.bot_data["services"]
        return services


@cache
def translator(locale: str, currency: str = "GBP") -> Translator:
    """The translator of (locale, currency), made once: catalogs and Babel locales are
    parsed once, and what a translator keeps is the same for every caller."""
    return Translator(locale, currency=currency)


async def user_locale(context: BotContext, user: User | None) -> str:
    """The language the user chose as a seller (a cheap read); Telegram's for a stranger."""
    default = context.services.settings.default_locale
    if user is None:
        return default
    chosen = await context.services.db.run(
        lambda session: repo.chosen_locale(session, telegram_user_id=user.id)
    )
    return chosen or telegram_locale(user.language_code, default=default)
