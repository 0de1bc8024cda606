"""Admins' numbers and pictures end to end: ``/stats``, ``/applications``, ``/flow``.

Figures are checked against the hand-computed expectations of ``insight_seed``: cohort A
has 4 applications — 3 left the language step after 60, 120 and 300 s (median 120 s,
p90 300 s), 3 reached the market and track steps, 2 got as far as the summary (so every
step between counts 2) and submission, 1 was approved and 1 rejected (reasons ``phone``,
``blurry``); one has been idle 10 days, one 2.
"""

from __future__ import annotations

import io
import re

import pytest
from matplotlib.image import imread
from sqlalchemy import Engine

from bot.transport.keyboards import MAX_CALLBACK_BYTES
from tests.bot.providers.insight_seed import many, seed
from tests.bot.providers.test_providers import new_cohort, provider_from_cli
from tests.fakebotapi import Call
from tests.harness import BotHarness, running_bot
from tests.updates import TelegramUser

OWNER_A = TelegramUser(5101, "Lin", language_code="en")
OWNER_A_ZH = TelegramUser(5102, "Wei", language_code="zh-hans")
OWNER_B = TelegramUser(6101, "Budi", language_code="id")
SUPERADMIN = TelegramUser(901, "Root", language_code="en")
STRANGER = TelegramUser(7101, "Sam", language_code="en")
PNG = b"\x89PNG\r\n\x1a\n"


async def _two_providers(
    bot: BotHarness, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> tuple[int, int, list[int]]:
    cohort_a, _ = await new_cohort(bot, OWNER_A, "uk track=uk_business Spring London")
    cohort_b, _ = await new_cohort(bot, OWNER_B, "uk Angkatan B")
    return cohort_a, cohort_b, seed(engine, cohort_a=cohort_a, cohort_b=cohort_b)


def _providers(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    provider_from_cli(engine, monkeypatch, "Agency A", OWNER_A.id)
    provider_from_cli(engine, monkeypatch, "Agency B", OWNER_B.id)


async def _command(bot: BotHarness, user: TelegramUser, text: str) -> tuple[str, list[Call]]:
    calls = await bot.push(bot.updates.message_text(user, text))
    texts = [call.text or "" for call in calls if call.method == "sendMessage"]
    return "\n".join(texts), [call for call in calls if call.method == "sendPhoto"]


async def _tap(bot: BotHarness, user: TelegramUser, label: str) -> str:
    """Tap the button labelled ``label`` under the latest keyboard; the edited or new text."""
    message = bot.last_keyboard(user)
    rows = message["reply_markup"]["inline_keyboard"]
    (data,) = [b["callback_data"] for row in rows for b in row if b["text"] == label]
    calls = await bot.tap_data(user, data, message["message_id"])
    return " ".join(c.text or "" for c in calls if c.method in ("sendMessage", "editMessageText"))


def _png_size(call: Call) -> tuple[int, int]:
    data = call.files["photo"].data
    assert data.startswith(PNG) and len(data) > 5_000
    height, width = imread(io.BytesIO(data)).shape[:2]
    return width, height


async def test_stats_shows_the_hand_computed_funnel_and_two_charts(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    _providers(engine, monkeypatch)
    async with running_bot(engine) as bot:
        cohort_a, _, _ = await _two_providers(bot, engine, monkeypatch)
        text, photos = await _command(bot, OWNER_A, f"/stats {cohort_a}")
    assert "Spring London" in text
    assert "Applications started: 4" in text
    funnel = [line for line in text.splitlines() if line.startswith("• ")]
    assert funnel[:3] == ["• Language: 4", "• Market: 3 (75%)", "• Seller type: 3 (100%)"], text
    # two went further (to the summary): every step between counts them, as far as they got
    assert funnel[3].endswith(": 2 (67%)") and funnel[4].endswith(": 2 (100%)"), text
    assert funnel[13] == "• Approved: 1 (50%)"
    assert "Submitted: 2 · approved: 1 · rejected: 1" in text
    assert "Stalled (no activity for 7 days): 1" in text
    assert "• Language: 2 mins · 5 mins (3 done)" in text  # 60/120/300 s: median 120, p90 300
    assert "• Market: 1 min · 3 mins (3 done)" in text  # 60/60/180 s
    assert "• Seller type: 10 mins · 20 mins (2 done)" in text  # the track step: 600/1200 s
    assert "1 hr · 2 hrs (2 done)" in text  # submitted → decided: 3600/7200 s
    reasons = text.split("Top rejection reasons:")[1]
    assert "Blurry" in reasons and "Phone" in reasons, reasons
    assert ": 1" in reasons and "name" not in reasons.lower()  # B's reason never counts
    assert len(photos) == 2
    assert _png_size(photos[0]) == (900, 150 + 40 * 14)  # 11 steps, summary, submitted, approved
    assert _png_size(photos[1]) == (1000, 450)


async def test_stats_stalled_days_come_from_the_argument(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    _providers(engine, monkeypatch)
    async with running_bot(engine) as bot:
        cohort_a, _, _ = await _two_providers(bot, engine, monkeypatch)
        one_day, _ = await _command(bot, OWNER_A, f"/stats {cohort_a} 1d")
        wrong, photos = await _command(bot, OWNER_A, "/stats soon")
    assert "Stalled (no activity for 1 days): 2" in one_day
    assert "Usage: /stats" in wrong and not photos


async def test_stats_in_chinese_sends_charts_with_chinese_labels(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    _providers(engine, monkeypatch)
    async with running_bot(engine) as bot:
        cohort_a, _, _ = await _two_providers(bot, engine, monkeypatch)
        link = re.search(r"start=(\S+)", await bot.say(OWNER_A, "/admin_invite"))
        assert link
        await bot.say(OWNER_A_ZH, f"/start {link.group(1)}")
        text, photos = await _command(bot, OWNER_A_ZH, f"/stats {cohort_a}")
    assert "已开始的申请：4" in text and "停滞（7 天无进展）：1" in text
    assert len(photos) == 2 and all(_png_size(photo)[0] > 800 for photo in photos)


async def test_an_admin_sees_no_number_of_another_provider(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    _providers(engine, monkeypatch)
    async with running_bot(engine, superadmin_ids=(SUPERADMIN.id,)) as bot:
        cohort_a, cohort_b, _ = await _two_providers(bot, engine, monkeypatch)
        forged, photos = await _command(bot, OWNER_B, f"/stats {cohort_a}")
        own, _ = await _command(bot, OWNER_B, "/stats")
        all_of_a, _ = await _command(bot, OWNER_A, "/stats")
        everything, _ = await _command(bot, SUPERADMIN, "/stats")
        b_by_root, _ = await _command(bot, SUPERADMIN, f"/stats {cohort_b}")
    assert f"#{cohort_a}" in forged and "Tidak ada angkatan" in forged and not photos
    assert "Pengajuan dimulai: 1" in own
    assert "Applications started: 4" in all_of_a  # every cohort of A, none of B
    assert "Applications started: 5" in everything
    assert "Applications started: 1" in b_by_root


async def test_admin_application_list_pages_filters_and_checks_every_tap(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    _providers(engine, monkeypatch)
    async with running_bot(engine) as bot:
        cohort_a, cohort_b, ids = await _two_providers(bot, engine, monkeypatch)
        many(engine, cohort_id=cohort_a, count=21, first_user=9000)  # 25 in all: 3 pages
        first = await bot.say(OWNER_A, f"/applications {cohort_a}")
        assert "page 1 of 3 (25 in all)" in first
        assert first.count("/application ") == 10
        keyboard = bot.last_keyboard(OWNER_A)["reply_markup"]["inline_keyboard"]
        datas = [button["callback_data"] for row in keyboard for button in row]
        assert all(len(data.encode()) <= MAX_CALLBACK_BYTES for data in datas)
        assert [button["text"] for button in keyboard[0]] == ["1 / 3", "▶"]
        second = await _tap(bot, OWNER_A, "▶")
        assert "page 2 of 3" in second
        only_id = await _tap(bot, OWNER_A, "🇮🇩 Indonesia")
        assert "page 1 of 2 (11 in all)" in only_id  # the market filter starts again at page 1
        stalled = await bot.say(OWNER_A, "/applications stalled")
        assert f"/application {ids[2]} " in stalled and stalled.count("/application ") == 1
        rejected = await bot.say(OWNER_A, f"/applications {cohort_a} rejected uk")
        assert f"/application {ids[1]} " in rejected and rejected.count("/application ") == 1
        # forged taps: B's cohort in A's callback data, and data this bot never wrote
        forged = await bot.tap_data(OWNER_A, f"adm_al|{cohort_b}.all.all|1")
        mangled = await bot.tap_data(OWNER_A, "adm_al|1.all.nowhere|1")
        b_list = await bot.say(OWNER_B, "/applications")
    forged_text = " ".join(call.text or "" for call in forged)
    assert f"No cohort #{cohort_b}" in forged_text and "/application " not in forged_text
    assert all(call.method == "answerCallbackQuery" for call in mangled)
    assert b_list.count("/application ") == 1 and f"/application {ids[0]} " not in b_list


async def test_tapping_the_page_shown_or_a_ticked_filter_is_answered_quietly(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Telegram answers an edit to identical content 400 "message is not modified"; that
    is no error (the harness fails the test on any handler error)."""
    _providers(engine, monkeypatch)
    async with running_bot(engine) as bot:
        cohort_a, _, _ = await _two_providers(bot, engine, monkeypatch)
        many(engine, cohort_id=cohort_a, count=21, first_user=9000)
        await bot.say(OWNER_A, f"/applications {cohort_a}")
        mark = len(bot.api.calls)
        await _tap(bot, OWNER_A, "1 / 3")  # the page indicator: nothing to change
        shown = bot.last_keyboard(OWNER_A)
        ticked = next(b for row in shown["reply_markup"]["inline_keyboard"] for b in row
                      if b["text"].startswith("✓"))  # fmt: skip
        await bot.tap_data(OWNER_A, ticked["callback_data"], shown["message_id"])
        calls = bot.api.calls[mark:]
    assert [c.method for c in calls].count("answerCallbackQuery") == 2
    assert all(c.method in ("answerCallbackQuery", "editMessageText") for c in calls)


async def test_an_admin_still_reaches_their_own_applications_as_a_seller(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    _providers(engine, monkeypatch)
    async with running_bot(engine) as bot:
        await bot.begin(STRANGER, "en", "uk", "uk_business")
        as_seller = await bot.say(STRANGER, "/applications")
        await bot.begin(OWNER_A, "en", "uk", "uk_business")
        mine = await bot.say(OWNER_A, "/applications mine")
    assert "/application " not in as_seller and "/application " not in mine
    assert as_seller.splitlines()[0] == mine.splitlines()[0]


async def test_flow_sends_the_track_picture_to_admins_only(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    _providers(engine, monkeypatch)
    async with running_bot(engine) as bot:
        _, photos = await _command(bot, OWNER_A, "/flow uk_crossborder")
        usage, none = await _command(bot, OWNER_A, "/flow moon")
        await bot.say(STRANGER, "/start")
        ordinary = await bot.say(STRANGER, "/nonsense")
        for command in ("/stats", "/stats 1", "/flow uk_business"):
            assert await bot.say(STRANGER, command) == ordinary
    assert len(photos) == 1 and _png_size(photos[0])[1] > 300
    assert "uk_crossborder" in usage and not none
