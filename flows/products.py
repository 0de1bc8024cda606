"""Product listing rules per track, and a validator for each field a seller sends.

Rules are data (``ProductRules``) because the platform changes them often and a provider
may tighten them per cohort (``with_overrides``) without a release; the values come from
shared/DOMAIN.md, "Product listing limits". Each validator takes what the seller typed
plus the track's rules and returns the normalized value, or raises
``ValidationError(code, **params)``: ``code`` is a message id, ``params`` fill it.
The guided upload (``flows/product_step.py``) and bulk files (``flows/bulk.py``) share
these validators, so a seller gets the same message whichever way a product arrives.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass, fields, replace
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any

from flows.errors import ValidationError

__all__ = [
    "RULES",
    "Product",
    "ProductRules",
    "image",
    "image_count",
    "package",
    "package_side",
    "price",
    "title",
    "weight",
]

_MB = 1024 * 1024


@dataclass(frozen=True)
class ProductRules:
    """What a listing must satisfy on one track."""

    currency: str  # ISO 4217: "GBP" | "IDR"
    title_min: int
    title_max: int
    price_min: Decimal
    price_max: Decimal
    price_decimals: int  # 2 for pence, 0 for whole rupiah
    package_required: bool
    forbid_chinese_in_title: bool = True
    images_min: int = 1
    images_max: int = 9
    image_max_bytes: int = 5 * _MB
    image_min_px: int = 300
    image_max_px: int = 4000
    image_mime_types: tuple[str, ...] = ("image/jpeg", "image/png")
    min_products: int = 1
    # Our sanity bounds, not the platform's: they catch a value typed in the wrong unit
    # (millimetres as centimetres, grams as kilograms) without refusing bulky goods.
    package_max_cm: int = 300
    weight_max_kg: Decimal = Decimal(100)

    def __post_init__(self) -> None:
        consistent = (
            0 <= self.title_min <= self.title_max,
            0 <= self.price_min <= self.price_max,
            self.price_decimals >= 0,
            0 <= self.images_min <= self.images_max,
            0 < self.image_min_px <= self.image_max_px,
            self.image_max_bytes > 0,
            self.package_max_cm >= 1,
            self.weight_max_kg > 0,
            self.min_products >= 0,
        )
        if not all(consistent):
            raise ValueError(f"inconsistent product rules: {self}")

    def with_overrides(self, overrides: Mapping[str, object]) -> ProductRules:
        """A copy with some limits changed, e.g. a cohort's ``{"price_max": "100"}``.

        Overrides come from provider configuration (JSON), so Decimal limits accept
        strings, ints and floats and the MIME list accepts a list. An unknown name, a
        wrong type or contradictory limits raise ValueError: a typo in a cohort's
        configuration must be noticed, not silently ignored.
        """
        unknown = sorted(set(overrides) - {f.name for f in fields(self)})
        if unknown:
            raise ValueError(f"unknown product rule(s): {', '.join(unknown)}")
        changes = {name: _coerce(name, getattr(self, name), v) for name, v in overrides.items()}
        return replace(self, **changes)


def _coerce(name: str, current: object, value: object) -> Any:
    """``value`` converted to the type of the rule it overrides, or ValueError."""
    if isinstance(current, Decimal) and isinstance(value, Decimal | int | float | str):
        with suppress(InvalidOperation):
            number = Decimal(str(value))  # str() first: Decimal(0.1) keeps the float noise
            if number.is_finite():  # Decimal(str(True)) fails: a bool is no limit
                return number
    elif isinstance(current, tuple) and isinstance(value, list | tuple):
        if all(isinstance(item, str) for item in value):
            return tuple(value)
    elif type(value) is type(current):  # so True is no int and 1 is no bool
        return value
    raise ValueError(f"product rule {name!r} cannot be {value!r}")


_UK = ProductRules(
    currency="GBP",
    title_min=1,
    title_max=255,
    price_min=Decimal("0.01"),
    price_max=Decimal(5600),
    price_decimals=2,
    package_required=True,
)
_ID = ProductRules(
    currency="IDR",
    title_min=25,
    title_max=255,
    price_min=Decimal(100),
    price_max=Decimal(100_000_000),
    price_decimals=0,
    package_required=False,
)
RULES: Mapping[str, ProductRules] = MappingProxyType(
    {
        "uk_business": _UK,
        "uk_individual": _UK,
        # Cross-border parcels must stay under the £135 import VAT threshold.
        "uk_crossborder": replace(_UK, price_max=Decimal("134.50")),
        "id_individual": _ID,
        "id_business": _ID,
    }
)


@dataclass(frozen=True)
class Product:
    """One validated listing.

    ``images`` are Telegram file ids for the guided upload and https URLs for bulk files.
    """

    title: str
    price: Decimal
    currency: str
    images: tuple[str, ...]
    package_cm: tuple[int, int, int] | None = None
    weight_kg: Decimal | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form for storage; Decimals become strings so no float touches money."""
        return {
            "title": self.title,
            "price": str(self.price),
            "currency": self.currency,
            "images": list(self.images),
            "package_cm": None if self.package_cm is None else list(self.package_cm),
            "weight_kg": None if self.weight_kg is None else str(self.weight_kg),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Product:
        """The inverse of ``to_dict``."""
        package_cm, weight_kg = data.get("package_cm"), data.get("weight_kg")
        if package_cm is not None:
            length, width, height = (int(side) for side in package_cm)
            package_cm = (length, width, height)
        return cls(
            title=str(data["title"]),
            price=Decimal(str(data["price"])),
            currency=str(data["currency"]),
            images=tuple(str(item) for item in data["images"]),
            package_cm=package_cm,
            weight_kg=None if weight_kg is None else Decimal(str(weight_kg)),
        )


def _numeric(raw: str) -> str:
    """What a phone keyboard sends for a number, folded to ASCII, lower case, no spaces.

    NFKC turns full-width digits, letters and punctuation (``１２．９９``, ``，``) into
    ASCII and non-breaking spaces into spaces; a Chinese keyboard types ``。`` for ``.``.
    Spaces go because sellers put them anywhere (``Rp 1.500.000``, ``0,5 kg``).
    """
    text = unicodedata.normalize("NFKC", raw).replace("。", ".").lower()
    return "".join(c for c in text if not c.isspace() and unicodedata.category(c) != "Cf")


def _ungroup(text: str) -> str | None:
    """``1.500.000`` or ``1,500`` without the thousands separators, or None if misgrouped."""
    separators = set(re.sub(r"[0-9]", "", text))
    if not separators:
        return text
    if len(separators) > 1:
        return None
    sep = re.escape(separators.pop())
    return (
        re.sub(sep, "", text) if re.fullmatch(rf"[0-9]{{1,3}}(?:{sep}[0-9]{{3}})+", text) else None
    )


def _number(text: str, *, lone_groups: str) -> Decimal | None:
    """Digits with '.' and ',' read the way sellers mean them, or None.

    When both separators appear, the last one is the decimal point (``1,234.56``,
    ``1.234,56``); one that repeats only groups thousands (``1.500.000``). A lone
    separator followed by exactly three digits groups thousands if it is in
    ``lone_groups`` (``150.000`` in rupiah, ``5,600`` in pounds); otherwise it is the
    decimal point (``12,99``).
    """
    if not re.fullmatch(r"[0-9]+(?:[.,][0-9]+)*", text):
        return None
    separators = re.sub(r"[0-9]", "", text)
    if not separators:
        return Decimal(text)
    last = separators[-1]
    head, _, tail = text.rpartition(last)
    groups_only = len(set(separators)) == 1 and (
        len(separators) > 1 or (len(tail) == 3 and last in lone_groups)
    )
    if groups_only:
        whole = _ungroup(text)
        return None if whole is None else Decimal(whole)
    whole = _ungroup(head)
    return None if whole is None else Decimal(f"{whole}.{tail}")


# Marks sellers put before or after an amount, longest first so "rp." wins over "rp".
_CURRENCY_MARKS: Mapping[str, tuple[str, ...]] = {"GBP": ("gbp", "£"), "IDR": ("idr", "rp.", "rp")}
# Spoken-number shorthand: 150rb = 150 ribu (thousand), 1,5jt = 1.5 juta (million), 50k.
_SHORTHAND: Mapping[str, Mapping[str, int]] = {
    "IDR": {"rb": 1000, "ribu": 1000, "k": 1000, "jt": 1_000_000, "juta": 1_000_000},
}
# Where a lone '.' or ',' before three digits groups thousands: rupiah have no decimals,
# so "150.000" is 150000; pounds do, so only "5,600" groups and "1.000" is £1.00.
_LONE_GROUPS: Mapping[str, str] = {"GBP": ",", "IDR": ".,"}


def price(raw: str, rules: ProductRules) -> Decimal:
    """The price in ``rules.currency``, quantized to its decimals (whole rupiah for IDR).

    Accepts ``12.99``, ``£12.99``, ``12,99``, ``GBP 12.99``, ``Rp150.000``, ``150,000``,
    ``Rp 1.500.000,-``, ``150rb``, ``1,5jt`` and full-width digits. A zero fraction
    (``Rp150.000,00``, as invoices print it) is still a whole amount.
    """
    text = _numeric(raw)
    marks = _CURRENCY_MARKS.get(rules.currency, ())
    text = next((text[len(mark) :] for mark in marks if text.startswith(mark)), text)
    text = next((text[: -len(mark)] for mark in marks if text.endswith(mark)), text)
    text = text.removesuffix(",-").removesuffix(".-")  # "Rp 150.000,-": a whole amount
    shorthand = re.fullmatch(r"([0-9]+(?:[.,][0-9]+)?)([a-z]+)", text)
    multipliers = _SHORTHAND.get(rules.currency, {})
    amount: Decimal | None
    if shorthand and shorthand[2] in multipliers:
        amount = Decimal(shorthand[1].replace(",", ".")) * multipliers[shorthand[2]]
    else:
        amount = _number(text, lone_groups=_LONE_GROUPS.get(rules.currency, ","))
    if amount is None:
        raise ValidationError("error_price_format", currency=rules.currency)
    # Range before decimals: quantizing an absurdly long number would overflow.
    if not rules.price_min <= amount <= rules.price_max:
        raise ValidationError(
            "error_price_range", currency=rules.currency, min=rules.price_min, max=rules.price_max
        )
    step = Decimal(1).scaleb(-rules.price_decimals)
    if amount != amount.quantize(step) and rules.price_decimals == 0:
        raise ValidationError("error_price_whole", currency=rules.currency)
    if amount != amount.quantize(step):
        raise ValidationError(
            "error_price_decimals", currency=rules.currency, decimals=rules.price_decimals
        )
    return amount.quantize(step)


# Han ideographs, radicals, bopomofo and CJK punctuation (【】《》、。): all come from a
# Chinese keyboard and the platform refuses them in titles.
_CHINESE = re.compile(
    "[\u2e80-\u2fdf\u3000-\u303f\u3100-\u312f\u31a0-\u31bf\u3400-\u4dbf\u4e00-\u9fff"
    "\uf900-\ufaff\U00020000-\U0003134f]"
)


def title(raw: str, rules: ProductRules) -> str:
    """The title with full-width letters folded (NFKC) and whitespace collapsed."""
    text = " ".join(unicodedata.normalize("NFKC", raw).split())
    if rules.forbid_chinese_in_title and (found := _CHINESE.search(text)):
        raise ValidationError("error_title_chinese", char=found.group())
    if not rules.title_min <= len(text) <= rules.title_max:
        raise ValidationError(
            "error_title_length", min=rules.title_min, max=rules.title_max, length=len(text)
        )
    return text


_CM = re.compile("cm|厘米|公分")


def package_side(raw: str, rules: ProductRules) -> int:
    """One side of the parcel in whole centimetres, 1 to ``rules.package_max_cm``."""
    text = _CM.sub("", _numeric(raw))
    if re.fullmatch(r"[0-9]{1,6}", text) and 1 <= int(text) <= rules.package_max_cm:
        return int(text)
    raise ValidationError("error_package", min=1, max=rules.package_max_cm)


def package(raw: str, rules: ProductRules) -> tuple[int, int, int]:
    """Length × width × height in whole cm: ``30x20x10``, ``30*20*10``, ``30×20×10 cm``,
    ``30 x 20 x 10``, ``30，20，10``."""
    text = _CM.sub(" ", unicodedata.normalize("NFKC", raw).lower())
    sides = [part for part in re.split(r"[x×*,;/、\s]+", text) if part]
    if len(sides) != 3:
        raise ValidationError("error_package", min=1, max=rules.package_max_cm)
    length, width, height = (package_side(side, rules) for side in sides)
    return (length, width, height)


# Unit → how many of it make a kilogram; longest first so "公斤" wins over "斤", "kg" over "g".
_WEIGHT_UNITS: tuple[tuple[str, int], ...] = (
    ("公斤", 1),
    ("千克", 1),
    ("kgs", 1),
    ("kg", 1),
    ("grams", 1000),
    ("gram", 1000),
    ("gr", 1000),
    ("g", 1000),
    ("克", 1000),
    ("斤", 2),  # jin, the Chinese market pound: 0.5 kg
)


def weight(raw: str, rules: ProductRules) -> Decimal:
    """Weight in kg, more than 0 and at most ``rules.weight_max_kg``.

    Accepts ``0.5``, ``0,5 kg``, ``500g``, ``500 克``, ``1.2公斤``; a bare number is kg.
    In grams a lone separator before three digits groups thousands (``1.200 g``).
    """
    text, per_kg = _numeric(raw), 1
    for unit, count in _WEIGHT_UNITS:
        if text.endswith(unit):
            text, per_kg = text[: -len(unit)], count
            break
    amount = _number(text, lone_groups=".," if per_kg == 1000 else "")
    kilograms = None if amount is None else amount / per_kg
    if kilograms is None or not 0 < kilograms <= rules.weight_max_kg:
        raise ValidationError("error_weight", max=rules.weight_max_kg)
    return kilograms


def image(mime_type: str, size: int, width: int, height: int, rules: ProductRules) -> None:
    """Refuse a photo the platform would refuse; 0 for size, width or height means unknown.

    Telegram reports dimensions for photos but not for documents, so an unknown
    dimension is not an error here; the platform checks again when the listing is made.
    """
    mime = mime_type.strip().lower()
    if mime == "image/jpg":  # not a registered type, but some apps send it
        mime = "image/jpeg"
    if mime not in {allowed.lower() for allowed in rules.image_mime_types}:
        raise ValidationError("error_image_type")
    if size > rules.image_max_bytes:
        max_mb = Decimal(rules.image_max_bytes) / _MB
        raise ValidationError(
            "error_image_too_large",
            max_mb=int(max_mb) if max_mb == int(max_mb) else max_mb.quantize(Decimal("0.1")),
        )
    sides = (width, height)
    if 0 not in sides and not all(rules.image_min_px <= s <= rules.image_max_px for s in sides):
        raise ValidationError(
            "error_image_dimensions", min=rules.image_min_px, max=rules.image_max_px
        )


def image_count(count: int, rules: ProductRules) -> None:
    """Refuse a listing with too few or too many images."""
    if not rules.images_min <= count <= rules.images_max:
        raise ValidationError("error_images_count", min=rules.images_min, max=rules.images_max)
