"""A scope's FAQ as a CSV file and back: exported for Excel, imported all or nothing.

One row per entry. ``id`` is a built-in entry's id (``uk_phone_required``), ``#12`` for
the provider's own entry 12, or empty for a new one; ``question_<locale>`` holds the ways
of asking, one per line; ``answer_<locale>`` the answer; ``keywords`` comma-separated;
``hide`` set (yes, 1, x, 是, ya) keeps a built-in entry from the sellers. The export holds
the provider's own entries then the built-in ones, so an admin edits an answer in Excel
and sends the file back: rows left as they were change nothing, an edited built-in row
becomes an override, entries missing from the file stay as they are.

The file is a stranger's bytes: it is read by ``flows.sheets`` (the caps product files
have) in the sandboxed process (``bot.platform.sandbox``, through the light
``bot.questions.faq_sheet``), as invite-code files are, and
the rows are checked here. **All or nothing**, as product files: a file with any row
error saves nothing, and the admin gets every error with its spreadsheet row number.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.db.models import FaqEntry
from bot.platform.sandbox import SandboxError, SandboxLimits, parse_in_sandbox
from bot.questions.faq_sheet import read_plainly
from bot.questions.faq_store import (
    OWN_PREFIX,
    FaqScope,
    Texts,
    builtin_by_id,
    cleaned,
    find_same,
)
from flows.questions import Entry
from flows.questions.entries import LOCALES
from flows.steps import N_

LIMITS = SandboxLimits(cpu_seconds=5, memory_bytes=512 * 1024 * 1024, wall_seconds=10.0)
COLUMNS = (
    "id",
    *(f"question_{locale}" for locale in LOCALES),
    *(f"answer_{locale}" for locale in LOCALES),
    "keywords",
    "hide",
)
_YES = frozenset({"yes", "y", "1", "x", "true", "是", "ya", "✓"})
_OWN = re.compile(r"^#?(\d{1,11})$")
_FILE_PROBLEMS = {
    "error_bulk_file_type": N_("faq_import_file_type"),
    "error_sheet_unpacked_too_large": "error_bulk_unreadable",
}
"""Product-file messages that would mislead here → the FAQ's own."""


@dataclass(frozen=True)
class RowProblem:
    """Why a row (its spreadsheet number; 0 for the whole file) cannot be imported."""

    row: int
    code: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Planned:
    """What one row asks for: ``add`` (own number None, or a built-in id), ``change`` an
    own entry, ``hide`` a built-in entry, or ``keep`` (as it already is)."""

    row: int
    action: str
    texts: Texts | None = None
    builtin_id: str | None = None
    number: int | None = None


class FaqFileError(ValueError):
    """The file cannot be read at all; ``code`` and ``params`` say why."""

    def __init__(self, code: str, params: Mapping[str, Any]) -> None:
        super().__init__(code)
        self.code = code
        self.params = dict(params)


def export_csv(scope: FaqScope, rows: Sequence[FaqEntry]) -> bytes:
    """The scope's own entries, then the built-in ones it serves, as UTF-8 CSV with a BOM
    (Excel reads Chinese right only with it)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    shown: set[str] = set()
    for row in rows:
        ident = row.builtin_id or f"#{row.id}"
        if row.builtin_id:
            shown.add(row.builtin_id)
        writer.writerow(_cells(ident, row.questions, row.answers, row.keywords, row.hidden))
    for entry in builtin_by_id().values():
        if entry.id not in shown and entry.serves(scope.market):
            writer.writerow(_cells(entry.id, entry.questions, entry.answers, entry.keywords))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _cells(
    ident: str,
    questions: Mapping[str, Sequence[str]],
    answers: Mapping[str, str],
    keywords: Iterable[str],
    hidden: bool = False,
) -> list[str]:
    return [
        ident,
        *("\n".join(questions.get(locale, ())) for locale in LOCALES),
        *(answers.get(locale, "") for locale in LOCALES),
        ", ".join(keywords),
        "yes" if hidden else "",
    ]


async def read_faq_file(data: bytes, file_name: str) -> list[list[str]]:
    """The file's rows, read in the sandbox; ``FaqFileError`` if it cannot be read."""
    try:
        rows, code, params = await parse_in_sandbox(read_plainly, data, file_name, limits=LIMITS)
    except SandboxError:
        raise FaqFileError("error_bulk_unreadable", {}) from None
    if code:
        raise FaqFileError(_FILE_PROBLEMS.get(code, code), params)
    return list(rows)


def _header_key(name: str) -> str:
    """``Question (zh_Hans)``, ``question_zh``, ``ANSWER ID`` → a column of ``COLUMNS``."""
    key = re.sub(r"[^a-z0-9]+", "", name.lower())
    for column in COLUMNS:
        if key == column.replace("_", "").lower():
            return column
    if key in ("questionzh", "questioncn", "answerzh", "answercn"):
        return ("question_" if key.startswith("q") else "answer_") + "zh_Hans"
    return ""


def plan_import(
    scope: FaqScope, rows: Sequence[Sequence[str]], existing: Sequence[FaqEntry]
) -> tuple[list[Planned], list[RowProblem]]:
    """Each row's change, or every row's problem (then nothing is to be saved)."""
    numbered = [
        (n, cells) for n, cells in enumerate(rows, start=1) if any(c.strip() for c in cells)
    ]
    if not numbered:
        return [], [RowProblem(0, N_("faq_import_empty"))]
    header_number, header = numbered[0]
    index: dict[str, int] = {}
    for position, name in enumerate(header):
        if (key := _header_key(name)) and key not in index:
            index[key] = position
    if not any(c.startswith("answer_") for c in index):
        return [], [
            RowProblem(header_number, N_("faq_import_no_header"), {"columns": ", ".join(COLUMNS)})
        ]
    own = {row.id: row for row in existing}
    builtins = builtin_by_id()
    planned: list[Planned] = []
    problems: list[RowProblem] = []
    for number, cells in numbered[1:]:
        try:
            planned.append(_plan_row(number, _fields(cells, index), scope, own, builtins))
        except _RowRefused as refused:
            problems.append(RowProblem(number, refused.code, refused.params))
    return planned, problems


class _RowRefused(Exception):
    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def _fields(cells: Sequence[str], index: Mapping[str, int]) -> dict[str, str]:
    return {k: (cells[i].strip() if i < len(cells) else "") for k, i in index.items()}


def _plan_row(
    number: int,
    fields: Mapping[str, str],
    scope: FaqScope,
    own: Mapping[int | None, FaqEntry],
    builtins: Mapping[str, Entry],
) -> Planned:
    ident = fields.get("id", "")
    texts = Texts(
        questions={
            locale: [q for q in fields.get(f"question_{locale}", "").splitlines() if q.strip()]
            for locale in LOCALES
        },
        answers={locale: fields.get(f"answer_{locale}", "") for locale in LOCALES},
        keywords=[k for k in re.split(r"[,，;；\n]", fields.get("keywords", "")) if k.strip()],
    )
    texts = cleaned(texts)
    hide = fields.get("hide", "").lower() in _YES
    own_number = _OWN.match(ident)
    if ident.startswith(OWN_PREFIX) and ident[len(OWN_PREFIX) :].isdecimal():
        own_number = _OWN.match(ident[len(OWN_PREFIX) :])
    if own_number:
        row = own.get(int(own_number.group(1)))
        if row is None:
            raise _RowRefused(N_("faq_row_not_found"), id=ident)
        if _same(row, texts) and row.hidden == hide:
            return Planned(number, "keep")
        if hide and row.builtin_id:
            return Planned(number, "hide", builtin_id=row.builtin_id)
        _require(texts, builtin=row.builtin_id is not None)
        return Planned(number, "change", texts=texts, number=row.id)
    if ident:
        builtin = builtins.get(ident)
        if builtin is None:
            raise _RowRefused(N_("faq_row_unknown_id"), id=ident[:64])
        if scope.cohort_id is not None and not builtin.serves(scope.market):
            raise _RowRefused(N_("faq_builtin_other_market"), id=ident)
        current = next((r for r in own.values() if r.builtin_id == ident), None)
        if hide:
            if current is not None and current.hidden:
                return Planned(number, "keep")
            return Planned(number, "hide", builtin_id=ident)
        as_shipped = _same_entry(builtin, texts)
        if (current is None and as_shipped) or (current is not None and _same(current, texts)):
            return Planned(number, "keep")
        _require(texts, builtin=True)
        return Planned(number, "add", texts=texts, builtin_id=ident)
    if hide:
        raise _RowRefused(N_("faq_row_hide_needs_id"))
    _require(texts, builtin=False)
    if find_same(own.values(), texts, None) is not None:
        return Planned(number, "keep")  # a new row sent again
    return Planned(number, "add", texts=texts)


def _require(texts: Texts, *, builtin: bool) -> None:
    if not texts.answers:
        raise _RowRefused(N_("faq_needs_answer"))
    if not builtin and not texts.questions:
        raise _RowRefused(N_("faq_needs_question"))


def _same(row: FaqEntry, texts: Texts) -> bool:
    return (
        row.questions == {k: list(v) for k, v in texts.questions.items()}
        and row.answers == dict(texts.answers)
        and list(row.keywords) == list(texts.keywords)
    )


def _same_entry(entry: Entry, texts: Texts) -> bool:
    return (
        {k: list(v) for k, v in entry.questions.items()}
        == {k: list(v) for k, v in texts.questions.items()}
        and dict(entry.answers) == dict(texts.answers)
        and list(entry.keywords) == list(texts.keywords)
    )
