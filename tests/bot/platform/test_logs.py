"""Logs never carry the bot token or a seller's phone, identity or tax numbers."""

from __future__ import annotations

import contextlib
import io
import json
import logging
import re
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from telegram.error import TimedOut

from bot.platform.log_privacy import PayloadFilter, safe_exception_text
from bot.platform.logs import JsonFormatter, RedactingFilter, configure_logging, redact
from tests.bot.sellers.test_seller_journeys import JOURNEYS, _seed_invite_code
from tests.harness import running_bot
from tests.updates import TelegramUser

SECRETS = (
    "07400 123456",
    "+447400123456",
    "7400123456",
    "91110000802100433B",
    "3174055012900001",
    "01.855.081.4-412.000",
    "018550814412000",
    "shop@example.com",
)


@contextlib.contextmanager
def production_logging(level: str, fmt: str) -> Iterator[io.StringIO]:
    """What the process logs, through the production handler; the root logger restored."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    stream = io.StringIO()
    configure_logging(level=level, fmt=fmt, stream=stream)
    try:
        yield stream
    finally:
        root.handlers[:], _ = saved
        root.setLevel(saved[1])


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """Everything the process logs, at DEBUG, as text."""
    with production_logging("DEBUG", "text") as stream:
        for name in ("httpx", "httpcore", "telegram", "sqlalchemy.engine"):
            logging.getLogger(name).setLevel(logging.DEBUG)
        yield stream
    for name in ("httpx", "httpcore", "telegram", "sqlalchemy.engine"):
        logging.getLogger(name).setLevel(logging.NOTSET)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_whole_flow_logged_at_debug_leaks_no_token_and_no_personal_numbers(
    engine: Engine, captured: io.StringIO
) -> None:
    _seed_invite_code(engine)
    user = TelegramUser(3001, "Wei", "zh-hans")
    async with running_bot(engine) as bot:
        await bot.begin(user, "zh_Hans", "uk", "uk_crossborder")
        for step in JOURNEYS["uk_crossborder"][:7]:
            await step(bot, user)
        await bot.say(user, "3174055012900001")  # an NIK typed at the wrong step
        token = bot.api.token
    output = captured.getvalue()
    assert len(output.splitlines()) > 50, "the flow should have produced debug logs"
    assert token not in output and token.split(":")[1] not in output
    for secret in SECRETS:
        assert secret not in output, secret


def test_redaction_covers_tokens_in_urls_phones_ids_and_emails() -> None:
    line = (
        "POST https://api.telegram.org/bot123456789:AAFakeTokenForTestsOnly-0123456789abcd/"
        "sendMessage +44 7400 123456 NIK 3174055012900001 USCC 91110000802100433B a@b.co"
    )
    cleaned = redact(line)
    for secret in (
        "AAFakeTokenForTestsOnly",
        "7400 123456",
        "3174055012900001",
        "91110000802100433B",
        "a@b.co",
    ):
        assert secret not in cleaned
    assert "sendMessage" in cleaned


def test_the_user_of_a_database_url_is_not_taken_for_an_email() -> None:
    line = "PostgreSQL at postgresql+psycopg://bot@db.internal:5432/bot unreachable; ana@mail.co"
    assert redact(line) == (
        "PostgreSQL at postgresql+psycopg://bot@db.internal:5432/bot unreachable; <email>"
    )


def test_json_log_lines_are_redacted_too() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "phone %s", ("07400 123456",), None)
    RedactingFilter().filter(record)
    line = JsonFormatter().format(record)
    assert "07400" not in line and '"level": "INFO"' in line


def test_a_number_typed_with_zero_width_spaces_is_still_redacted() -> None:
    typed = "\u200b".join(("3174", "0550", "1290", "0001"))
    for line in (f"nik {typed}", f"nik {typed!r}", json.dumps({"text": typed})):
        assert "3174" not in redact(line), line


def test_a_traceback_keeps_its_frames_but_not_a_message_that_may_quote_input() -> None:
    answer = "".join(("MkSecret", "Company Ltd"))  # a seller's answer, not in the source
    try:
        try:
            {}[answer]
        except KeyError as error:
            raise ValueError(f"bad answer: {answer}") from error
    except ValueError as error:
        text = safe_exception_text(error)
    assert "MkSecretCompany" not in text
    assert "KeyError" in text and "ValueError" in text and "test_logs.py" in text
    assert "direct cause" in text
    assert "Timed out" in safe_exception_text(TimedOut())  # Telegram's own words are kept


def test_library_log_arguments_are_shown_by_type_and_ours_unchanged() -> None:
    payload = {"text": "MkCompany", "from": {"first_name": "MkName"}}
    ptb = logging.LogRecord(
        "telegram.ext.ExtBot", logging.DEBUG, __file__, 1,
        "Calling Bot API endpoint `%s` with parameters `%s`", ("sendMessage", payload), None,
    )  # fmt: skip
    ours = logging.LogRecord("bot.x", logging.INFO, __file__, 1, "update %d", (42,), None)
    for record in (ptb, ours):
        PayloadFilter().filter(record)
    assert ptb.getMessage() == "Calling Bot API endpoint `sendMessage` with parameters `<dict>`"
    assert ours.getMessage() == "update 42"


def test_a_database_error_keeps_the_drivers_words_but_not_the_statements_parameters() -> None:
    answers = "".join(("MkSecret", "Company Ltd"))
    error = OperationalError("UPDATE seller SET answers=?", (answers,), Exception("locked"))
    text = safe_exception_text(error)
    assert "locked" in text and "MkSecret" not in text


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """What the process logs at INFO, as JSON."""
    with production_logging("INFO", "json") as stream:
        yield stream


MILLISECONDS_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_json_lines_let_a_collector_follow_each_update_by_id_and_pseudonym(
    engine: Engine, json_lines: io.StringIO
) -> None:
    # real-length ids: a 4-digit one could turn up inside a duration or a timestamp by chance
    ann, bob = TelegramUser(6_104_883_201, "Ann", "en"), TelegramUser(6_104_883_202, "Bob", "en")
    async with running_bot(engine) as bot:
        await bot.say(ann, "/start")
        await bot.tap(ann, "en")
        await bot.say(bob, "/start")
    entries = [json.loads(line) for line in json_lines.getvalue().splitlines()]
    assert all(MILLISECONDS_UTC.match(entry["time"]) for entry in entries)
    handled = [entry for entry in entries if entry["message"].startswith("update ")]
    assert [(e["kind"], e["handler"], e["outcome"]) for e in handled] == [
        ("message", "commands.start", "ok"),
        ("callback_query", "answers.on_button", "ok"),
        ("message", "commands.start", "ok"),
    ]
    assert len({entry["update_id"] for entry in handled}) == 3
    assert all(isinstance(e["update_id"], int) and e["duration_ms"] > 0 for e in handled)
    sellers = [entry["seller"] for entry in handled]
    assert sellers[0] == sellers[1] != sellers[2], "one pseudonym per seller, stable"
    assert all(re.fullmatch(r"[a-z2-7]{16}", seller) for seller in sellers)
    text = json_lines.getvalue()
    assert str(ann.id) not in text and str(bob.id) not in text, "never the Telegram id"
    logging.getLogger("tests.platform").warning("outside any update")
    outside = json.loads(json_lines.getvalue().splitlines()[-1])
    assert outside["message"] == "outside any update" and "update_id" not in outside
