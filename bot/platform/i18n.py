"""Babel catalogs, loaded once; a translator per update; money and dates per locale.

Message ids are symbolic (``ask_uk_phone``): the ``en`` catalog holds the English
wording like any other language, so every catalog must be complete. Catalogs are
loaded by folder name (``zh_Hans``); Telegram's language codes are mapped explicitly.
``gettext.install`` is never used: the locale is per seller, not per process.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path
from string import Formatter
from typing import Any

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal
from babel.support import Translations

LOCALES_DIR = Path(os.environ.get("LOCALES_DIR") or Path(__file__).resolve().parents[2] / "locales")
"""Compiled catalogs: ``locales/`` of the checkout, or ``LOCALES_DIR`` (set in the image)."""
LOCALES = ("en", "zh_Hans", "id")
DOMAIN = "messages"
FORMAT_LOCALES = {"en": "en_GB", "zh_Hans": "zh_Hans_CN", "id": "id_ID"}
"""Catalog folder → the Babel locale used to format money and dates."""


def Np_(singular: str, plural: str) -> tuple[str, str]:
    """Mark a message with plural forms for extraction (``-k Np_:1,2``)."""
    return singular, plural


PLURALS: Mapping[str, str] = dict(
    [
        Np_("ask_products", "ask_products_plural"),
        Np_("products_added", "products_added_plural"),
        Np_("product_saved", "product_saved_plural"),
        Np_("error_bulk_rows", "error_bulk_rows_plural"),
        Np_("summary_products", "summary_products_plural"),
    ]
)
"""Messages whose wording depends on their ``count`` (or ``total``) parameter."""


MAX_PLAIN = 4096
"""Texts without parameters a translator keeps (the catalogs hold under a thousand ids)."""


class CatalogMissing(RuntimeError):
    """A compiled catalog (.mo) is missing: run the catalogs' compile step."""


def telegram_locale(language_code: str | None, *, default: str) -> str:
    """Map Telegram's ``language_code`` (IETF tag) to a catalog folder name."""
    code = (language_code or "").lower().replace("_", "-")
    if code.startswith("zh"):
        return "zh_Hans"
    if code in ("id", "in") or code.startswith(("id-", "in-")):
        return "id"
    if code.startswith("en"):
        return "en"
    return default


@cache
def catalog(locale: str) -> Translations:
    """The compiled catalog of ``locale``; refuses loudly when it was not compiled."""
    if locale not in LOCALES:
        raise ValueError(f"unknown locale {locale!r}")
    mo = LOCALES_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.mo"
    if not mo.exists():
        raise CatalogMissing(f"{mo} is missing: run `make catalogs` (pybabel compile -d locales)")
    with mo.open("rb") as handle:
        return Translations(handle, domain=DOMAIN)


def require_catalogs() -> None:
    """Load every catalog now, so a process that would talk to people refuses to start
    (one ``CatalogMissing`` line) instead of failing at its first message."""
    for locale in LOCALES:
        catalog(locale)


@lru_cache(maxsize=4096)
def placeholders(text: str) -> frozenset[str]:
    """The ``{name}`` placeholders of a text (parsed once per text: the catalogs' texts are
    few, and parsing was a third of rendering a reply)."""
    return frozenset(name for _, name, _, _ in Formatter().parse(text) if name)


class Translator:
    """Translates and formats messages for one locale (and one currency, for money)."""

    def __init__(self, locale: str, *, currency: str = "GBP") -> None:
        self.locale = locale
        self.currency = currency
        self._catalog = catalog(locale)
        self._plain: dict[str, str] = {}
        """Texts without parameters, by message id, as translated the first time."""

    def __call__(self, msgid: str, params: Mapping[str, Any] | None = None) -> str:
        if not params:
            text = self._plain.get(msgid)
            if text is None:
                text = self._translate(msgid, {})
                if len(self._plain) < MAX_PLAIN:  # message ids are few; anything else isn't kept
                    self._plain[msgid] = text
            return text
        return self._translate(msgid, params)

    def _translate(self, msgid: str, params: Mapping[str, Any]) -> str:
        plural = PLURALS.get(msgid)
        if plural is not None:
            count = int(params.get("count", params.get("total", 1)))
            text = self._catalog.ngettext(msgid, plural, count)
        else:
            text = self._catalog.gettext(msgid)
        return self.fill(text, params)

    def fill(self, text: str, params: Mapping[str, Any]) -> str:
        """Put formatted parameters into a translated text; unknown names stay visible."""
        names = placeholders(text)
        if not names:
            return text
        currency = params.get("currency")
        values = {
            name: self.format_value(params.get(name, "{" + name + "}"), currency=currency)
            for name in names
        }
        return text.format_map(values)

    def format_value(self, value: Any, *, currency: Any = None) -> str:
        """Amounts as money when the message names a currency, else plain locale numbers.

        Dates come out in the locale's medium form.
        """
        if isinstance(value, Decimal):
            if currency:
                return self.money(value, str(currency))
            return self.number(value)
        if isinstance(value, dt.date):
            return self.date(value)
        return str(value)

    def money(self, amount: Decimal, currency: str | None = None) -> str:
        """``£12.99``; rupiah always whole (``Rp150.000``)."""
        return _money(amount, currency or self.currency, FORMAT_LOCALES[self.locale])

    def date(self, day: dt.date) -> str:
        """A date in the locale's medium form (``14 Mar 2019``, ``2019年3月14日``)."""
        return _date(day, FORMAT_LOCALES[self.locale])

    def number(self, value: Decimal | float) -> str:
        """A plain number with the locale's separators."""
        return _number(value, FORMAT_LOCALES[self.locale])


# Babel's formatting reads the locale's data and parses its pattern on every call; the
# amounts, dates and numbers a bot shows are few (a cohort's fees, a product's price,
# today), so each is formatted once per locale (a tenth of rendering a reply, profiled).
@lru_cache(maxsize=4096)
def _money(amount: Decimal, currency: str, locale: str) -> str:
    if currency == "IDR":
        return format_currency(
            amount, "IDR", format="¤#,##0", locale=Locale.parse("id_ID"), currency_digits=False
        )
    return format_currency(amount, currency, locale=Locale.parse(locale))


@lru_cache(maxsize=1024)
def _date(day: dt.date, locale: str) -> str:
    return format_date(day, format="medium", locale=Locale.parse(locale))


@lru_cache(maxsize=4096)
def _number(value: Decimal | float, locale: str) -> str:
    return format_decimal(value, locale=Locale.parse(locale))
