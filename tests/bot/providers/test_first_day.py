"""A provider's first day, end to end, on both databases (issue 17's "done when").

Through the real ``Application``, the outbox sender and the fake Bot API: a provider
from the command line gets the admin menu and ``/help``; an operator is invited; two
cohorts; the group linked by ``/link@<bot>`` after Telegram says the owner runs it;
codes; a Chinese and an Indonesian seller submit; a rejection with two reasons asks both
again; the second admin is told who decided; ``/stats`` draws points on its first day;
an export; a broadcast; the Chinese seller erases their data and ``/application`` still
shows what is left.
"""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest
from PIL import Image
from sqlalchemy import Engine

from bot.broadcasts.progress import tick
from bot.reports import charts
from flows.rejections import REASONS_BY_CODE
from tests.bot.broadcasts.broadcast_helpers import ask_and_answer, latest_draft
from tests.bot.broadcasts.broadcast_helpers import tap as composer_tap
from tests.bot.outbox.outbox_helpers import running_sender, until_done
from tests.bot.providers.review_helpers import (
    application,
    drained,
    received,
    review_button,
    submit_crossborder,
    submit_journey,
    texts,
)
from tests.bot.providers.test_providers import LINK, link_by_mention, new_cohort, provider_from_cli
from tests.bot.sellers.test_seller_journeys import JOURNEYS
from tests.fakebotapi import Call
from tests.harness import BotHarness, running_bot
from tests.updates import TelegramChat, TelegramUser

OWNER = TelegramUser(5601, "Lin", language_code="zh-hans")
OPERATOR = TelegramUser(5602, "Wei", language_code="zh-hans")
ZHANG = TelegramUser(8601, "Zhang", language_code="zh-hans")
SITI = TelegramUser(8602, "Siti", language_code="id")
GROUP = TelegramChat.group(-4601, "英国跨境一批对接群")
REASONS = ("name", "phone")


def mask(*codes: str) -> int:
    names = list(REASONS_BY_CODE)
    return sum(1 << names.index(code) for code in codes)


async def generated_code(bot: BotHarness, cohort_id: int) -> str:
    """One code of ``/codes <cohort> new``'s CSV."""
    calls = await bot.push(bot.updates.message_text(OWNER, f"/codes {cohort_id} new 2 1 10"))
    document = next(call for call in calls if call.method == "sendDocument")
    data = next(iter(document.files.values())).data.decode("utf-8-sig")
    return next(csv.DictReader(io.StringIO(data)))["code"]


async def reject_for(bot: BotHarness, notice: list[Call], codes: tuple[str, ...]) -> list[Call]:
    """The operator rejects from their notice, ticking each reason's button."""
    data, message_id = review_button(notice, "x")
    picker = await bot.tap_data(OPERATOR, data, message_id)
    for code in codes:
        wanted = mask(*codes[: codes.index(code) + 1])
        toggle = next(
            button["callback_data"]
            for call in picker
            for row in (call.params.get("reply_markup") or {}).get("inline_keyboard", [])
            for button in row
            if button["callback_data"].startswith("adm_r|t|")
            and button["callback_data"].endswith(f"|{wanted}")
        )
        picker = await bot.tap_data(OPERATOR, toggle, message_id)
    send, _ = review_button(picker, "s")
    return await bot.tap_data(OPERATOR, send, message_id)


def points_in_the_middle(photo: Call) -> int:
    """Pixels of the "started" line's colour in the middle of a chart (where one day's
    point is drawn; the legend's sample sits at the right edge)."""
    image = np.asarray(Image.open(io.BytesIO(photo.files["photo"].data)).convert("RGB"))
    rgb = np.array([int(charts.STARTED_COLOUR[i : i + 2], 16) for i in (1, 3, 5)])
    middle = image[:, image.shape[1] * 2 // 5 : image.shape[1] * 3 // 5].astype(int)
    return int((np.abs(middle - rgb).sum(axis=2) < 20).sum())


async def test_a_providers_first_day(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BROADCAST_TICK_SECONDS", "3600")  # the test ticks itself
    provider_from_cli(engine, monkeypatch, "星河出海服务", OWNER.id)
    async with running_bot(engine) as bot, running_sender(engine, bot.api):
        # the owner made by the command line has the admin menu and an admin /help
        menus = [c for c in bot.api.calls_to("setMyCommands")
                 if (c.params.get("scope") or {}).get("chat_id") == OWNER.id]  # fmt: skip
        assert menus and "queue" in [c["command"] for c in menus[0].params["commands"]]
        helped = await bot.say(OWNER, "/help")
        assert "你是「星河出海服务」的负责人" in helped and "/admin_invite" in helped
        invite = LINK.search(await bot.say(OWNER, "/admin_invite"))
        assert invite
        assert "运营人员" in await bot.say(OPERATOR, f"/start {invite.group(1)}")

        # two cohorts; the UK one's group linked after Telegram says the owner runs it
        uk, uk_token = await new_cohort(bot, OWNER, "uk track=uk_crossborder 英国跨境一批")
        indonesia, id_token = await new_cohort(bot, OWNER, "id track=id_individual Jakarta 1")
        await bot.push(bot.updates.bot_added_to_group(OWNER, GROUP))
        bot.api.set_member(GROUP.id, OWNER.id, "creator")
        linked = await link_by_mention(bot, OWNER, GROUP, uk)
        assert [c.params["user_id"] for c in linked if c.method == "getChatMember"] == [
            OWNER.id,
            OWNER.id,
        ]  # at /link and again at the cohort's button
        assert uk_token in texts([c for c in linked if c.chat_id == GROUP.id])
        code = await generated_code(bot, uk)

        # a Chinese and an Indonesian seller submit
        mark = len(bot.api.calls)
        zhang = await submit_crossborder(
            bot, ZHANG, locale="zh_Hans", code=code, start=f"/start {uk_token}"
        )
        siti = await submit_journey(
            bot, SITI, locale="id", track="id_individual", steps=JOURNEYS["id_individual"],
            start=f"/start {id_token}",
        )  # fmt: skip
        assert (application(engine, zhang).cohort_id, application(engine, siti).cohort_id) == (
            uk,
            indonesia,
        )
        await drained(engine)
        notice = [c for c in received(bot, OPERATOR, mark) if f"#{zhang}" in texts([c])]

        # rejected for the company name and the phone: both asked again, then the summary
        await reject_for(bot, notice, REASONS)
        assert application(engine, zhang).state == "company_name"
        await bot.say(ZHANG, "深圳市星河国际贸易有限公司")
        assert bot.seller(ZHANG).state == "phone"
        await bot.say(ZHANG, "07400 654321")
        assert bot.seller(ZHANG).state == "review"
        mark = len(bot.api.calls)
        await bot.tap(ZHANG, "submit")
        await drained(engine)

        # the owner approves; the operator, second, is told who decided and what
        data, message_id = review_button(received(bot, OWNER, mark), "a")
        await bot.tap_data(OWNER, data, message_id)
        data, message_id = review_button(received(bot, OPERATOR, mark), "a")
        told = texts(await bot.tap_data(OPERATOR, data, message_id))
        assert f"已由负责人 {OWNER.id}审核通过" in told

        # stats: the text, the funnel, and the per-day chart with its first day's point
        stats = await bot.push(bot.updates.message_text(OWNER, f"/stats {uk}"))
        photos = [c for c in stats if c.method == "sendPhoto"]
        assert len(photos) == 2 and points_in_the_middle(photos[1]) >= 20
        exported = await bot.push(bot.updates.message_text(OWNER, f"/export {uk} xlsx"))
        assert [c.files["document"].filename for c in exported if c.method == "sendDocument"]

        # a broadcast to both cohorts, numbered alike everywhere
        await bot.say(OWNER, "/broadcast")
        draft = latest_draft(engine, OWNER)
        for cohort in (uk, indonesia):
            await composer_tap(bot, OWNER, "co", f"{draft.id}.{cohort}")
        await ask_and_answer(bot, OWNER, draft.id or 0, "text:all", "<b>Q&A</b> 今晚 8 点")
        status = await composer_tap(bot, OWNER, "send", f"{draft.id}.")
        assert f"📣 #{draft.id} " in texts(status)
        launched = latest_draft(engine, OWNER)
        assert launched.broadcast_id is not None
        sent = await until_done(engine, launched.broadcast_id)
        assert sent.sent == 2
        assert bot.app is not None
        await tick(bot.app.bot, bot.app.bot_data["services"])
        assert f"#{draft.id} " in await bot.say(OWNER, "/broadcasts")
        assert "<b>Q&amp;A</b>" in texts(bot.api.sent_to(SITI.id))

        # the Chinese seller erases their data; their application is still readable
        await bot.say(ZHANG, "/delete_me")
        question = bot.last_keyboard(ZHANG)
        yes = next(b["callback_data"] for row in question["reply_markup"]["inline_keyboard"]
                   for b in row if b["callback_data"].endswith("|yes"))  # fmt: skip
        await bot.tap_data(ZHANG, yes, question["message_id"])
        record = await bot.say(OPERATOR, f"/application {zhang}")
    assert "卖家已于" in record and "状态：审核通过" in record
    assert "深圳市星河" not in record and "出错" not in record
