"""What every handler can reach: the services, through a typed ``CallbackContext``."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from telegram.ext import CallbackContext, ExtBot

from bot.db.units import Database
from bot.i18n import Translator
from bot.sellers import SellerStore
from bot.settings import Settings


@dataclass
class Services:
    """Long-lived objects the handlers use; built once in ``bot.app``."""

    settings: Settings
    sellers: SellerStore
    db: Database


class BotContext(CallbackContext[ExtBot[None], dict, dict, dict]):  # type: ignore[type-arg]
    """``CallbackContext`` with typed access to the services."""

    @property
    def services(self) -> Services:
        services: Services = self.application.bot_data["services"]
        return services


@cache
def translator(locale: str, currency: str = "GBP") -> Translator:
    """A translator per (locale, currency); catalogs and Babel locales are parsed once."""
    return Translator(locale, currency=currency)
