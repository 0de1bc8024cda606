"""Memory and time of a cohort export with 50,000 applications, streamed vs loaded.

Fills a database with one cohort of ``ROWS`` applications (twelve answers each, one
product and two documents each), then exports it in a fresh interpreter per run, so the
peak RSS is the export's own: ``stream`` is ``bot.reports.exports`` (rows from a
``yield_per`` query into openpyxl's write-only workbook / the csv writer); ``loaded`` is
the obvious version it replaces (``.all()`` into an ordinary workbook). Not part of
``make bench`` (it takes a few minutes); run it by hand:

    .venv/bin/python -m bench.bench_export [rows] [sqlite|postgres]...
"""

from __future__ import annotations

import datetime as dt
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert
from sqlmodel import Session, col, select

from bot.db.engine import make_engine
from bot.db.migrate import upgrade
from bot.db.models import Application, Cohort, Document, Product, Provider, Seller
from tests.processes import empty_database

ROWS = 50_000
BATCH = 5_000
NOW = dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC)


def _answers(n: int) -> dict[str, Any]:
    return {
        "language": "zh_Hans", "market": "uk", "track": "uk_crossborder",
        "company_name": f"深圳市第{n}贸易有限公司", "uscc": "91110000802100433B",
        "invite_code": "TTS-UK-2026", "phone": "+447400123456",
        "email": f"seller{n}@example.com", "incorporation_date": "2019-03-14",
        "company_registered_name": f"Shenzhen Trading {n} Ltd", "notes": "=1+1",
        "legal_rep_name": f"张{n}",
    }  # fmt: skip


def fill(engine: Engine, rows: int) -> int:
    """One provider, one cohort, ``rows`` sellers with one application each; the cohort."""
    with Session(engine) as session:
        provider = Provider(name="Bench")
        session.add(provider)
        session.flush()
        cohort = Cohort(provider_id=provider.id or 0, market="uk", name="Bench", join_token="b")
        session.add(cohort)
        session.commit()
        cohort_id = cohort.id or 0
    with engine.begin() as connection:
        for start in range(1, rows + 1, BATCH):
            ids = range(start, min(start + BATCH, rows + 1))
            connection.execute(
                insert(Seller),
                [{"id": n, "telegram_user_id": 10**9 + n, "chat_id": 10**9 + n, "locale": "zh_Hans",
                  "current_application_id": n, "blocked": False, "created_at": NOW}
                 for n in ids],
            )  # fmt: skip
            connection.execute(
                insert(Application),
                [{"id": n, "seller_id": n, "market": "uk", "track": "uk_crossborder",
                  "state": "submitted", "answers": _answers(n), "cohort_id": cohort_id,
                  "version": 9, "created_at": NOW, "updated_at": NOW, "submitted_at": NOW}
                 for n in ids],
            )  # fmt: skip
            connection.execute(
                insert(Product),
                [{"application_id": n, "position": 1, "title": f"Earbuds {n}", "price": "12.99",
                  "currency": "GBP", "images": [f"p{n}"], "package_cm": [30, 20, 10],
                  "weight_kg": "0.5", "created_at": NOW} for n in ids],
            )  # fmt: skip
            connection.execute(
                insert(Document),
                [{"application_id": n, "step": step, "file_id": f"{step}{n}",
                  "file_unique_id": f"u{step}{n}", "kind": "document",
                  "mime_type": "application/pdf", "size": 200_000, "file_name": "licence.pdf",
                  "created_at": NOW} for n in ids for step in ("business_licence", "legal_rep_id")],
            )  # fmt: skip
    return cohort_id


def _loaded(session: Session, cohort_id: int, fmt: str, path: Path) -> None:
    """The baseline: every row in memory, an ordinary (not write-only) workbook."""
    import csv

    from openpyxl import Workbook

    from bot.reports.exports import answer_columns, application_values

    answers = answer_columns(session, cohort_id=cohort_id)
    applications = session.exec(
        select(Application, Seller.telegram_user_id)
        .join(Seller, col(Seller.id) == col(Application.seller_id))
        .where(Application.cohort_id == cohort_id)
    ).all()
    rows = [application_values(a, telegram_id, answers) for a, telegram_id in applications]
    if fmt == "csv":
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            csv.writer(handle).writerows(rows)
        return
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    for table in (Product, Document):
        sheet = book.create_sheet(table.__name__)
        for item in session.exec(select(table)).all():
            sheet.append([str(v) for v in item.model_dump().values()])
    book.save(path)


def child(url: str, cohort_id: int, fmt: str, mode: str) -> None:
    """One export in this fresh process; prints peak RSS (MB), seconds and file size."""
    from bot.reports.exports import write_export

    engine = make_engine(url)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"export.{fmt}"
        with Session(engine) as session:
            if mode == "stream":
                write_export(session, cohort_id=cohort_id, fmt=fmt, path=path)
            else:
                _loaded(session, cohort_id, fmt, path)
        size = path.stat().st_size
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"peak_mb": peak / 1024, "start_mb": before / 1024, "s": seconds,
                      "file_mb": size / 2**20}))  # fmt: skip


def run(backend: str, rows: int) -> None:
    with tempfile.TemporaryDirectory() as folder, empty_database(backend, Path(folder)) as url:
        engine = make_engine(url)
        upgrade(engine)
        started = time.perf_counter()
        cohort_id = fill(engine, rows)
        engine.dispose()
        print(f"{backend}: {rows:,} applications filled in {time.perf_counter() - started:.1f} s")
        for fmt in ("xlsx", "csv"):
            for mode in ("loaded", "stream"):
                out = subprocess.run(
                    [sys.executable, "-m", "bench.bench_export", "--child", url,
                     str(cohort_id), fmt, mode],
                    check=True, capture_output=True, text=True, timeout=1800,
                )  # fmt: skip
                r = json.loads(out.stdout.strip().splitlines()[-1])
                grown = r["peak_mb"] - r["start_mb"]
                print(
                    f"  {fmt:4} {mode:6}: peak RSS {r['peak_mb']:6.0f} MB (+{grown:5.0f} MB over "
                    f"the imports), {r['s']:5.1f} s, file {r['file_mb']:.1f} MB"
                )


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5])
        return
    args = sys.argv[1:]
    rows = int(args.pop(0)) if args and args[0].isdigit() else ROWS
    for backend in args or ["sqlite", "postgres"]:
        run(backend, rows)


if __name__ == "__main__":
    main()
