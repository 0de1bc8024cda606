"""The adapters one by one: ordering, keyboards, settings, i18n, CLI, demo."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import Session, select
from telegram import Update

from bot.app import build_application
from bot.cli import main as cli_main
from bot.db.engine import make_engine
from bot.db.models import InviteCode
from bot.offline.demo import DemoUser, run_demo
from bot.platform.i18n import Translator, telegram_locale
from bot.platform.settings import SettingsError, load_settings
from bot.transport.keyboards import MAX_CALLBACK_BYTES, pack, unpack
from bot.transport.ordering import SellerOrderedUpdateProcessor
from flows.product_step import PRODUCT_FIELDS, draft_choices, menu_choices
from flows.products import RULES
from flows.progress import Progress
from flows.tracks import INTAKE, LANGUAGES, TRACKS


def _update(user_id: int) -> Update:
    return Update.de_json(DemoUser(user_id=user_id).text("hi"), None)


async def test_one_sellers_updates_run_one_at_a_time_and_in_order() -> None:
    processor = SellerOrderedUpdateProcessor(16, stripes=64)
    log: list[str] = []

    async def handle(name: str) -> None:
        log.append(f"start {name}")
        await asyncio.sleep(0.01)
        log.append(f"end {name}")

    await asyncio.gather(*(processor.process_update(_update(7), handle(str(i))) for i in range(4)))
    assert log == [entry for i in range(4) for entry in (f"start {i}", f"end {i}")]


async def test_different_sellers_run_concurrently() -> None:
    processor = SellerOrderedUpdateProcessor(16, stripes=64)
    running = 0
    peak = 0

    async def handle() -> None:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.01)
        running -= 1

    await asyncio.gather(*(processor.process_update(_update(u), handle()) for u in (1, 2, 3)))
    assert peak == 3


def test_every_button_of_every_step_fits_telegrams_64_byte_callback_data() -> None:
    rules = RULES["uk_business"]
    keys_and_values = [
        (step.id, choice.value)
        for steps in (INTAKE, *TRACKS.values())
        for step in steps
        for choice in (*step.choices, *(c for cs in step.choices_by_market.values() for c in cs))
    ]
    keys_and_values += [("products", c.value) for c in menu_choices(Progress(), min_products=0)]
    keys_and_values += [
        (f"products.{field.id}", choice.value)
        for field in PRODUCT_FIELDS
        for choice in draft_choices(field.id, rules)
    ]
    for key, value in keys_and_values:
        data = pack("a", key, value)
        assert len(data.encode()) <= MAX_CALLBACK_BYTES
        parsed = unpack(data)
        assert parsed is not None and (parsed.key, parsed.value) == (key, value)


def test_callback_data_over_64_bytes_is_refused_before_it_reaches_telegram() -> None:
    with pytest.raises(ValueError, match="64 bytes"):
        pack("a", "products.images", "x" * 60)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("zh-hans", "zh_Hans"),
        ("zh-CN", "zh_Hans"),
        ("zh", "zh_Hans"),
        ("in", "id"),
        ("id", "id"),
        ("en-GB", "en"),
        ("ms", "en"),
        (None, "en"),
    ],
)
def test_telegram_language_codes_map_to_catalogs(code: str | None, expected: str) -> None:
    assert telegram_locale(code, default="en") == expected


@pytest.mark.parametrize(
    ("locale", "currency", "amount", "expected"),
    [
        ("en", "GBP", "12.99", "£12.99"),
        ("zh_Hans", "GBP", "134.50", "£134.50"),
        ("id", "IDR", "150000", "Rp150.000"),
        ("en", "IDR", "100000000", "Rp100.000.000"),
    ],
)
def test_money_is_written_the_sellers_way(
    locale: str, currency: str, amount: str, expected: str
) -> None:
    assert Translator(locale).money(Decimal(amount), currency) == expected


def test_a_decimal_without_a_currency_is_a_plain_number_not_money() -> None:
    t = Translator("en")
    assert t.format_value(Decimal("100")) == "100"
    assert t.format_value(Decimal("2.5"), currency="GBP") == "£2.50"
    assert Translator("zh_Hans").date(dt.date(2019, 3, 14)) == "2019年3月14日"


def test_a_missing_or_malformed_token_is_one_line_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BOT_TOKEN", raising=False)
    assert cli_main(["run"]) == 2
    assert capsys.readouterr().err.count("\n") == 1
    monkeypatch.setenv("BOT_TOKEN", "not-a-token")
    assert cli_main(["run"]) == 2
    err = capsys.readouterr().err
    assert "does not look like a Telegram bot token" in err and "not-a-token" not in err


def test_malformed_settings_name_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LISTEN_PORT", "eighty")
    with pytest.raises(SettingsError, match="LISTEN_PORT"):
        load_settings()


def test_superadmin_ids_are_read_from_a_comma_separated_list(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SUPERADMIN_IDS", "111, 222,333")
    assert load_settings().superadmin_ids == (111, 222, 333)


def test_cli_seeds_invite_codes_from_arguments_and_a_csv_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    csv_file = tmp_path / "codes.csv"
    csv_file.write_text("code\nuk-batch-1\nUK-BATCH-2\n", encoding="utf-8")
    assert (
        cli_main(
            [
                "invite-codes",
                "--market",
                "uk",
                "--uses",
                "0",
                "--expires",
                "2027-01-31",
                "TTS-UK-2026",
                "--file",
                str(csv_file),
            ]
        )
        == 0
    )
    engine = make_engine(url)
    with Session(engine) as session:
        codes = {c.code: c for c in session.exec(select(InviteCode)).all()}
    engine.dispose()
    assert set(codes) == {"TTS-UK-2026", "UK-BATCH-1", "UK-BATCH-2"}  # the header is no code
    assert codes["TTS-UK-2026"].max_uses is None
    assert capsys.readouterr().out == "Added 3 invite codes for market uk.\n"
    assert cli_main(["invite-codes", "--market", "uk", "TTS-UK-2026", "NEW-ONE"]) == 0
    out = capsys.readouterr().out
    assert "Added 1 invite code for market uk." in out
    assert "Skipped 1 existing code: TTS-UK-2026" in out
    assert cli_main(["invite-codes", "--market", "uk", "BAD CODE", "X"]) == 1
    assert "Refused 2 codes" in capsys.readouterr().out


def test_cli_prints_a_tracks_state_machine(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["diagram", "uk_crossborder"]) == 0
    diagram = capsys.readouterr().out
    assert "flowchart TD" in diagram
    assert "invite_code ==> phone" in diagram
    assert 'review ==>|"submit"| submitted' in diagram


@pytest.mark.parametrize(
    ("language", "expected"),
    [("zh_Hans", "市场"), ("en", "market"), ("id", "pasar")],
)
async def test_the_offline_demo_walks_the_flow_in_each_language(
    tmp_path: Path, language: str, expected: str
) -> None:
    language_button = str(list(LANGUAGES).index(language) + 1)
    lines = iter([language_button, "1", "1", "Acme Trading Ltd", "/status", "quit"])
    out = io.StringIO()
    await run_demo(
        build=build_application,
        language=language,
        database_url=f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        read_line=lambda: next(lines),
        out=out,
    )
    text = out.getvalue()
    assert expected.lower() in text.lower()
    assert "Acme Trading Ltd" in text  # /status shows what was entered
