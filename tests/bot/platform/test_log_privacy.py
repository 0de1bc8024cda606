"""No user-typed content and no Telegram profile data in any log line, in either format.

Whole flows run through the real ``Application`` and the fake Bot API with every logger at
DEBUG (PTB, httpx, httpcore, SQLAlchemy's engine, transitions, uvicorn), captured from the
production handler that ``configure_logging`` installs. A unique marker is planted in every
field a seller types or Telegram reports about them; none may appear in the output.
"""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from bot.platform.logs import configure_logging
from bot.providers.codes import store as codes
from tests.harness import BotHarness, running_bot
from tests.updates import TelegramUser

LOUD = ("httpx", "httpcore", "telegram", "sqlalchemy", "transitions", "uvicorn", "asyncio")
INVISIBLE = re.compile(r"[\u00ad\u200b-\u200f\u2060-\u2064\ufeff]|\\u200b|\\u2060|\\ufeff")
ZWSP = "\u200b"

# Telegram profile data
WEI = TelegramUser(7101, "Mkfirstwei", "zh-hans", last_name="Mklastwei", username="mkuserwei")
SARI = TelegramUser(7102, "Mkfirstsari", "id", last_name="Mklastsari", username="mkusersari")
BUDI = TelegramUser(7103, "Mkfirstbudi", "id", username="mkuserbudi")
INVITE = "MKINVITE-7Q"
MARKERS = (
    *("mkfirstwei", "mklastwei", "mkuserwei", "mkfirstsari", "mklastsari", "mkusersari"),
    *("mkfirstbudi", "mkuserbudi", "mkpayload", "mkcompanya", "mkcompanyb", "mkfilea"),
    *("mkcaptiona", "mkcaptionb", "mkmail", "mktitlea", "mktitleb", "mktitlec", "mkbulkfile"),
    *("mkwrongtext", "mkfilecaption", INVITE.lower()),
)
SECRETS = (
    "91110000802100433B",
    "07400123456",
    "7400123456",
    "9120001234567",
    "0018550814412000",
    "018550814412000",
    "812 3456 7890",
    "8123456789",
    "3174055012900001",
    "3174055012900002",
)
CSV_HEADER = "title,price,image_urls,length_cm,width_cm,height_cm,weight_kg\n"


def _found(output: str) -> list[str]:
    """Every marker or secret in the output, after removing invisible characters."""
    visible = INVISIBLE.sub("", output).lower()
    digits = re.sub(r"[\s.\-]", "", visible)
    leaked = [marker for marker in MARKERS if marker in visible]
    leaked += [secret for secret in SECRETS if secret.lower() in visible]
    leaked += [s for s in SECRETS if s.isdigit() and len(s) > 9 and s in digits and s not in leaked]
    return leaked


@pytest.fixture(params=["text", "json"])
def captured(request: pytest.FixtureRequest) -> Iterator[tuple[str, io.StringIO]]:
    """The production handler at DEBUG, with every library logger let through."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    stream = io.StringIO()
    configure_logging(level="DEBUG", fmt=request.param, stream=stream)
    for name in LOUD:
        logging.getLogger(name).setLevel(logging.DEBUG)
    yield request.param, stream
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])
    for name in LOUD:
        logging.getLogger(name).setLevel(logging.NOTSET)
    logging.getLogger("sqlalchemy").setLevel(logging.WARNING)  # its own default


async def _document(
    bot: BotHarness, user: TelegramUser, name: str, mime: str, data: bytes, caption: str | None
) -> None:
    file_id = f"file-{len(bot.api.calls)}"
    bot.api.add_file(file_id, data)
    await bot.push(bot.updates.document(user, file_id, name, mime, len(data), caption=caption))


async def _photo(bot: BotHarness, user: TelegramUser, caption: str | None = None) -> None:
    file_id = f"photo-{len(bot.api.calls)}"
    await bot.push(bot.updates.photo(user, file_id, file_id, caption=caption))


async def _guided_product(bot: BotHarness, user: TelegramUser, title: str, price: str) -> None:
    await bot.tap(user, "add")
    await bot.say(user, title)
    await bot.say(user, price)
    await _photo(bot, user, "MkCaptionB")
    await bot.tap(user, "images_done")
    await bot.say(user, "30x20x10")
    await bot.say(user, "0.5")


async def _cross_border(bot: BotHarness) -> None:
    await bot.say(WEI, "/start MkPayload")
    for value in ("zh_Hans", "uk", "uk_crossborder"):
        await bot.tap(WEI, value)
    await bot.say(WEI, "深圳市MkCompanyA贸易有限公司")
    await bot.say(WEI, "91110000802100433B")
    await _document(bot, WEI, "MkFileA-licence.pdf", "application/pdf", b"%PDF-1.4", "MkCaptionA")
    await bot.say(WEI, "MkWrongText")  # text where a photo is asked: refused
    await _photo(bot, WEI, "MkCaptionA")
    await bot.say(WEI, INVITE.lower())
    await bot.say(WEI, "07400 123456")
    await bot.say(WEI, "MkMail@example.com")
    await _guided_product(bot, WEI, "MkTitleA Wireless Earbuds", "£12.99")
    await bot.say(WEI, "/status")
    await bot.tap(WEI, "done")
    await bot.tap(WEI, "submit")
    assert bot.seller(WEI).state == "submitted"


async def _id_business(bot: BotHarness) -> None:
    await bot.begin(SARI, "id", "id", "id_business")
    await bot.say(SARI, "PT MkCompanyB Jaya")
    await bot.say(SARI, "9120001234567")
    await bot.say(SARI, "0018550814412000")
    await _photo(bot, SARI, "MkCaptionA")
    await bot.say(SARI, "+62 812 3456 7890")
    await _guided_product(bot, SARI, "MkTitleB Kaos Polos Katun Premium Pria Wanita", "Rp150.000")
    row = (
        "MkTitleC Kemeja Batik Pria Lengan Panjang,150000,https://cdn.example.com/a.jpg,30,20,5,0.3"
    )
    csv = (CSV_HEADER + row + "\n").encode()
    await _document(bot, SARI, "MkBulkFile.csv", "text/csv", csv, "MkFileCaption")
    await bot.tap(SARI, "done")
    await bot.tap(SARI, "submit")
    assert bot.seller(SARI).state == "submitted"


async def _id_individual(bot: BotHarness) -> None:
    await bot.begin(BUDI, "id", "id", "id_individual")
    await bot.say(BUDI, ZWSP.join(("3174", "0550", "1290", "0001")))  # NIK with zero-width spaces
    await bot.say(BUDI, "3174" + ZWSP + "055012900002")  # a NIK typed at the tax-number step
    await bot.say(BUDI, "/back")
    await bot.say(BUDI, "/status")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_whole_flows_at_debug_log_no_typed_content_and_no_profile_data(
    engine: Engine, captured: tuple[str, io.StringIO]
) -> None:
    fmt, stream = captured
    with Session(engine) as session:
        codes.add_invite_code(session, code=INVITE, market="uk", max_uses=None)
        session.commit()
    async with running_bot(engine) as bot:
        await _cross_border(bot)
        await _id_business(bot)
        await _id_individual(bot)
        token = bot.api.token
    output = stream.getvalue()
    lines = output.splitlines()
    assert len(lines) > 300, "every library should have logged at DEBUG"
    assert "sendMessage" in output and "getUpdates" in output  # PTB's call lines are kept
    if fmt == "json":
        assert all(isinstance(json.loads(line), dict) for line in lines)
    assert token.split(":")[1] not in output
    assert _found(output) == []
