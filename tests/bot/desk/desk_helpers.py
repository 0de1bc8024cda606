"""The review desk served for real: the bot (through the fake Bot API), its Starlette app
with the desk mounted as the runner mounts it, on uvicorn at a free localhost port; and
Debian's Chromium driven by Playwright, with Telegram's ``WebApp`` object stubbed in.

No browser is ever downloaded: ``/usr/bin/chromium`` (``.ci/run`` installs it) or the
test fails. Nothing leaves 127.0.0.1: every other request the page makes (telegram.org's
script included) is answered by the test itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import os
import socket
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import uvicorn
from PIL import Image, ImageDraw
from playwright.async_api import Browser, Page, Route, async_playwright

from bot.desk.init_data import sign
from bot.desk.web import desk_routes
from bot.platform.settings import Settings
from bot.transport.web import make_web_app
from tests.harness import BotHarness
from tests.updates import TelegramUser

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
WEBAPP_URL = "https://desk.example.com"
SCREENSHOTS = Path(__file__).resolve().parents[2] / ".screenshots"
"""Where the pages are saved for a person to look at (git-ignored)."""


class DeskHarness(BotHarness):
    """The bot with the review desk offered (``WEBAPP_URL`` set)."""

    def settings(self) -> Settings:
        return super().settings().model_copy(update={"webapp_url": WEBAPP_URL})


def picture(text: str, size: tuple[int, int] = (480, 320)) -> bytes:
    """A real JPEG (a browser must be able to show it), with ``text`` written on it."""
    image = Image.new("RGB", size, (236, 240, 247))
    draw = ImageDraw.Draw(image)
    draw.rectangle((12, 12, size[0] - 12, size[1] - 12), outline=(200, 40, 40), width=6)
    draw.text((32, 32), text, fill=(20, 20, 20))
    out = io.BytesIO()
    image.save(out, "JPEG")
    return out.getvalue()


def init_data(
    user: TelegramUser, token: str, *, age: float = 5.0, language: str | None = None
) -> str:
    """What Telegram would hand the page for ``user``, signed with ``token``."""
    fields: dict[str, object] = {"id": user.id, "first_name": user.first_name}
    fields["language_code"] = language or user.language_code or "en"
    return sign(fields, token=token, auth_date=int(time.time() - age), query_id="AAHdesk")


@contextlib.asynccontextmanager
async def serving(bot: BotHarness) -> AsyncIterator[str]:
    """The bot's web app (health routes + the desk) on a free port; its base URL."""
    app = bot.app
    assert app is not None
    services = app.bot_data["services"]
    web = make_web_app(
        app,
        bot.engine,
        webhook_path=None,
        secret=None,
        mounted=desk_routes(services.settings, services.db, app.bot),
    )
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(web, log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            await asyncio.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)
        sock.close()


@contextlib.asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    """Debian's Chromium, headless; a missing browser fails the test (never a skip)."""
    assert CHROMIUM.exists(), (
        f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium; "
        ".ci/run does) — the desk's browser tests cannot run without it"
    )
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        try:
            yield browser
        finally:
            await browser.close()


TELEGRAM_STUB = """
window.Telegram = {WebApp: {
  initData: %s,
  ready: function () {}, expand: function () {},
  BackButton: {show: function () {}, hide: function () {}, onClick: function () {}}
}};
"""


async def desk_page(browser: Browser, base: str, raw_init_data: str, language: str) -> Page:
    """A phone-sized page with Telegram's ``WebApp`` stubbed and the network kept local."""
    context = await browser.new_context(
        viewport={"width": 430, "height": 900}, locale=language, device_scale_factor=1
    )
    await context.add_init_script(TELEGRAM_STUB % json.dumps(raw_init_data))

    async def local_only(route: Route) -> None:
        url = route.request.url
        if url.startswith(base):
            await route.continue_()
        elif url.startswith("https://telegram.org/js/"):  # the stub above stands in for it
            await route.fulfill(status=200, content_type="text/javascript", body="")
        else:
            await route.abort()

    await context.route("**/*", local_only)
    page = await context.new_page()
    page.set_default_timeout(15_000)
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    PROBLEMS[id(page)] = problems
    return page


PROBLEMS: dict[int, list[str]] = {}
"""What each page's console said (a CSP violation, a script error), by ``id(page)``."""


def console_of(page: Page) -> list[str]:
    return PROBLEMS.get(id(page), [])


async def shot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")
    return path


async def loaded_images(page: Page) -> list[dict[str, Any]]:
    """Every image of the view: its alt text and whether it decoded (naturalWidth)."""
    found: list[dict[str, Any]] = await page.eval_on_selector_all(
        "main img",
        "els => els.map(e => ({alt: e.alt, width: e.naturalWidth, complete: e.complete}))",
    )
    return found
