"""Reading invite codes from an admin's CSV or XLSX file, within hard caps.

The file is untrusted (an admin may forward anything): its size is capped before it is
read, rows and cell lengths while it is read, and XLSX is read in streaming mode.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from sqlmodel import Session

from bot.db import repo
from bot.db.models import Cohort
from flows.errors import ValidationError
from flows.validators import invite_code_format

MAX_IMPORT_BYTES = 512 * 1024
MAX_ROWS = 10_000
MAX_CELL = 64


@dataclass
class ImportReport:
    added: int = 0
    duplicate: list[str] = field(default_factory=list)
    malformed: list[str] = field(default_factory=list)


def read_codes(data: bytes, file_name: str) -> list[str]:
    """The first column's values (a ``code`` header skipped); ``ValueError`` if unreadable."""
    if len(data) > MAX_IMPORT_BYTES:
        raise ValueError("file too large")
    if file_name.lower().endswith(".xlsx"):
        cells = _xlsx_first_column(data)
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValueError("not UTF-8 text") from None
        cells = []
        for number, row in enumerate(csv.reader(io.StringIO(text))):
            if number >= MAX_ROWS:
                raise ValueError(f"more than {MAX_ROWS} rows")
            if row:
                cells.append(row[0])
    values = [cell.strip()[: MAX_CELL + 1] for cell in cells if cell and cell.strip()]
    if values and values[0].lower() == "code":
        values = values[1:]
    return values


def _xlsx_first_column(data: bytes) -> list[str]:
    import zipfile

    import openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > 20 * MAX_IMPORT_BYTES:
                raise ValueError("unpacks too large")
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError) as error:
        raise ValueError("not a valid XLSX file") from error
    try:
        sheet = book.worksheets[0]
        cells: list[str] = []
        for number, row in enumerate(sheet.iter_rows(max_col=1, values_only=True)):
            if number >= MAX_ROWS:
                raise ValueError(f"more than {MAX_ROWS} rows")
            if row and row[0] is not None:
                cells.append(str(row[0]))
        return cells
    finally:
        book.close()


def import_codes(session: Session, *, cohort: Cohort, codes: list[str]) -> ImportReport:
    """Add the well-formed new codes to ``cohort``; report duplicates and malformed ones."""
    report = ImportReport()
    for raw in dict.fromkeys(codes):
        try:
            code = invite_code_format(raw)
        except ValidationError:
            report.malformed.append(raw[:MAX_CELL])
            continue
        if repo.invite_code_exists(session, code=code):
            report.duplicate.append(code)
            continue
        repo.add_invite_code(
            session,
            code=code,
            market=cohort.market,
            max_uses=1,
            cohort_id=cohort.id,
            provider_id=cohort.provider_id,
        )
        report.added += 1
    return report
