"""Downloads stop at the limit, whatever size the server declared."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from bot.transport.downloads import FileTooLarge, stream_capped


async def chunked(total_mb: int, served: list[int]) -> AsyncIterator[bytes]:
    for _ in range(total_mb * 16):
        served.append(64 * 1024)
        yield b"x" * (64 * 1024)


async def test_a_stream_without_a_declared_length_is_cut_off_past_the_limit() -> None:
    served: list[int] = []
    transport = httpx.MockTransport(
        lambda request: httpx.Response(200, content=chunked(100, served))
    )
    with pytest.raises(FileTooLarge):
        await stream_capped("https://files.example/f", max_bytes=1 << 20, transport=transport)
    assert sum(served) < 3 << 20  # stopped near 1 MB of the 100 MB on offer


async def test_a_declared_length_over_the_limit_is_refused_before_reading() -> None:
    served: list[int] = []
    transport = httpx.MockTransport(
        lambda request: httpx.Response(
            200, headers={"content-length": str(50 << 20)}, content=chunked(50, served)
        )
    )
    with pytest.raises(FileTooLarge):
        await stream_capped("https://files.example/f", max_bytes=1 << 20, transport=transport)
    assert sum(served) <= 64 * 1024


async def test_a_file_within_the_limit_arrives_whole() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=b"title\nMug\n"))
    data = await stream_capped("https://files.example/f", max_bytes=1 << 20, transport=transport)
    assert data == b"title\nMug\n"
