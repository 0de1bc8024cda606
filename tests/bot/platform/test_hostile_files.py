"""End to end: hostile product files through the real Application and the fake Bot API.

Each file is refused with its own localized reason in bounded time and changes nothing;
meanwhile another seller's ``/status`` is answered within a second and the bot process
grows by less than 100 MB (before the sandbox: 15–118 s waits and gigabytes).
"""

from __future__ import annotations

import asyncio
import csv
import io
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Engine

from bot.platform.sandbox import SandboxLimits
from bot.sellers import answers as seller
from bot.transport import render
from bot.transport.long_text import TELEGRAM_MAX_TEXT, telegram_length
from tests import hostile_files as hostile
from tests.fakebotapi import settle
from tests.harness import BotHarness, at_products, running_bot
from tests.updates import TelegramUser

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# (file maker, file name, a phrase of the English refusal)
HOSTILE: dict[str, tuple[Callable[[], bytes], str, str]] = {
    "20M blank rows": (hostile.blank_rows, "p.xlsx", "unpacks to more than 20 MB"),
    "6M shared strings": (hostile.shared_strings, "p.xlsx", "unpacks to more than 20 MB"),
    "zip bomb": (lambda: hostile.zip_bomb(200), "p.xlsx", "unpacks to more than 20 MB"),
    "sizes that lie": (hostile.lying_sizes, "p.xlsx", "can't be read"),
    "one cell in the last row": (hostile.far_row, "p.xlsx", "more than 5000 rows"),
    "malformed XML": (hostile.malformed_xml, "p.xlsx", "can't be read"),
    "entity expansion": (hostile.entity_bomb, "p.xlsx", "can't be read"),
    "huge CSV cell": (hostile.huge_csv_cell, "p.csv", "longer than 4000 characters"),
    "wrong extension": (hostile.far_row, "products.pdf", "must be .csv or .xlsx"),
}


async def send_file(
    bot: BotHarness, user: TelegramUser, name: str, data: bytes, *, declared: int | None = None
) -> list[str]:
    """Send a document; the texts of the bot's replies (settled with room for the sandbox)."""
    assert bot.app is not None
    file_id = f"doc-{user.id}-{len(bot.api.calls)}"
    size = len(data) if declared is None else declared
    bot.api.add_file(file_id, data, reported_size=declared)
    before = len(bot.api.calls)
    bot.api.push_update(bot.updates.document(user, file_id, name, XLSX, size))
    await settle(bot.app, bot.api, timeout=60)
    assert not bot.errors, bot.errors
    calls = bot.api.calls[before:]
    return [call.text or "" for call in calls if call.method == "sendMessage" and call.ok]


def current_rss() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096


@contextmanager
def peak_rss() -> Iterator[list[int]]:
    """``[baseline, peak]`` of this process's resident memory, sampled every 10 ms."""
    figures = [current_rss(), current_rss()]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.01):
            figures[1] = max(figures[1], current_rss())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield figures
    finally:
        done.set()
        sampler.join()


async def test_each_hostile_file_is_refused_for_its_own_reason_and_changes_nothing(
    engine: Engine,
) -> None:
    user = TelegramUser(7001, "Sari", "en")
    async with running_bot(engine) as bot:
        await at_products(bot, user)
        for name, (make, filename, phrase) in HOSTILE.items():
            data = make()
            started = time.monotonic()
            replies = await send_file(bot, user, filename, data)
            spent = time.monotonic() - started
            assert any(phrase in reply for reply in replies), (name, replies)
            assert any("Nothing was added" in reply for reply in replies), name
            assert spent < 30, (name, spent)  # generous; before: 17–119 s, unbounded
            seller_now = bot.seller(user)
            assert seller_now.state == "products" and "products" not in seller_now.answers


async def test_a_file_larger_than_declared_is_cut_off_at_the_limit(engine: Engine) -> None:
    user = TelegramUser(7002, "Budi", "en")
    async with running_bot(engine) as bot:
        await at_products(bot, user)
        for megabytes in (19, 25):  # 25 MB: more than getFile hands out at all
            data = b"title,price,image_urls\n" + b"x" * (megabytes << 20)
            replies = await send_file(bot, user, "p.csv", data, declared=1000)
            assert any("too large: the limit is 5 MB" in reply for reply in replies), replies
            assert "products" not in bot.seller(user).answers


async def test_a_parse_over_its_cpu_time_is_stopped_and_said_so_in_the_sellers_language(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(seller, "SANDBOX_LIMITS", SandboxLimits(cpu_seconds=1))
    user = TelegramUser(7003, "Wei", "zh-hans")
    async with running_bot(engine) as bot:
        await at_products(bot, user, "zh_Hans")
        replies = await send_file(bot, user, "p.xlsx", hostile.noisy_cells())
        assert any("读取该文件耗时过长" in reply for reply in replies), replies
        assert "products" not in bot.seller(user).answers


async def test_a_report_with_long_cells_fits_telegram_echoes_cut(engine: Engine) -> None:
    user = TelegramUser(7004, "Ani", "en")
    async with running_bot(engine) as bot:
        await at_products(bot, user)
        before = len(bot.api.calls)
        (reply,) = await send_file(bot, user, "p.csv", hostile.long_error_csv())
        assert "Nothing was added: the file has 120 errors" in reply
        assert "Row 2, column title" in reply and "…and 100 more." in reply
        assert "x" * 80 not in reply and "…" in reply  # 3,000-character links cut to 80
        (attached,) = [c for c in bot.api.calls[before:] if c.method == "sendDocument"]
        assert attached.files["document"].filename == "product_file_errors.csv"
        assert attached.params["caption"] == "All 120 errors, one line each, are in this file."
        table = list(csv.reader(io.StringIO(attached.files["document"].data.decode("utf-8-sig"))))
        assert table[0] == ["Row", "Column", "Problem"] and len(table) == 121
        assert {row[0] for row in table[1:]} == {str(n) for n in range(2, 42)}  # every row


async def test_a_report_longer_than_one_message_is_split_at_line_breaks(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(render, "MAX_ECHO", 10_000)  # echo whole links: ~60,000 characters
    user = TelegramUser(7005, "Ani", "en")
    async with running_bot(engine) as bot:
        await at_products(bot, user)
        replies = await send_file(bot, user, "p.csv", hostile.long_error_csv())
        assert len(replies) > 2
        assert all(telegram_length(reply) <= TELEGRAM_MAX_TEXT for reply in replies)
        report = "\n".join(replies)
        assert "Nothing was added: the file has 120 errors" in report
        assert "…and 100 more." in report
        keyboards = [c for c in bot.api.sent_to(user.id) if c.params.get("reply_markup")]
        assert keyboards[-1].text == replies[-1]  # the buttons stay under the last part


async def test_other_sellers_are_answered_within_a_second_while_hostile_files_are_parsed(
    engine: Engine,
) -> None:
    uploaders = [TelegramUser(7100 + n, f"Seller{n}", "en") for n in range(4)]
    watcher = TelegramUser(7200, "Watcher", "en")
    files = [
        ("p.xlsx", hostile.shared_strings()),
        ("p.xlsx", hostile.blank_rows()),
        ("p.xlsx", hostile.noisy_cells()),  # within every cap: a real parse of ~2 s CPU
        ("p.xlsx", hostile.noisy_cells(seed=2)),
    ]
    async with running_bot(engine) as bot:
        assert bot.app is not None
        for user in uploaders:
            await at_products(bot, user)
        await bot.say(watcher, "/start")
        latencies: list[float] = []
        with peak_rss() as rss:
            for user, (name, data) in zip(uploaders, files, strict=True):
                bot.api.add_file(f"hostile-{user.id}", data)
                update = bot.updates.document(user, f"hostile-{user.id}", name, XLSX, len(data))
                bot.api.push_update(update)
            for _ in range(8):
                seen = len(bot.api.sent_to(watcher.id))
                asked = time.monotonic()
                bot.api.push_update(bot.updates.message_text(watcher, "/status"))
                while len(bot.api.sent_to(watcher.id)) == seen:
                    assert time.monotonic() - asked < 10, "no answer to /status"
                    await asyncio.sleep(0.005)
                latencies.append(time.monotonic() - asked)
                await asyncio.sleep(0.2)
            await settle(bot.app, bot.api, timeout=60)
        assert not bot.errors, bot.errors
        print(f"/status latencies {max(latencies):.3f} s max; RSS +{(rss[1] - rss[0]) >> 20} MB")
        assert max(latencies) < 1.0, latencies
        assert rss[1] - rss[0] < 100 << 20
        for user in uploaders:
            assert "products" not in bot.seller(user).answers
