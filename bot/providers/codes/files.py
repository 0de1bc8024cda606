"""Reading invite codes from a CSV or XLSX file, within hard caps, in the sandbox.

The file is untrusted (an admin may forward anything, an operator may point the CLI at
anything): its size is capped before it is read, rows and cell lengths while it is read,
XLSX is read in streaming mode, and the whole parse runs in the sandboxed process product
files use (``bot.platform.sandbox``), so a hostile workbook cannot stall or exhaust the bot.
Why a file is unreadable is a catalog message id (``{rows}`` is ``MAX_ROWS``), so the admin
reads it in their language and the CLI in English.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping

from bot.platform.sandbox import SandboxError, SandboxLimits, parse_in_sandbox
from flows.steps import N_

MAX_IMPORT_BYTES = 512 * 1024
MAX_ROWS = 10_000
MAX_CELL = 64
LIMITS = SandboxLimits(cpu_seconds=5, memory_bytes=512 * 1024 * 1024, wall_seconds=10.0)
_SANDBOX_PROBLEMS = {
    "timeout": N_("code_file_too_slow"),
    "memory": N_("code_file_too_complex"),
    "crashed": N_("code_file_not_readable"),
}


_DAMAGED = (SyntaxError, IndexError, KeyError, TypeError, AttributeError, EOFError, OSError)
"""What openpyxl raises on a damaged workbook (``ParseError`` is a ``SyntaxError``)."""


class CodeFileError(ValueError):
    """The file could not be read as codes; the message is the catalog id saying why."""

    def reason(self, t: Callable[[str, Mapping[str, object]], str]) -> str:
        """Why, in the language of ``t``."""
        return t(str(self), {"rows": MAX_ROWS})


async def read_code_file(data: bytes, file_name: str) -> list[str]:
    """The codes in a file, read in the sandbox; ``CodeFileError`` if it cannot be read."""
    try:
        codes, problem = await parse_in_sandbox(_read_plainly, data, file_name, limits=LIMITS)
    except SandboxError as error:
        raise CodeFileError(_SANDBOX_PROBLEMS[error.reason]) from None
    if problem:
        raise CodeFileError(problem)
    return list(codes)


def _read_plainly(data: bytes, file_name: str) -> tuple[list[str], str]:
    """``read_codes`` in the child: the answer is plain values (the sandbox's rule)."""
    try:
        return read_codes(data, file_name), ""
    except ValueError as error:
        return [], str(error)


def read_codes(data: bytes, file_name: str) -> list[str]:
    """The first column's values (a ``code`` header skipped); ``ValueError`` if unreadable."""
    if len(data) > MAX_IMPORT_BYTES:
        raise ValueError(N_("code_file_too_large"))
    if file_name.lower().endswith(".xlsx"):
        cells = _xlsx_first_column(data)
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValueError(N_("code_file_not_utf8")) from None
        cells = []
        for number, row in enumerate(csv.reader(io.StringIO(text))):
            if number >= MAX_ROWS:
                raise ValueError(N_("code_file_too_many_rows"))
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
                raise ValueError(N_("code_file_unpacks_too_large"))
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, *_DAMAGED) as error:
        raise ValueError(N_("code_file_not_xlsx")) from error
    try:
        sheet = book.worksheets[0]
        cells: list[str] = []
        for number, row in enumerate(sheet.iter_rows(max_col=1, values_only=True)):
            if number >= MAX_ROWS:
                raise ValueError(N_("code_file_too_many_rows"))
            if row and row[0] is not None:
                cells.append(str(row[0]))
        return cells
    except _DAMAGED as error:
        # openpyxl reads the sheet lazily, so damage inside it (a truncated sheet, a
        # shared-string index past the table) surfaces here, as whatever the XML reader
        # or the lookup raised: all of it means the same to the admin
        raise ValueError(N_("code_file_not_xlsx")) from error
    finally:
        book.close()
