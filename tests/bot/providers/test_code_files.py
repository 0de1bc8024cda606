"""Damaged code files: ``/codes_import`` answers "unreadable", never the apology.

openpyxl reads a sheet lazily, so a workbook whose zip and workbook part are fine can still
break while its rows are read: a sheet's XML cut short (``ParseError``), or a cell naming a
shared string past the end of the table (``IndexError``). Both are the same to the admin:
the file cannot be read, nothing is imported, and the reply says so in their language.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

import openpyxl
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.db.models import InviteCode
from bot.providers.codes.files import CodeFileError, read_code_file, read_codes
from tests.bot.providers.test_providers import OWNER_A, new_cohort, provider_from_cli
from tests.harness import running_bot

SHEET = "xl/worksheets/sheet1.xml"
SHARED_STRINGS = (
    b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1"'
    b' uniqueCount="1"><si><t>code</t></si></sst>'
)
STRINGS_TYPE = (
    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
)
STRINGS_LINK = (
    b'<Relationship Id="rIdStrings" Type="http://schemas.openxmlformats.org/officeDocument/'
    b'2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)


def workbook(changes: dict[str, Callable[[bytes], bytes]]) -> bytes:
    """A one-column workbook of codes, with some of its parts rewritten (or added)."""
    book = openpyxl.Workbook()
    for value in ("code", "AAAA-BBBB-CCCCC"):
        book.active.append([value])  # type: ignore[union-attr]
    raw = io.BytesIO()
    book.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as source, zipfile.ZipFile(out, "w") as zipped:
        for name in source.namelist():
            zipped.writestr(name, changes.get(name, lambda data: data)(source.read(name)))
        for name in set(changes) - set(source.namelist()):
            zipped.writestr(name, changes[name](b""))
    return out.getvalue()


def truncated_sheet() -> bytes:
    return workbook({SHEET: lambda data: data[: len(data) // 2]})


def shared_string_past_the_table() -> bytes:
    first_cell = b'<c r="A1" t="inlineStr"><is><t>code</t></is></c>'
    return workbook(
        {
            SHEET: lambda data: data.replace(first_cell, b'<c r="A1" t="s"><v>7</v></c>'),
            "xl/sharedStrings.xml": lambda _: SHARED_STRINGS,
            "[Content_Types].xml": lambda data: data.replace(b"</Types>", STRINGS_TYPE),
            "xl/_rels/workbook.xml.rels": lambda data: data.replace(
                b"</Relationships>", STRINGS_LINK
            ),
        }
    )


DAMAGED = pytest.mark.parametrize(
    "damaged", [truncated_sheet, shared_string_past_the_table], ids=["truncated", "index"]
)


@DAMAGED
def test_a_damaged_workbook_is_not_a_valid_xlsx_file(damaged: Callable[[], bytes]) -> None:
    with pytest.raises(ValueError, match="code_file_not_xlsx"):
        read_codes(damaged(), "codes.xlsx")


@DAMAGED
async def test_a_damaged_workbook_read_in_the_sandbox_says_why(
    damaged: Callable[[], bytes],
) -> None:
    with pytest.raises(CodeFileError, match="code_file_not_xlsx"):
        await read_code_file(damaged(), "codes.xlsx")


@DAMAGED
async def test_codes_import_of_a_damaged_workbook_answers_unreadable_and_imports_nothing(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, damaged: Callable[[], bytes]
) -> None:
    provider_from_cli(engine, monkeypatch, "Agency A", OWNER_A.id)
    data = damaged()
    async with running_bot(engine) as bot:  # the harness fails the test on a handler error
        cohort_id, _ = await new_cohort(bot, OWNER_A, "uk 一批")
        bot.api.add_file("damaged-codes", data)
        update = bot.updates.document(
            OWNER_A,
            "damaged-codes",
            "codes.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            len(data),
            caption=f"/codes_import {cohort_id}",
        )
        reply = "".join(call.text or "" for call in await bot.push(update))
    assert "无法读取" in reply and "不是有效的 XLSX 文件" in reply, reply
    with Session(engine) as session:
        assert session.exec(select(InviteCode)).all() == []
