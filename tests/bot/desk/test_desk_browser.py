"""The review desk in a real headless Chromium, against the real app and database (both
backends): an owner opens the desk, sees the queue, opens an application, sees its
licence image, rejects it with two reasons, and the seller is told in Chinese through the
fake Bot API; a forged, an expired and another provider's ``initData`` see nothing of it.

Screenshots of each page go to ``tests/.screenshots/`` (git-ignored; the paths are printed).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.db.models import AuditEvent
from bot.providers.codes.store import add_invite_code
from tests.bot.desk.desk_helpers import (
    DeskHarness,
    chromium,
    console_of,
    desk_page,
    init_data,
    loaded_images,
    picture,
    serving,
    shot,
)
from tests.bot.outbox.outbox_helpers import running_sender
from tests.bot.providers.review_helpers import (
    application,
    crossborder,
    drained,
    received,
    review_button,
    submit_journey,
    texts,
)
from tests.bot.providers.test_providers import OWNER_A, OWNER_B, new_cohort, provider_from_cli
from tests.bot.sellers.test_seller_journeys import photo
from tests.fakebotapi import FakeBotAPI
from tests.updates import TelegramUser

SELLER = TelegramUser(8201, "Zhang", language_code="zh-hans")
COMPANY = "深圳市星河贸易有限公司"


@contextlib.asynccontextmanager
async def desk_bot(engine: Engine) -> AsyncIterator[DeskHarness]:
    async with FakeBotAPI() as api:
        bot = DeskHarness(api, engine)
        await bot.start()
        try:
            yield bot
        finally:
            await bot.stop()


async def submitted_with_a_licence_photo(bot: DeskHarness, token: str) -> int:
    """A Chinese seller joins the cohort by link and submits, the licence as a photo."""
    steps: list[Any] = crossborder("tts-uk-desk-1")
    steps[2] = photo("licence-photo")  # the business licence, photographed
    bot.api.add_file("licence-photo", picture("BUSINESS LICENCE 91110000802100433B"))
    app_id = await submit_journey(
        bot, SELLER, locale="zh_Hans", track="uk_crossborder", steps=steps,
        start=f"/start {token}",
    )  # fmt: skip
    for file_id, text in (("legal-rep-id", "LEGAL REP ID"), ("product-photo-1", "PRODUCT")):
        bot.api.add_file(file_id, picture(text))  # real images, for the browser to show
    return app_id


async def test_an_owner_reviews_in_the_desk_and_the_seller_is_told_in_chinese(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider_from_cli(engine, monkeypatch, "星河出海服务", OWNER_A.id)
    provider_from_cli(engine, monkeypatch, "Nusantara Mitra", OWNER_B.id)
    async with (
        desk_bot(engine) as bot,
        running_sender(engine, bot.api),
        serving(bot) as base,
        chromium() as browser,
    ):
        cohort_id, token = await new_cohort(bot, OWNER_A, "uk track=uk_crossborder 英国第一批")
        await bot.say(OWNER_A, f"/codes {cohort_id} new 3 2 10")
        with Session(engine) as session:  # one known code, as /codes_import would add it
            add_invite_code(session, code="TTS-UK-DESK-1", market="uk", cohort_id=cohort_id)
            session.commit()
        app_id = await submitted_with_a_licence_photo(bot, token)
        await drained(engine)
        notice = received(bot, OWNER_A)
        desk_buttons = [
            button
            for call in notice
            for row in (call.params.get("reply_markup") or {}).get("inline_keyboard", [])
            for button in row
            if "web_app" in button
        ]
        assert desk_buttons and desk_buttons[0]["web_app"]["url"] == (
            f"https://desk.example.com/desk/?application={app_id}"
        )

        # the owner opens the desk: the queue, in Chinese
        page = await desk_page(browser, base, init_data(OWNER_A, bot.api.token), "zh-CN")
        await page.goto(f"{base}/desk/")
        row = page.locator(f'tr[data-application="{app_id}"]')
        await row.wait_for()
        assert COMPANY in await row.inner_text()
        assert "英国第一批" in await row.inner_text()
        assert "审核台" in await page.inner_text("main")
        await shot(page, f"{engine.dialect.name}-1-queue")

        # one application: the answers and the licence, shown inline
        await row.locator("a[data-view]").first.click()
        await page.locator("form.decision").wait_for()
        await page.wait_for_function(  # each is fetched as a blob, then shown
            "() => [...document.querySelectorAll('main img')].every(i => i.naturalWidth > 0)"
        )
        images = await loaded_images(page)
        licence = [image for image in images if "营业执照" in image["alt"]]
        assert licence and licence[0]["width"] == 480, images
        assert "91110000802100433B" in await page.inner_text("table.answers")
        headers = {"Authorization": f"tma {init_data(OWNER_A, bot.api.token)}"}
        async with httpx.AsyncClient(base_url=base) as http:  # a file, as the page fetched it
            image = await http.get(f"/desk/api/applications/{app_id}/files/0", headers=headers)
            anonymous = await http.get(f"/desk/api/applications/{app_id}/files/0")
        assert image.headers["content-type"] == "image/jpeg"
        assert image.headers["content-disposition"].startswith("inline; filename=")
        assert image.headers["x-content-type-options"] == "nosniff"
        assert anonymous.status_code == 401 and anonymous.content[:3] != b"\xff\xd8\xff"
        await shot(page, f"{engine.dialect.name}-2-application")

        # rejected with two reasons
        await page.locator('input[name="reason"][value="name"]').check()
        await page.locator('input[name="reason"][value="blurry"]').check()
        mark = len(bot.api.calls)
        await page.locator('button[value="reject"]').click()
        await page.locator("p.notice").wait_for()
        assert f"#{app_id}" in await page.inner_text("p.notice")
        assert await page.locator("form.decision").count() == 0  # decided: no more buttons
        await shot(page, f"{engine.dialect.name}-3-decided")
        await drained(engine)
        told = texts(received(bot, SELLER, mark))
        assert "需要修改" in told
        assert "名称与营业执照" in told and "模糊" in told  # both reasons, in Chinese
        rejected = application(engine, app_id)
        assert rejected.state == "company_name"
        assert rejected.answers["rejection_reasons"] == ["name", "blurry"]
        with Session(engine) as session:  # audited as the chat's decisions are
            actions = session.exec(
                select(AuditEvent.action).where(col(AuditEvent.actor_telegram_id) == OWNER_A.id)
            ).all()
        assert "application.reject" in actions

        # the cohort: its charts, codes and join link with QR
        await page.locator("nav.top a").click()
        await page.select_option('select[name="state"]', "returned")
        await page.locator("form.filters button").click()
        await page.locator(f'tr[data-application="{app_id}"]').wait_for()
        await page.locator(f'a[data-view="cohorts/{cohort_id}"]').first.click()
        await page.locator("img.qr").wait_for()
        await page.wait_for_function(
            "() => [...document.querySelectorAll('main img')].every(i => i.naturalWidth > 0)"
        )
        cohort_text = await page.inner_text("main")
        assert f"start={token}" in cohort_text
        assert "邀请码" in cohort_text
        await shot(page, f"{engine.dialect.name}-4-cohort")
        # the policy held and the script never failed: no inline script, no stray style
        assert console_of(page) == []

        # the seller fixes both and submits again: marked in the queue, what changed named
        await bot.say(SELLER, "深圳市星河国际贸易有限公司")
        assert bot.seller(SELLER).state == "business_licence"
        bot.api.add_file("licence-photo-2", picture("SHARP LICENCE 91110000802100433B"))
        await bot.photo(SELLER, "licence-photo-2")
        assert bot.seller(SELLER).state == "review"
        mark = len(bot.api.calls)
        await bot.tap(SELLER, "submit")
        await drained(engine)
        again = received(bot, OWNER_A, mark)
        await page.locator("nav.top a").click()
        row = page.locator(f'tr[data-application="{app_id}"]')
        await row.wait_for()
        assert "重新提交" in await row.inner_text()
        await row.locator("a[data-view]").first.click()
        await page.locator("form.decision").wait_for()
        changed = await page.inner_text("p.changed")
        assert "公司名称" in changed and "营业执照" in changed, changed
        assert "名称不一致" in await page.inner_text("main")  # the last rejection's reasons
        assert await page.locator("table.answers tr.changed").count() == 2
        await shot(page, f"{engine.dialect.name}-6-resubmitted")

        # a chat tap first, then the desk's on the same version: only the first decides
        data, message_id = review_button(again, "a")
        mark = len(bot.api.calls)
        await bot.tap_data(OWNER_A, data, message_id)
        await page.locator('button[value="approve"]').click()
        await page.locator("p.notice").wait_for()
        assert "已由" in await page.inner_text("p.notice")  # who decided first, and when
        await drained(engine)
        approvals = [c for c in received(bot, SELLER, mark) if "审核通过" in texts([c])]
        assert len(approvals) == 1
        assert application(engine, app_id).state == "approved"

        # nobody else sees any of it
        forged = init_data(OWNER_A, "123:" + "x" * 35)
        expired = init_data(OWNER_A, bot.api.token, age=2 * 3600)
        other = init_data(OWNER_B, bot.api.token)
        for name, raw in (("forged", forged), ("expired", expired), ("other", other)):
            intruder = await desk_page(browser, base, raw, "en-GB")
            for url in (f"{base}/desk/", f"{base}/desk/?application={app_id}"):
                await intruder.goto(url)
                await intruder.locator("main:not([aria-busy]) > *").first.wait_for()
                await intruder.wait_for_load_state("networkidle")
                seen = await intruder.inner_text("main")
                assert COMPANY not in seen and "英国第一批" not in seen, (name, seen)
                assert "91110000802100433B" not in seen, (name, seen)
            await shot(intruder, f"{engine.dialect.name}-5-{name}")
            await intruder.context.close()
