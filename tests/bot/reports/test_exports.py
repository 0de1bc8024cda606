"""Exports end to end: /export sends a typed XLSX and a CSV with its BOM, /documents a ZIP
of the application's files, the CLI writes the same; tenancy holds for forged ids."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.cli import main as cli
from bot.db.models import AuditEvent
from tests.bot.privacy.privacy_helpers import (
    COMPANY,
    EMAIL,
    LICENCE_BYTES,
    PHOTO_BYTES,
    PRODUCT,
    USCC,
    apply_in_cohort,
    cohort_of_a,
    provider_a,
)
from tests.bot.providers.test_providers import OWNER_A, OWNER_B, STRANGER, provider_from_cli
from tests.fakebotapi import Call
from tests.harness import running_bot


def sent_files(calls: list[Call]) -> dict[str, bytes]:
    """File name → bytes of every document the bot sent."""
    files = {}
    for call in calls:
        if call.method == "sendDocument":
            upload = next(iter(call.files.values()))
            files[upload.filename] = upload.data
    return files


async def test_export_sends_a_typed_workbook_and_a_csv_excel_reads_in_chinese(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider_a(engine, monkeypatch)
    async with running_bot(engine) as bot:
        cohort_id, token = await cohort_of_a(bot)
        application_id = await apply_in_cohort(bot, token)
        calls = await bot.push(bot.updates.message_text(OWNER_A, "/export"))  # the only one
    files = sent_files(calls)
    assert all(name.startswith(f"cohort-{cohort_id}-") for name in files)
    xlsx = next(data for name, data in files.items() if name.endswith(".xlsx"))
    book = openpyxl.load_workbook(io.BytesIO(xlsx))
    assert book.sheetnames == ["applications", "products", "documents"]
    sheet = book["applications"]
    assert sheet.freeze_panes == "A2"
    header = [cell.value for cell in sheet[1]]
    row = dict(zip(header, [cell.value for cell in sheet[2]], strict=True))
    assert row["application_id"] == application_id and row["state"] == "submitted"
    assert row["company_name"] == COMPANY and row["uscc"] == USCC and row["email"] == EMAIL
    assert isinstance(row["created_at_utc"], dt.datetime)
    assert isinstance(row["submitted_at_utc"], dt.datetime)
    assert str(row["phone"]).startswith("+44")  # a typed string, never a formula
    products = book["products"]
    header = [cell.value for cell in products[1]]
    product = dict(zip(header, products[2], strict=True))
    assert product["title"].value == PRODUCT
    assert isinstance(product["price"].value, float) and product["price"].value == 12.99
    assert "£" in product["price"].number_format and product["currency"].value == "GBP"
    documents = [[cell.value for cell in r] for r in book["documents"].iter_rows(min_row=2)]
    assert sorted(d[1] for d in documents) == ["business_licence", "legal_rep_id"]
    assert isinstance(documents[0][7], dt.datetime)

    data = next(data for name, data in files.items() if name.endswith(".csv"))
    assert data.startswith(b"\xef\xbb\xbf")
    (line,) = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert line["company_name"] == COMPANY and line["phone"].startswith("'+44")
    with Session(engine) as session:
        exported = session.exec(select(AuditEvent).where(AuditEvent.action == "cohort.export"))
        assert sorted(e.after["format"] for e in exported if e.after) == ["csv", "xlsx"]


async def test_documents_come_as_a_zip_of_safely_named_files(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider_a(engine, monkeypatch)
    async with running_bot(engine) as bot:
        _, token = await cohort_of_a(bot)
        application_id = await apply_in_cohort(bot, token)
        calls = await bot.push(bot.updates.message_text(OWNER_A, f"/documents {application_id}"))
    ((name, data),) = sent_files(calls).items()
    assert name == f"application-{application_id}.zip"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    assert members == {
        "business_licence_zqxmark-licence.pdf": LICENCE_BYTES,
        "legal_rep_id.jpg": PHOTO_BYTES,
    }


async def test_an_admin_of_another_provider_reaches_no_export_nor_documents(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider_a(engine, monkeypatch)
    provider_from_cli(engine, monkeypatch, "Agency B", OWNER_B.id)
    async with running_bot(engine) as bot:
        cohort_id, token = await cohort_of_a(bot)
        application_id = await apply_in_cohort(bot, token)
        await bot.say(STRANGER, "/start")
        ordinary = await bot.say(STRANGER, "/nonsense")
        for command in (f"/export {cohort_id}", f"/documents {application_id}"):
            calls = await bot.push(bot.updates.message_text(OWNER_B, command))
            assert not sent_files(calls), command
            assert "#" in "".join(c.text or "" for c in calls)  # "no cohort/application #…"
            assert await bot.say(STRANGER, command) == ordinary
        assert await bot.say(STRANGER, "/export") == ordinary
        assert "/export" in await bot.say(OWNER_B, "/export")  # the usage, for an admin
    with Session(engine) as session:
        actions = {e.action for e in session.exec(select(AuditEvent))}
    assert "cohort.export" not in actions and "application.documents" not in actions


async def test_the_cli_writes_the_same_export_for_scheduled_jobs(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    provider_a(engine, monkeypatch)
    async with running_bot(engine) as bot:
        cohort_id, token = await cohort_of_a(bot)
        await apply_in_cohort(bot, token)
    out = tmp_path / "cohort.xlsx"
    args = ["export", "--cohort", str(cohort_id), "--output"]
    assert cli([*args, str(out), "--format", "xlsx"]) == 0
    assert "Wrote 1 application" in capsys.readouterr().out
    book = openpyxl.load_workbook(out, read_only=True)
    assert book.sheetnames == ["applications", "products", "documents"]
    assert cli([*args, str(tmp_path / "c.csv"), "--format", "csv"]) == 0
    assert (tmp_path / "c.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert cli(["export", "--cohort", "999", "--output", str(tmp_path / "x.csv")]) == 1
