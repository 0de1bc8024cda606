"""Bulk product files: a CSV or XLSX sheet of products, parsed row by row.

Every cell goes through the validators of ``flows.products``, so a seller reads the same
message for a bad price whether it was typed in the chat or found in row 7 of a file.

**All or nothing**: a file with any row error yields no products at all, only the full
list of errors (row and column each), so the seller fixes the sheet and sends it again
instead of wondering which half was taken.

Pure and blocking (bytes in, ``BulkResult`` out, no shared state): rows come from
``flows.sheets`` under its hard caps, and the bot runs the whole parse in a sandboxed
process (``bot/platform/sandbox.py``). Image links are checked for form only (https,
.jpg/.jpeg/.png); the platform checks type, size and dimensions when it fetches them. The
templates' example row is refused by its placeholder photo links (``EXAMPLE_IMAGES``), so
a template sent back unchanged imports nothing.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Mapping
from contextlib import closing
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flows import products
from flows.errors import ValidationError
from flows.products import RULES, Product, ProductRules
from flows.sheets import DEFAULT_LIMITS, SheetLimits, read_rows

__all__ = [
    "COLUMNS",
    "EXAMPLE_IMAGES",
    "PACKAGE_COLUMNS",
    "BulkResult",
    "RowError",
    "parse_product_file",
    "template_csv",
    "template_xlsx",
]

# Column names, in template order. Headers match ignoring case, spaces and punctuation
# ("Image URLs", "Length (cm)"); other columns (notes, SKU…) are ignored.
COLUMNS: tuple[str, ...] = (
    "title",
    "price",
    "image_urls",
    "length_cm",
    "width_cm",
    "height_cm",
    "weight_kg",
)
# Required only where the track requires package details (UK); optional elsewhere.
PACKAGE_COLUMNS: tuple[str, ...] = ("length_cm", "width_cm", "height_cm", "weight_kg")
_SIDES = PACKAGE_COLUMNS[:3]

_IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")
EXAMPLE_IMAGES = "https://example.com/replace-with-your-photo"
"""Where the templates' example row points its photos: a link no real product has, which
tells the seller what to change and the parser that the row is the example, sent back
unchanged (it is otherwise a valid product and would be imported as one)."""
_T = TypeVar("_T")


@dataclass(frozen=True)
class RowError:
    """One refused cell, or the whole file when ``row`` is 0.

    ``row`` is the spreadsheet row number the seller sees (the header is row 1, so the
    first product is row 2); ``code`` and ``params`` are those of the ValidationError.
    """

    row: int
    column: str
    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, row: int, column: str, error: ValidationError) -> RowError:
        return cls(row, column, error.code, dict(error.params))


@dataclass(frozen=True)
class BulkResult:
    """Products of a file without errors, or no products and every error found."""

    products: tuple[Product, ...] = ()
    errors: tuple[RowError, ...] = ()


def parse_product_file(
    data: bytes,
    filename: str,
    rules: ProductRules,
    *,
    max_rows: int = 500,
    limits: SheetLimits = DEFAULT_LIMITS,
) -> BulkResult:
    """Read a seller's ``.csv`` or ``.xlsx`` file (first sheet) of up to ``max_rows`` products.

    The header is the first non-blank row; blank rows are skipped but keep their numbers,
    so ``RowError.row`` is what the seller sees in Excel. File-level errors have row 0,
    among them every limit of ``flows.sheets`` the file goes over.
    """
    try:
        with closing(read_rows(data, filename, limits)) as rows:
            return _parse_rows(rows, rules, max_rows)
    except ValidationError as error:
        return _file_error(error)


def _file_error(*errors: ValidationError) -> BulkResult:
    return BulkResult(errors=tuple(RowError.of(0, e.params.get("column", ""), e) for e in errors))


def _parse_rows(rows: Iterator[list[str]], rules: ProductRules, max_rows: int) -> BulkResult:
    numbered = ((number, cells) for number, cells in enumerate(rows, start=1) if any(cells))
    header = next(numbered, None)
    if header is None:
        return _file_error(ValidationError("error_bulk_empty"))
    index: dict[str, int] = {}
    for position, name in enumerate(header[1]):
        if (key := _header_key(name)) in COLUMNS:
            index.setdefault(key, position)
    required = [c for c in COLUMNS if rules.package_required or c not in PACKAGE_COLUMNS]
    missing = [name for name in required if name not in index]
    if missing:
        return _file_error(
            *(ValidationError("error_bulk_missing_column", column=name) for name in missing)
        )
    parsed: list[Product] = []
    errors: list[RowError] = []
    count = 0
    for number, cells in numbered:
        row = {name: cells[i] if i < len(cells) else "" for name, i in index.items()}
        if not any(row.values()):  # only notes in columns we don't read
            continue
        count += 1
        if count > max_rows:
            return _file_error(ValidationError("error_bulk_too_many_rows", max=max_rows))
        product = _parse_row(number, row, rules, errors)
        if product is not None:
            parsed.append(product)
    if not parsed and not errors:
        return _file_error(ValidationError("error_bulk_empty"))
    return BulkResult(products=() if errors else tuple(parsed), errors=tuple(errors))


def _header_key(name: str) -> str:
    """``" Image URLs "`` → ``image_urls``; ``"Length (cm)"`` → ``length_cm``."""
    words = "".join(c if c.isalnum() else " " for c in name.casefold()).split()
    return "_".join(words)


def _parse_row(
    number: int, row: Mapping[str, str], rules: ProductRules, errors: list[RowError]
) -> Product | None:
    """The row's product, or None after appending one RowError per refused cell."""
    errors_before = len(errors)

    def check(column: str, validate: Callable[[str, ProductRules], _T]) -> _T | None:
        try:
            return validate(row.get(column, ""), rules)
        except ValidationError as error:
            errors.append(RowError.of(number, column, error))
            return None

    title = check("title", products.title)
    price = check("price", products.price)
    images = check("image_urls", _image_urls)
    package_cm = weight_kg = None
    if rules.package_required or any(row.get(name) for name in _SIDES):
        length, width, height = (check(name, products.package_side) for name in _SIDES)
        if length and width and height:
            package_cm = (length, width, height)
    if rules.package_required or row.get("weight_kg"):
        weight_kg = check("weight_kg", products.weight)
    if len(errors) > errors_before or title is None or price is None or images is None:
        return None
    return Product(title, price, rules.currency, images, package_cm, weight_kg)


def _image_urls(raw: str, rules: ProductRules) -> tuple[str, ...]:
    """1–9 https links to .jpg/.jpeg/.png files, separated by '|', spaces or newlines."""
    urls = tuple(raw.replace("|", " ").split())
    if any(url.lower().startswith(EXAMPLE_IMAGES) for url in urls):
        raise ValidationError("error_bulk_example_row")
    products.image_count(len(urls), rules)
    for url in urls:
        try:
            parts = urlsplit(url)
        except ValueError:  # e.g. an unclosed "[" in the host
            raise ValidationError("error_image_url", url=url) from None
        if not (
            parts.scheme.lower() == "https"
            and parts.hostname
            and parts.path.lower().endswith(_IMAGE_SUFFIXES)
        ):
            raise ValidationError("error_image_url", url=url)
    return urls


# One example product per currency; valid on every track of that currency once its photo
# links (``EXAMPLE_IMAGES``) are replaced.
_EXAMPLES: Mapping[str, Mapping[str, str | int | Decimal]] = {
    "GBP": {
        "title": "Stoneware Coffee Mug 350 ml, Matt White",
        "price": Decimal("12.99"),
        "image_urls": f"{EXAMPLE_IMAGES}-front.jpg|{EXAMPLE_IMAGES}-side.jpg",
        "length_cm": 12,
        "width_cm": 9,
        "height_cm": 11,
        "weight_kg": Decimal("0.45"),
    },
    "IDR": {
        "title": "Kemeja Batik Pria Lengan Panjang Katun Premium",
        "price": 150000,
        "image_urls": f"{EXAMPLE_IMAGES}-depan.jpg|{EXAMPLE_IMAGES}-belakang.jpg",
        "length_cm": 30,
        "width_cm": 25,
        "height_cm": 3,
        "weight_kg": Decimal("0.3"),
    },
}


def _example_row(track: str) -> list[str | int | Decimal]:
    """Raises KeyError for an unknown track."""
    example = _EXAMPLES[RULES[track].currency]
    return [example[name] for name in COLUMNS]


def template_csv(track: str) -> bytes:
    """Header and one example row; UTF-8 with BOM, or Excel shows non-ASCII as mojibake."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerow(_example_row(track))
    return out.getvalue().encode("utf-8-sig")


def template_xlsx(track: str) -> bytes:
    """Bold header and one example row, with numbers as numbers."""
    import openpyxl  # here, not at the top: it costs ~0.25 s of every start-up (bench_startup)
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "products"
    sheet.append(COLUMNS)
    sheet.append(_example_row(track))
    for position, cell in enumerate(sheet[1], start=1):
        cell.font = Font(bold=True)
        width = {"title": 50, "image_urls": 80}.get(cell.value, 12)
        sheet.column_dimensions[get_column_letter(position)].width = width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
