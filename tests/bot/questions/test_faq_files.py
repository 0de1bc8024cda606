"""FAQ files without Telegram: what each row of an import asks for, and the XLSX path
through the sandbox."""

from __future__ import annotations

import asyncio
import io

import openpyxl

from bot.db.models import FaqEntry
from bot.questions.faq_files import COLUMNS, FaqFileError, plan_import, read_faq_file
from bot.questions.faq_store import FaqScope

UK = FaqScope(provider_id=1, cohort_id=7, market="uk", name="UK 1")


def own(number: int, **fields: object) -> FaqEntry:
    values: dict[str, object] = {
        "provider_id": 1,
        "cohort_id": 7,
        "market": "uk",
        "questions": {"zh_Hans": ["可以开发票吗？"]},
        "answers": {"zh_Hans": "可以。"},
        "keywords": [],
        "created_by": 1,
        "updated_by": 1,
    }
    values.update(fields)
    return FaqEntry(id=number, **values)


def test_each_row_of_a_file_says_what_it_changes() -> None:
    header = ["ID", "Question (zh)", "answer_zh_Hans", "Answer EN", "Hide"]
    rows = [
        header,
        ["#3", "可以开发票吗？", "可以。", "", ""],  # as it is
        ["#3", "可以开发票吗？", "可以，联系客服。", "", ""],  # changed
        ["uk_sim", "", "", "", "是"],  # hidden
        ["uk_phone_required", "", "需要，我们代办。", "", ""],  # an override
        ["", "有微信群吗？", "有。", "", ""],  # new
        ["", "", "", "", ""],  # blank: skipped, keeps its number
        ["", "没有答案？", "", "", ""],
        ["#99", "别人的条目", "x", "", ""],
        ["nik", "", "", "Indonesian", ""],
        ["", "隐藏什么？", "x", "", "yes"],
    ]
    planned, problems = plan_import(UK, rows, [own(3)])
    assert [(p.row, p.code) for p in problems] == [
        (8, "faq_needs_answer"),
        (9, "faq_row_not_found"),
        (10, "faq_builtin_other_market"),
        (11, "faq_row_hide_needs_id"),
    ]
    assert [(p.row, p.action) for p in planned] == [
        (2, "keep"), (3, "change"), (4, "hide"), (5, "add"), (6, "add"),
    ]  # fmt: skip
    assert planned[3].builtin_id == "uk_phone_required" and planned[1].number == 3


def test_a_file_without_the_columns_names_them() -> None:
    planned, problems = plan_import(UK, [["code"], ["ABC"]], [])
    assert planned == [] and problems[0].code == "faq_import_no_header"
    assert "answer_zh_Hans" in problems[0].params["columns"]
    assert plan_import(UK, [], [])[1][0].code == "faq_import_empty"


def test_an_xlsx_file_in_chinese_is_read_in_the_sandbox() -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(COLUMNS))
    sheet.append(["", "", "可以用香港公司吗？\n香港公司可以吗", "", "", "可以。", "", "香港", ""])
    data = io.BytesIO()
    book.save(data)
    rows = asyncio.run(read_faq_file(data.getvalue(), "常见问题.xlsx"))
    planned, problems = plan_import(UK, rows, [])
    assert problems == [] and planned[0].texts is not None
    assert planned[0].texts.questions == {"zh_Hans": ["可以用香港公司吗？", "香港公司可以吗"]}
    assert planned[0].texts.keywords == ["香港"]


def test_a_damaged_or_foreign_file_is_unreadable_not_an_error() -> None:
    for data, name, code in (
        (b"PK\x03\x04broken", "faq.xlsx", "error_bulk_unreadable"),
        (b"\x00\x01binary", "faq.csv", "error_bulk_unreadable"),
        (b"%PDF-1.4", "faq.pdf", "faq_import_file_type"),
    ):
        try:
            asyncio.run(read_faq_file(data, name))
        except FaqFileError as error:
            assert error.code == code
        else:
            raise AssertionError(f"{name} was read")
