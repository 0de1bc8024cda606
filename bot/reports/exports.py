"""A cohort's applications as files for the provider: XLSX (three sheets) and CSV.

Both are written straight to disk while the rows stream from the database (``yield_per``:
a server-side cursor on PostgreSQL, batches on SQLite) — openpyxl's write-only mode keeps
one row in memory, the CSV writer one line — so 50,000 applications cost about what 500 do
(``bench/bench_export.py`` measures it). Every answer a cohort's sellers gave is a column;
the columns are known from a first, light pass over the answers alone.

A seller's words reach a provider's spreadsheet here, so a text starting with ``=``,
``+``, ``-`` or ``@`` (or a tab / carriage return) is never taken for a formula: in the
XLSX it is a typed string with Excel's quote prefix, in the CSV it gets a leading ``'``.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.sql import Select
from sqlmodel import Session, col, select

from bot.db.models import Application, Cohort, Document, Product, Seller
from flows.tracks import TRACKS

if TYPE_CHECKING:  # openpyxl itself is imported by the XLSX writer (a worker thread):
    from openpyxl import Workbook  # it costs ~0.35 s, not every start-up's
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

BATCH = 1000
FORMATS = ("xlsx", "csv")
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
"""First characters a spreadsheet may read as a formula (OWASP's CSV injection list)."""
MONEY_FORMATS = {"GBP": '"£"#,##0.00', "IDR": '"Rp"#,##0'}
DATE_FORMAT, TIME_FORMAT = "yyyy-mm-dd", "yyyy-mm-dd hh:mm:ss"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

APPLICATION_COLUMNS = (
    "application_id", "cohort_id", "seller_telegram_id", "market", "track", "state",
    "created_at_utc", "updated_at_utc", "submitted_at_utc", "decided_at_utc",
)  # fmt: skip
PRODUCT_COLUMNS = (
    "application_id", "position", "title", "price", "currency", "images", "package_cm",
    "weight_kg",
)  # fmt: skip
DOCUMENT_COLUMNS = (
    "application_id", "step", "kind", "mime_type", "size_bytes", "file_name",
    "file_unique_id", "uploaded_at_utc",
)  # fmt: skip
_STEP_ORDER = {step.id: n for n, step in enumerate(s for track in TRACKS.values() for s in track)}


@dataclass(frozen=True)
class Exported:
    """What was written: the file and how many rows each table got."""

    path: Path
    applications: int
    products: int = 0
    documents: int = 0


def neutralized(text: str) -> str:
    """``text`` as a CSV cell no spreadsheet runs as a formula."""
    return "'" + text if text.startswith(DANGEROUS) else text


def answer_columns(session: Session, *, cohort_id: int) -> list[str]:
    """Every answer key the cohort's applications hold, in the tracks' step order."""
    keys: set[str] = set()
    query = select(Application.answers).where(Application.cohort_id == cohort_id)
    for answers in session.exec(query.execution_options(yield_per=BATCH)):
        keys.update(key for key in answers if not key.startswith("_"))
    return sorted(keys, key=lambda key: (_STEP_ORDER.get(key, len(_STEP_ORDER)), key))


def _applications(cohort_id: int) -> Any:
    return (
        select(Application, Seller.telegram_user_id)
        .outerjoin(Seller, col(Seller.id) == col(Application.seller_id))
        .where(Application.cohort_id == cohort_id)
        .order_by(col(Application.id))
        .execution_options(yield_per=BATCH)
    )


def _streamed(session: Session, query: Select[Any]) -> Iterator[Any]:
    """Rows as they come (``yield_per`` on the query: never all of them in memory)."""
    yield from session.execute(query)


def _naive_utc(moment: dt.datetime | None) -> dt.datetime | None:
    """Excel has no time zones: stored moments are UTC, written as naive UTC."""
    if moment is None:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment


def _answer_value(value: Any) -> Any:
    """An answer as a typed cell value: ISO dates become dates, lists become text."""
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return str(value)


def application_values(
    application: Application, telegram_id: int | None, answers: Sequence[str]
) -> list[Any]:
    """One application's row: the fixed columns, then one per answer key."""
    fixed: list[Any] = [
        application.id, application.cohort_id, telegram_id, application.market,
        application.track, application.state, _naive_utc(application.created_at),
        _naive_utc(application.updated_at), _naive_utc(application.submitted_at),
        _naive_utc(application.decided_at),
    ]  # fmt: skip
    return fixed + [_answer_value(application.answers.get(key)) for key in answers]


def _price(raw: str) -> Decimal | str:
    try:
        return Decimal(raw)
    except InvalidOperation:
        return raw


def product_values(product: Product) -> list[Any]:
    package = "x".join(str(n) for n in product.package_cm) if product.package_cm else None
    weight = _price(product.weight_kg) if product.weight_kg else None
    return [
        product.application_id, product.position, product.title, _price(product.price),
        product.currency, "\n".join(product.images), package, weight,
    ]  # fmt: skip


def document_values(document: Document) -> list[Any]:
    return [
        document.application_id, document.step, document.kind, document.mime_type,
        document.size, document.file_name, document.file_unique_id,
        _naive_utc(document.created_at),
    ]  # fmt: skip


def _cell(
    make: type[WriteOnlyCell], sheet: WriteOnlyWorksheet, value: Any, number_format: str | None
) -> Any:
    cell = make(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever the text starts with
        if value.startswith(DANGEROUS):
            cell.quotePrefix = True  # and Excel keeps it text when the cell is edited
    elif isinstance(value, dt.datetime):
        cell.number_format = TIME_FORMAT
    elif isinstance(value, dt.date):
        cell.number_format = DATE_FORMAT
    if number_format is not None and isinstance(value, Decimal):
        cell.number_format = number_format
    return cell


def _sheet(workbook: Workbook, title: str, header: Sequence[str]) -> WriteOnlyWorksheet:
    sheet: WriteOnlyWorksheet = workbook.create_sheet(title)
    sheet.freeze_panes = "A2"
    sheet.append(list(header))
    return sheet


def write_xlsx(session: Session, *, cohort_id: int, path: Path) -> Exported:
    """The cohort as a workbook: applications (every answer a column), products, documents."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    answers = answer_columns(session, cohort_id=cohort_id)
    workbook = Workbook(write_only=True)
    sheet = _sheet(workbook, "applications", [*APPLICATION_COLUMNS, *answers])
    counts = [0, 0, 0]
    for application, telegram_id in _streamed(session, _applications(cohort_id)):
        values = application_values(application, telegram_id, answers)
        sheet.append([_cell(WriteOnlyCell, sheet, value, None) for value in values])
        counts[0] += 1
    sheet = _sheet(workbook, "products", PRODUCT_COLUMNS)
    for (product,) in _streamed(session, _uploads(Product, cohort_id, Product.position)):
        money = MONEY_FORMATS.get(product.currency, "#,##0.00")
        sheet.append(
            [_cell(WriteOnlyCell, sheet, value, money) for value in product_values(product)]
        )
        counts[1] += 1
    sheet = _sheet(workbook, "documents", DOCUMENT_COLUMNS)
    for (document,) in _streamed(session, _uploads(Document, cohort_id, Document.step)):
        sheet.append(
            [_cell(WriteOnlyCell, sheet, value, None) for value in document_values(document)]
        )
        counts[2] += 1
    workbook.save(path)
    return Exported(path, *counts)


def _uploads(table: type[Product] | type[Document], cohort_id: int, order: Any) -> Select[Any]:
    return (
        select(table)
        .join(Application, col(Application.id) == col(table.application_id))
        .where(Application.cohort_id == cohort_id)
        .order_by(col(table.application_id), order)
        .execution_options(yield_per=BATCH)
    )


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, dt.date | Decimal | int | float):
        return str(value)
    return neutralized(str(value))


def write_csv(session: Session, *, cohort_id: int, path: Path) -> Exported:
    """The cohort's applications as CSV, UTF-8 with a BOM (so Excel reads Chinese names)."""
    answers = answer_columns(session, cohort_id=cohort_id)
    count = 0
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([*APPLICATION_COLUMNS, *answers])
        for application, telegram_id in _streamed(session, _applications(cohort_id)):
            values = application_values(application, telegram_id, answers)
            writer.writerow([_csv_text(value) for value in values])
            count += 1
    return Exported(path, count)


def write_export(session: Session, *, cohort_id: int, fmt: str, path: Path) -> Exported:
    """``fmt`` is ``xlsx`` or ``csv``."""
    writer = write_xlsx if fmt == "xlsx" else write_csv
    return writer(session, cohort_id=cohort_id, path=path)


def file_name(cohort: Cohort, fmt: str, *, today: dt.date) -> str:
    """``cohort-12-2026-12-01.xlsx``: ASCII only (the cohort's name may be anything)."""
    return f"cohort-{cohort.id}-{today.isoformat()}.{fmt}"
