"""The bot's HTTP side: the Telegram webhook, ``/healthz`` and ``/readyz``.

Served by uvicorn in both modes (in polling mode only the health routes answer), so an
orchestrator or Docker's HEALTHCHECK can ask the same questions either way. The webhook
follows PTB's custom-webhook example: the update is checked, parsed and queued; PTB's
update processor handles it like a polled one.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
from typing import Any

from sqlalchemy import Engine, text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from telegram import Update
from telegram.ext import Application

from bot.db.migrate import is_current

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def webhook_secret(token: str, configured: str | None) -> str:
    """The secret Telegram must echo; derived from the token when not configured.

    Deriving it keeps every worker of one bot agreeing without another setting, and
    Telegram allows only ``A-Z a-z 0-9 _ -`` (up to 256 characters).
    """
    if configured:
        return configured
    return hashlib.sha256(f"webhook:{token}".encode()).hexdigest()


def database_ready(engine: Engine) -> bool:
    """The database answers and is migrated to the newest revision."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return is_current(engine)
    except Exception:
        log.warning("readiness check: database not ready", exc_info=True)
        return False


def make_web_app(
    app: Application,  # type: ignore[type-arg]
    engine: Engine,
    *,
    webhook_path: str | None,
    secret: str | None,
) -> Starlette:
    """The ASGI app; ``webhook_path`` None serves only the health routes (polling mode)."""

    async def healthz(_request: Request) -> Response:
        return PlainTextResponse("ok")

    async def readyz(_request: Request) -> Response:
        ready = await asyncio.to_thread(database_ready, engine)
        return JSONResponse({"database": ready}, status_code=200 if ready else 503)

    async def telegram(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "")
        if secret is None or not hmac.compare_digest(given.encode(), secret.encode()):
            return PlainTextResponse("forbidden", status_code=403)
        try:
            data: Any = json.loads(await request.body())
            if not isinstance(data, dict):
                raise TypeError("an update is a JSON object")
            update = Update.de_json(data, app.bot)
        except (ValueError, KeyError, TypeError, AttributeError):
            return PlainTextResponse("bad update", status_code=400)
        await app.update_queue.put(update)
        return Response(status_code=200)

    routes = [Route("/healthz", healthz), Route("/readyz", readyz)]
    if webhook_path is not None:
        routes.append(Route(webhook_path, telegram, methods=["POST"]))
    return Starlette(routes=routes)
