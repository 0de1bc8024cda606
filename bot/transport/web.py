"""The bot's HTTP side: the Telegram webhook, ``/healthz``, ``/readyz`` and ``/metrics``.

Served by uvicorn in both modes (in polling mode only the health routes answer), so an
orchestrator or Docker's HEALTHCHECK can ask the same questions either way. ``/readyz``
asks the database and whatever the runner adds (the outbox: ``bot.outbox.service``).

The webhook answers 200 only once the update is safe, because 200 is Telegram's signal
to forget it:

- a body over ``MAX_BODY_BYTES`` gets 413, judged by ``Content-Length`` before reading and
  by counting while streaming otherwise, so a huge body is never held in memory;
- anything that is not a valid update (bad JSON, JSON nested too deep, a wrong shape:
  ``bot.transport.update_shape``) gets 400 and is not processed;
- a valid update is *processed* before the answer, through PTB's update processor (so the
  per-seller ordering and the concurrency bound still hold): 200 when it was applied (or
  was a redelivery, or hit a bug an apology covers), 503 when the database could not be
  reached, so Telegram delivers it again later (``bot.transport.errors.unsafe_updates``).

``/metrics`` (Prometheus' text format) exists only when a metrics token is configured, and
answers only a request bearing it (401 without one, 403 with a wrong one): the figures say
how busy the bot is, which is nobody else's business. It renders the process-wide metrics
(``bot.platform.metrics``) and the database-backed ``collectors`` handed in, in a worker
thread, since those may read the database.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.registry import Collector
from sqlalchemy import Engine, text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route
from telegram import Update
from telegram.ext import Application

from bot.db.revision import is_current
from bot.transport.errors import unsafe_updates
from bot.transport.update_shape import ShapeError, check_update

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY_BYTES = 1 << 20
"""Telegram's updates are a few kilobytes; 1 MB is generous."""


class TooLarge(Exception):
    pass


async def read_body(request: Request, limit: int) -> bytes:
    """The body, or ``TooLarge`` as soon as it is known to exceed ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdecimal() or int(declared) > limit):
        raise TooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _parse(body: bytes) -> Any:
    """The JSON of a valid update, else ``ValueError``."""
    try:
        data = json.loads(body)
    except RecursionError as error:  # nested thousands deep
        raise ValueError("nested too deep") from error
    try:
        check_update(data)
    except ShapeError as error:
        raise ValueError("not an update") from error
    return data


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


ReadyCheck = Callable[[], Awaitable[bool]]
"""A further readiness question, answered without raising (the outbox's, say)."""


def render_metrics(collectors: Sequence[Collector]) -> bytes:
    """The process-wide metrics, then ``collectors`` (blocking: they may read the database)."""
    own = CollectorRegistry(auto_describe=False)
    for collector in collectors:
        own.register(collector)
    return generate_latest(REGISTRY) + generate_latest(own)


def bearer_refusal(request: Request, token: str) -> Response | None:
    """None when the request bears ``token``; else 401 (no credentials) or 403 (wrong)."""
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not given:
        return PlainTextResponse(
            "unauthorized", status_code=401, headers={"WWW-Authenticate": "Bearer"}
        )
    if not hmac.compare_digest(given.strip().encode(), token.encode()):
        return PlainTextResponse("forbidden", status_code=403)
    return None


def make_web_app(
    app: Application,  # type: ignore[type-arg]
    engine: Engine,
    *,
    webhook_path: str | None,
    secret: str | None,
    metrics_token: str | None = None,
    collectors: Sequence[Collector] = (),
    checks: Mapping[str, ReadyCheck] | None = None,
    mounted: Sequence[BaseRoute] = (),
) -> Starlette:
    """The ASGI app; ``webhook_path`` None serves only the health routes (polling mode),
    ``metrics_token`` None no ``/metrics``.

    ``mounted`` are further routes an entry point adds (the review desk: ``bot.desk.web``).
    ``/readyz`` answers 503 unless the database and every one of ``checks`` say ready;
    the JSON names each answer (``{"database": true, "outbox": false}``).
    """

    async def healthz(_request: Request) -> Response:
        return PlainTextResponse("ok")

    async def readyz(_request: Request) -> Response:
        answers = {"database": await asyncio.to_thread(database_ready, engine)}
        for name, check in (checks or {}).items():
            answers[name] = await check()
        ready = all(answers.values())
        return JSONResponse(answers, status_code=200 if ready else 503)

    async def telegram(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "")
        if secret is None or not hmac.compare_digest(given.encode(), secret.encode()):
            return PlainTextResponse("forbidden", status_code=403)
        try:
            body = await read_body(request, MAX_BODY_BYTES)
        except TooLarge:
            return PlainTextResponse("too large", status_code=413)
        try:
            update = Update.de_json(_parse(body), app.bot)
        except (ValueError, KeyError, TypeError, AttributeError):
            return PlainTextResponse("bad update", status_code=400)
        with unsafe_updates() as outages:
            await app.update_processor.process_update(update, app.process_update(update))
        if outages:
            return PlainTextResponse("not applied; deliver again", status_code=503)
        return Response(status_code=200)

    async def metrics(request: Request) -> Response:
        assert metrics_token is not None
        refusal = bearer_refusal(request, metrics_token)
        if refusal is not None:
            return refusal
        body = await asyncio.to_thread(render_metrics, collectors)
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    routes: list[BaseRoute] = [Route("/healthz", healthz), Route("/readyz", readyz)]
    if metrics_token:
        routes.append(Route("/metrics", metrics))
    if webhook_path is not None:
        routes.append(Route(webhook_path, telegram, methods=["POST"]))
    return Starlette(routes=[*routes, *mounted])
