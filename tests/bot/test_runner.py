"""Start-up waits for its dependencies with backoff, and says so."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy.exc import OperationalError
from telegram.error import NetworkError

from bot.runner import retrying


class Waits(list[float]):
    """Records the waits instead of waiting."""

    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def no_sleeping() -> Waits:
    return Waits()


async def test_telegram_unreachable_at_start_is_retried_with_growing_waits_and_logged(
    no_sleeping: Waits, caplog: pytest.LogCaptureFixture
) -> None:
    attempts = 0

    async def get_me() -> str:
        nonlocal attempts
        attempts += 1
        if attempts < 4:
            raise NetworkError("connection refused")
        return "ok"

    with caplog.at_level(logging.WARNING, logger="bot.runner"):
        assert (
            await retrying("Telegram", get_me, retry_on=(NetworkError,), sleep=no_sleeping) == "ok"
        )
    assert attempts == 4
    assert no_sleeping == [1.0, 2.0, 4.0]
    messages = [record.getMessage() for record in caplog.records]
    assert messages[0] == (
        "Telegram unreachable (NetworkError: connection refused (nothing listens there)); "
        "retry 1/7 in 1s"
    )
    assert len(messages) == 3


async def test_a_database_that_never_comes_up_fails_start_up_after_the_last_try(
    no_sleeping: Waits,
) -> None:
    async def migrate() -> None:
        raise OperationalError("SELECT 1", {}, Exception("could not connect"))

    with pytest.raises(OperationalError):
        await retrying(
            "database",
            migrate,
            retry_on=(OperationalError,),
            tries=5,
            max_delay=3,
            sleep=no_sleeping,
        )
    assert no_sleeping == [1.0, 2.0, 3.0, 3.0]


async def test_other_errors_are_not_retried(no_sleeping: Waits) -> None:
    async def broken() -> None:
        raise ValueError("a bug, not an outage")

    with pytest.raises(ValueError, match="a bug"):
        await retrying("Telegram", broken, retry_on=(NetworkError,), sleep=no_sleeping)
    assert no_sleeping == []
