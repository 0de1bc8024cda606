"""The full list of a refused product file's errors, as a CSV the seller can open.

The chat shows the first ``MAX_ROW_ERRORS``; a sheet with hundreds of bad cells needs them
all, next to the rows, so they come as a file too.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from telegram import InputFile

from bot.platform.i18n import Translator
from bot.transport.context import BotContext
from bot.transport.render import MAX_ROW_ERRORS
from flows.bulk import RowError

__all__ = ["row_errors_csv", "send_error_list"]

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def row_errors_csv(errors: Sequence[RowError], t: Translator) -> bytes:
    """Row, column and message of every error; UTF-8 with BOM so Excel shows it right."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow([t("bulk_errors_row"), t("bulk_errors_column"), t("bulk_errors_problem")])
    for error in errors:
        writer.writerow([error.row or "", error.column, _inert(t(error.code, error.params))])
    return out.getvalue().encode("utf-8-sig")


def _inert(text: str) -> str:
    """A seller's own cell echoed back must not become a formula when Excel opens it."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


async def send_error_list(
    context: BotContext, chat_id: int, errors: Sequence[RowError], t: Translator
) -> None:
    """Attach every error when the chat message could show only the first ones."""
    if len(errors) <= MAX_ROW_ERRORS:
        return
    await context.bot.send_document(
        chat_id,
        InputFile(row_errors_csv(errors, t), filename="product_file_errors.csv"),
        caption=t("bulk_errors_attached", {"count": len(errors)}),
    )
