"""The sandboxed half of a FAQ import: a file's rows as plain text, nothing else.

Kept apart from ``bot.questions.faq_files`` on purpose: the sandbox's child process
imports this module by name, and this one imports only ``flows.sheets`` (0.06 s), where
``faq_files`` brings the database models and Telegram along (1.7 s of the child's 5 s
of CPU, and most of its wall-clock limit on a loaded machine).
"""

from __future__ import annotations

from typing import Any

from flows.errors import ValidationError
from flows.sheets import SheetLimits, read_rows

MAX_IMPORT_BYTES = 1024 * 1024
SHEET_LIMITS = SheetLimits(
    max_bytes=MAX_IMPORT_BYTES,
    max_unpacked_bytes=8 * 1024 * 1024,
    max_rows=2_000,
    max_columns=32,
    max_cell_chars=4_000,
)


def read_plainly(data: bytes, file_name: str) -> tuple[list[list[str]], str, dict[str, Any]]:
    """``read_rows`` in the child: the rows, or no rows and the problem's code and params
    (the answer is plain values: the sandbox's rule)."""
    try:
        return list(read_rows(data, file_name, SHEET_LIMITS)), "", {}
    except ValidationError as error:
        return [], error.code, dict(error.params)
