"""Rows of a stranger's CSV or XLSX file, read under hard caps.

A spreadsheet is a zip of XML: a 0.2 MB file can unpack to gigabytes (20 million blank rows,
6 million shared strings) and a reader that trusts it spends minutes and gigabytes before the
first row. So every limit is checked **before** reading (file size; the zip's member count,
declared sizes and compression ratio) and **while** reading (actual unpacked bytes, rows with
blank ones counted, cells per row, characters per cell). Going over a limit raises a
``ValidationError`` that names the limit, so the seller learns what to change.

Pure and blocking: the bot runs it in a sandboxed process (``bot/platform/sandbox.py``) as a second
line of defence; product files (``flows/bulk.py``) and any later CSV/XLSX import share it.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Callable, Generator, Iterator, Mapping
from contextlib import closing
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal
from pathlib import PurePath

from flows.errors import ValidationError

__all__ = ["SheetLimits", "check_xlsx_archive", "read_rows"]


@dataclass(frozen=True)
class SheetLimits:
    """How much of a file is read at most. Defaults fit 500 products with room to spare."""

    max_bytes: int = 5 * 1024 * 1024
    max_unpacked_bytes: int = 20 * 1024 * 1024  # all zip members together
    max_ratio: int = 100  # unpacked / packed, for members over 1 MB unpacked
    max_members: int = 200
    max_rows: int = 5_000  # blank rows count: they cost as much to read
    max_columns: int = 64  # wider columns are ignored, not refused
    max_cell_chars: int = 4_000

    @property
    def max_mb(self) -> int:
        return max(1, self.max_bytes >> 20)


DEFAULT_LIMITS = SheetLimits()
_RATIO_FLOOR = 1024 * 1024  # small members may compress well: a blank sheet is mostly tags


def read_rows(
    data: bytes, filename: str, limits: SheetLimits = DEFAULT_LIMITS
) -> Generator[list[str], None, None]:
    """Rows of a ``.csv`` or ``.xlsx`` file (first sheet), each cell as text.

    Raises ``ValidationError``: ``error_bulk_file_type`` (another extension),
    ``error_bulk_too_large`` (file bytes), ``error_sheet_unpacked_too_large`` (zip bomb),
    ``error_sheet_too_many_rows``, ``error_sheet_cell_too_long`` and, for anything the
    parsers choke on, ``error_bulk_unreadable``.
    """
    reader = _READERS.get(PurePath(filename).suffix.lower())
    if reader is None:
        raise ValidationError("error_bulk_file_type")
    if len(data) > limits.max_bytes:
        raise ValidationError("error_bulk_too_large", max_mb=limits.max_mb)
    with closing(_guarded(reader(data, limits))) as rows:
        for number, cells in enumerate(rows, start=1):
            if number > limits.max_rows:
                raise ValidationError("error_sheet_too_many_rows", max=limits.max_rows)
            cells = cells[: limits.max_columns]
            for cell in cells:
                if len(cell) > limits.max_cell_chars:
                    raise ValidationError(
                        "error_sheet_cell_too_long", row=number, max=limits.max_cell_chars
                    )
            yield cells


def check_xlsx_archive(data: bytes, limits: SheetLimits = DEFAULT_LIMITS) -> None:
    """Refuse a zip that is no workbook or unpacks to more than the limits allow.

    Declared sizes are checked first (cheap); then every member is unpacked once, counting
    the bytes that really come out, so a zip that lies about its sizes is caught too.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ValidationError("error_bulk_unreadable") from None
    with archive:
        members = archive.infolist()
        names = {member.filename for member in members}
        if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
            raise ValidationError("error_bulk_unreadable")
        if len(members) > limits.max_members:
            raise ValidationError("error_bulk_unreadable")
        too_large = ValidationError(
            "error_sheet_unpacked_too_large", max_mb=limits.max_unpacked_bytes >> 20
        )
        if sum(member.file_size for member in members) > limits.max_unpacked_bytes:
            raise too_large
        for member in members:
            packed = max(member.compress_size, 1)
            if member.file_size > _RATIO_FLOOR and member.file_size > limits.max_ratio * packed:
                raise too_large
        unpacked = 0
        for member in members:
            with archive.open(member) as stream:
                while chunk := stream.read(64 * 1024):
                    unpacked += len(chunk)
                    if unpacked > limits.max_unpacked_bytes:
                        raise too_large


def _guarded(rows: Iterator[list[str]]) -> Generator[list[str], None, None]:
    """``rows``, turning any failure of the parser into "error_bulk_unreadable".

    Files come from strangers: a damaged zip, odd XML or a stray NUL can make csv or
    openpyxl raise almost anything, and all of it means the same to the seller.
    """
    try:
        yield from rows
    except ValidationError:
        raise
    except Exception as error:
        raise ValidationError("error_bulk_unreadable") from error


def _decode(data: bytes) -> str:
    """Text of a CSV: UTF-16 if it says so (Excel "Unicode text"), else UTF-8 with or
    without BOM, else GB18030 (Chinese Excel), else Windows-1252 (UK Excel "CSV")."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    if b"\x00" in data:  # binary, whatever its name says
        raise ValidationError("error_bulk_unreadable")
    readings = []
    for encoding in ("utf-8-sig", "gb18030", "cp1252"):
        try:
            readings.append(data.decode(encoding))
        except UnicodeDecodeError:
            continue
        if encoding != "gb18030" or _mostly_gb2312(readings[-1]):
            return readings[-1]
    if readings:  # GB18030 after all: Windows-1252 could not read it either
        return readings[0]
    raise ValidationError("error_bulk_unreadable")


def _mostly_gb2312(text: str) -> bool:
    """Whether a GB18030 reading is Chinese, not Windows-1252 bytes paired up by chance.

    Chinese text is nearly all GB2312 characters (both bytes ≥ 0xA1); an accented letter
    followed by an ASCII one ("è" + "m" in "Crème") decodes as a rare GBK character.
    """
    wide = [c for c in text if ord(c) > 0x7F]
    common = sum(1 for c in wide if min(c.encode("gb18030")) >= 0xA1)
    return 2 * common >= len(wide)


def _csv_rows(data: bytes, limits: SheetLimits) -> Iterator[list[str]]:
    text = _decode(data)
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    # Excel writes ',' or, where ',' is the decimal comma, ';'; "Unicode text" uses tabs.
    delimiter = max((",", ";", "\t"), key=first_line.count)
    records = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    number = 0
    while True:
        try:
            record = next(records)
        except StopIteration:
            return
        except csv.Error as error:  # csv's own cap (128 KiB a field) is ours too
            if "field limit" not in str(error):
                raise
            raise ValidationError(
                "error_sheet_cell_too_long", row=number + 1, max=limits.max_cell_chars
            ) from None
        number += 1
        yield [cell.strip() for cell in record[: limits.max_columns]]


def _xlsx_rows(data: bytes, limits: SheetLimits) -> Iterator[list[str]]:
    """Rows of the first worksheet, as the seller sees the cells (values, not formulas)."""
    check_xlsx_archive(data, limits)
    import openpyxl  # here, not at the top: it costs ~0.25 s of every start-up (bench_startup)

    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        # Read-only mode yields the gaps between stored rows as blank rows: the row cap
        # in read_rows stops a sheet whose only row is number 1,048,576.
        sheet = workbook.worksheets[0]
        for values in sheet.iter_rows(max_col=limits.max_columns, values_only=True):
            yield [_cell_text(value) for value in values]
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    """A cell as the text a seller would have typed into it."""
    if value is None:
        return ""
    if isinstance(value, float):
        # Excel keeps 15 significant digits; the rest is binary noise (12.990000000000002).
        return format(Decimal(format(value, ".15g")), "f")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value).strip()


_READERS: Mapping[str, Callable[[bytes, SheetLimits], Iterator[list[str]]]] = {
    ".csv": _csv_rows,
    ".xlsx": _xlsx_rows,
}
