"""Garbage collection around start-up (bot/platform/heap.py) and the shared TLS context."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from bot import cli
from bot.app import telegram_requests
from bot.platform import heap


@pytest.fixture
def collector() -> Iterator[None]:
    """Whatever a test does to the collector, the suite gets it back enabled and unfrozen."""
    yield
    gc.unfreeze()
    gc.enable()


def test_settle_freezes_what_start_up_built_and_collects_again(collector: None) -> None:
    heap.pause_collection()
    assert not gc.isenabled()
    built = [[index] for index in range(1_000)]  # start-up's long-lived objects
    heap.settle()
    assert gc.isenabled()
    assert gc.get_freeze_count() >= len(built)


def test_settle_without_a_pause_leaves_the_collector_alone(collector: None) -> None:
    heap.settle()
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0


def test_pausing_an_already_disabled_collector_does_not_enable_it_later(collector: None) -> None:
    gc.disable()
    heap.pause_collection()
    heap.settle()
    assert not gc.isenabled()
    assert gc.get_freeze_count() == 0


def test_both_telegram_clients_share_one_tls_context() -> None:
    calls, polling = telegram_requests()
    verify = [
        request._client._transport._pool._ssl_context  # type: ignore[attr-defined]
        for request in (calls, polling)
    ]
    assert verify[0] is verify[1]
    assert verify[0].verify_mode.name == "CERT_REQUIRED"


def test_a_run_that_fails_before_serving_collects_again(
    collector: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BOT_TOKEN", "not a token")
    assert cli.main(["run"]) == 2
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0
