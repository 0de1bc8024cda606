"""The review desk's HTTP side, mounted at ``/desk`` into the bot's Starlette app.

``/desk/`` is a shell with no data; ``static/desk.js`` asks ``/desk/api/…`` for each view,
sending Telegram's ``initData`` as ``Authorization: tma <initData>``. Every API request:

1. is checked (``bot.desk.init_data``): forged, expired or missing → 401 and nothing else;
2. names a Telegram user who goes through the commands' own admin check
   (``bot.providers.access.admin_behind``): not an admin → 403 and nothing else; an
   application or cohort outside their provider is "not found", like one that does not
   exist;
3. is rate-limited per user (429), its body bounded (413);
4. is answered with HTML rendered in the admin's language, or a file fetched through the
   capped downloader with a content type read from its bytes and ``Content-Disposition``.

Every answer carries a Content-Security-Policy without inline script, ``frame-ancestors``
limited to Telegram's web clients, and ``no-store``. Nothing here logs a request: no
``initData``, no name, no answer reaches a log line or a URL.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from urllib.parse import parse_qs

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from telegram import Bot

from bot.db.models import utcnow
from bot.db.units import Database
from bot.desk import cohort_page, init_data, pages
from bot.desk.limits import PerUserLimit
from bot.desk.reads import Filters, detail, file_refs, queue
from bot.platform.i18n import telegram_locale
from bot.platform.settings import Settings
from bot.providers.access import AdminIdentity, admin_behind
from bot.providers.review.verdicts import decide_and_tell_seller
from bot.transport.context import translator
from bot.transport.downloads import DownloadFailed, FileTooLarge, download_capped
from bot.transport.web import TooLarge, read_body
from flows.rejections import REASONS

log = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
MAX_BODY_BYTES = 16 * 1024
"""A decision is a version, a few reason codes and a note of at most 500 characters."""
MAX_FILE_BYTES = 20 * 1024 * 1024
"""Telegram's own limit for a bot's downloads."""
TELEGRAM_WEB_CLIENTS = (
    "https://web.telegram.org",
    "https://webk.telegram.org",
    "https://webz.telegram.org",
)
CSP = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self' https://telegram.org",
        "style-src 'self'",
        "img-src 'self' blob: data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors " + " ".join(TELEGRAM_WEB_CLIENTS),
    )
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
IMAGE_TYPES = (
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"GIF87a", "image/gif", "gif"),
    (b"GIF89a", "image/gif", "gif"),
)


def sniffed(data: bytes) -> tuple[str, str, bool]:
    """(content type, extension, shown inline) judged from the bytes, never from a name:
    the images a browser shows safely, PDF as an attachment, anything else as bytes."""
    for magic, kind, extension in IMAGE_TYPES:
        if data.startswith(magic):
            return kind, extension, True
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp", "webp", True
    if data.startswith(b"%PDF-"):
        return "application/pdf", "pdf", False
    return "application/octet-stream", "bin", False


def _html(body: str, status: int = 200) -> Response:
    return HTMLResponse(body, status_code=status, headers=HEADERS)


Handler = Callable[[Request, AdminIdentity], Awaitable[Response]]


class Desk:
    """The desk's routes over the bot's services; ``clock`` is Unix time (tests move it)."""

    def __init__(
        self,
        *,
        settings: Settings,
        db: Database,
        bot: Bot,
        clock: Callable[[], float] = time.time,
        limit: PerUserLimit | None = None,
    ) -> None:
        self.settings = settings
        self.db = db
        self.bot = bot
        self.clock = clock
        self.limit = limit or PerUserLimit()
        self._static = {
            "desk.js": (STATIC / "desk.js").read_bytes(),
            "desk.css": (STATIC / "desk.css").read_bytes(),
        }

    def routes(self) -> list[BaseRoute]:
        api = [
            Route("/queue", self._guarded(self.queue)),
            Route("/applications/{id:int}", self._guarded(self.application)),
            Route("/applications/{id:int}/files/{number:int}", self._guarded(self.file)),
            Route(
                "/applications/{id:int}/decision",
                self._guarded(self.decision),
                methods=["POST"],
            ),
            Route("/cohorts/{id:int}", self._guarded(self.cohort)),
            Route("/cohorts/{id:int}/{picture:str}.png", self._guarded(self.cohort_picture)),
        ]
        return [
            Mount(
                "/desk",
                routes=[
                    Route("/", self.shell),
                    Route("/static/{name:str}", self.static),
                    Mount("/api", routes=api),
                ],
            )
        ]

    async def shell(self, request: Request) -> Response:
        return _html(pages.shell(request.url.path))

    async def static(self, request: Request) -> Response:
        name = request.path_params["name"]
        body = self._static.get(name)
        if body is None:
            return PlainTextResponse("not found", status_code=404, headers=HEADERS)
        kind = "text/javascript" if name.endswith(".js") else "text/css"
        headers = {**HEADERS, "Cache-Control": "public, max-age=300"}
        return Response(body, media_type=f"{kind}; charset=utf-8", headers=headers)

    def _guarded(self, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def guarded(request: Request) -> Response:
            scheme, _, raw = request.headers.get("authorization", "").partition(" ")
            default = translator(self.settings.default_locale)
            try:
                if scheme.lower() != "tma":
                    raise init_data.InitDataError(init_data.Refusal.MISSING)
                user = init_data.check(raw.strip(), token=self.settings.token, now=self.clock())
            except init_data.InitDataError:
                return _html(pages.refused(default), 401)
            if not self.limit.allow(user.id, time.monotonic()):
                return PlainTextResponse("slow down", status_code=429, headers=HEADERS)
            telegram = telegram_locale(user.language_code, default=self.settings.default_locale)

            def who(session: Session) -> AdminIdentity | None:
                return admin_behind(
                    session,
                    telegram_user_id=user.id,
                    telegram=telegram,
                    superadmin_ids=self.settings.superadmin_ids,
                )

            admin = await self.db.run(who)
            if admin is None:
                return _html(pages.refused(translator(telegram)), 403)
            return await handler(request, admin)

        return guarded

    async def queue(self, request: Request, admin: AdminIdentity) -> Response:
        t = translator(admin.locale)
        filters = Filters.parse(request.query_params)
        found = await self.db.run(lambda session: queue(session, admin, filters))
        return _html(pages.queue_page(found, filters, utcnow(), t))

    async def application(
        self, request: Request, admin: AdminIdentity, *, notice: str = ""
    ) -> Response:
        t = translator(admin.locale)
        application_id = request.path_params["id"]
        found = await self.db.run(lambda session: detail(session, admin, application_id))
        if found is None:
            return _html(pages.not_found(t), 404)
        refs = [] if found.case.anonymized else file_refs(found.case, t)
        return _html(pages.application_page(found, refs, t, notice=notice))

    async def file(self, request: Request, admin: AdminIdentity) -> Response:
        t = translator(admin.locale)
        application_id, number = request.path_params["id"], request.path_params["number"]
        found = await self.db.run(lambda session: detail(session, admin, application_id))
        refs = [] if found is None or found.case.anonymized else file_refs(found.case, t)
        if not 0 <= number < len(refs):
            return PlainTextResponse("not found", status_code=404, headers=HEADERS)
        try:
            data = await download_capped(self.bot, refs[number].file_id, max_bytes=MAX_FILE_BYTES)
        except (FileTooLarge, DownloadFailed):
            return PlainTextResponse("not available", status_code=502, headers=HEADERS)
        kind, extension, inline = sniffed(data)
        name = f"application-{application_id}-{number + 1}.{extension}"
        disposition = "inline" if inline else "attachment"
        headers = {**HEADERS, "Content-Disposition": f'{disposition}; filename="{name}"'}
        return Response(data, media_type=kind, headers=headers)

    async def decision(self, request: Request, admin: AdminIdentity) -> Response:
        t = translator(admin.locale)
        try:
            body = await read_body(request, MAX_BODY_BYTES)
        except TooLarge:
            return PlainTextResponse("too large", status_code=413, headers=HEADERS)
        try:
            form = parse_qs(body.decode(), max_num_fields=32, strict_parsing=False)
        except (UnicodeDecodeError, ValueError):
            return PlainTextResponse("bad request", status_code=400, headers=HEADERS)
        action = (form.get("action") or [""])[0]
        version = (form.get("version") or [""])[0]
        if action not in ("approve", "reject") or not version.isdecimal() or len(version) > 9:
            return PlainTextResponse("bad request", status_code=400, headers=HEADERS)
        codes = {reason.code: index for index, reason in enumerate(REASONS)}
        picked = form.get("reason") or []
        if any(code not in codes for code in picked):
            return PlainTextResponse("bad request", status_code=400, headers=HEADERS)
        mask = sum(1 << codes[code] for code in set(picked))
        note = (form.get("note") or [""])[0]
        decision = await decide_and_tell_seller(
            self.db, admin, application_id=request.path_params["id"], version=int(version),
            approve=action == "approve", mask=mask, note=note,
        )  # fmt: skip
        return await self.application(request, admin, notice=pages.decision_notice(decision, t))

    async def cohort(self, request: Request, admin: AdminIdentity) -> Response:
        t = translator(admin.locale)
        cohort_id = request.path_params["id"]
        now = utcnow()
        found = await self.db.run(
            lambda session: cohort_page.read(session, admin, cohort_id, now=now)
        )
        if found is None:
            return _html(pages.not_found(t), 404)
        link = cohort_page.join_link(self.bot.username, found.cohort.join_token)
        return _html(cohort_page.render(found, link, t, day=now.date()))

    async def cohort_picture(self, request: Request, admin: AdminIdentity) -> Response:
        cohort_id, picture = request.path_params["id"], request.path_params["picture"]
        if picture not in cohort_page.PICTURES:
            return PlainTextResponse("not found", status_code=404, headers=HEADERS)
        now = utcnow()
        found = await self.db.run(
            lambda session: cohort_page.read(session, admin, cohort_id, now=now)
        )
        if found is None:
            return PlainTextResponse("not found", status_code=404, headers=HEADERS)
        link = cohort_page.join_link(self.bot.username, found.cohort.join_token)
        data = await asyncio.to_thread(
            cohort_page.picture, picture, found, link, admin.locale, now.date()
        )
        name = f"cohort-{cohort_id}-{picture}.png"
        headers = {**HEADERS, "Content-Disposition": f'inline; filename="{name}"'}
        return Response(data, media_type="image/png", headers=headers)


def desk_routes(settings: Settings, db: Database, bot: Bot) -> Sequence[BaseRoute]:
    """The desk's routes when ``WEBAPP_URL`` is set, else none."""
    if not settings.webapp_url:
        return []
    return Desk(settings=settings, db=db, bot=bot).routes()


__all__ = ["Desk", "desk_routes"]
