"""Download a seller's file with a hard cap on the bytes actually received.

The ``file_size`` in an update, and even the one ``getFile`` reports, is what a server
says; the bytes that arrive are what the bot pays for. So the download is streamed and
stopped at the first chunk past the limit, whatever was declared.
"""

from __future__ import annotations

import asyncio

import httpx
from telegram import Bot
from telegram.error import BadRequest, TelegramError
from telegram.request import HTTPXRequest

__all__ = ["DownloadFailed", "FileTooLarge", "download_capped", "stream_capped"]

_CHUNK = 64 * 1024


class FileTooLarge(Exception):
    """More than the limit was declared, or arrived."""


class DownloadFailed(Exception):
    """Telegram did not hand the file over (network error, expired file id…)."""


async def download_capped(
    bot: Bot, file_id: str, *, max_bytes: int, timeout: float = 60.0
) -> bytes:
    """The file's bytes; ``FileTooLarge`` past ``max_bytes``, ``DownloadFailed`` otherwise."""
    try:
        async with asyncio.timeout(timeout):
            file = await bot.get_file(file_id)
            if file.file_size is not None and file.file_size > max_bytes:
                raise FileTooLarge
            if not file.file_path:
                raise DownloadFailed
            if not isinstance(bot.request, HTTPXRequest):
                # An in-process Bot API (the demo's): the bytes are in memory already.
                data = bytes(await file.download_as_bytearray())
            else:
                data = await stream_capped(file.file_path, max_bytes=max_bytes, timeout=timeout)
    except BadRequest as error:
        if "too big" in error.message:  # Telegram hands out files up to 20 MB only
            raise FileTooLarge from None
        raise DownloadFailed from None
    except (TelegramError, httpx.HTTPError, TimeoutError):
        raise DownloadFailed from None  # the URL holds the token: keep it out of tracebacks
    if len(data) > max_bytes:
        raise FileTooLarge
    return data


async def stream_capped(
    url: str,
    *,
    max_bytes: int,
    timeout: float = 60.0,
    transport: httpx.AsyncBaseTransport | None = None,
) -> bytes:
    """GET ``url``, refusing (``FileTooLarge``) as soon as more than ``max_bytes`` arrive."""
    received = bytearray()
    async with (
        httpx.AsyncClient(
            timeout=httpx.Timeout(timeout, connect=10.0), transport=transport
        ) as client,
        client.stream("GET", url) as response,
    ):
        if response.status_code != 200:
            raise DownloadFailed
        declared = response.headers.get("content-length", "")
        if declared.isdecimal() and int(declared) > max_bytes:
            raise FileTooLarge
        async for chunk in response.aiter_bytes(_CHUNK):
            received += chunk
            if len(received) > max_bytes:
                raise FileTooLarge  # stop reading: the rest is never fetched
    return bytes(received)
