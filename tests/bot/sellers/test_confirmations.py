"""The confirmation a seller's row keeps: bound to a nonce, a message and a deadline."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.sellers.confirmations import TTL, Confirmation
from bot.transport.keyboards import MAX_CALLBACK_BYTES, restart_keyboard

NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)


def sent() -> Confirmation:
    return Confirmation.issue("restart", now=NOW).sent_as(42)


def test_a_sent_confirmation_accepts_its_own_tap_until_it_expires() -> None:
    confirmation = sent()
    tap = {"nonce": confirmation.nonce, "message_id": 42}
    assert confirmation.accepts("restart", **tap, now=NOW)
    assert confirmation.accepts("restart", **tap, now=NOW + TTL - dt.timedelta(seconds=1))
    assert not confirmation.accepts("restart", **tap, now=NOW + TTL)


def test_another_nonce_message_or_action_is_refused() -> None:
    confirmation = sent()
    nonce = confirmation.nonce
    other = nonce[:-1] + ("y" if nonce.endswith("x") else "x")  # a random nonce may end in x
    assert not confirmation.accepts("restart", nonce=other, message_id=42, now=NOW)
    assert not confirmation.accepts("restart", nonce=nonce, message_id=41, now=NOW)
    assert not confirmation.accepts("delete", nonce=nonce, message_id=42, now=NOW)


def test_a_confirmation_not_yet_sent_accepts_nothing() -> None:
    issued = Confirmation.issue("restart", now=NOW)
    assert issued.message_id is None
    assert not issued.accepts("restart", nonce=issued.nonce, message_id=1, now=NOW)


def test_nonces_differ_and_fit_in_the_callback_data() -> None:
    nonces = {Confirmation.issue("restart", now=NOW).nonce for _ in range(1000)}
    assert len(nonces) == 1000
    keyboard = restart_keyboard(nonces.pop(), "yes", "no")
    for button in keyboard.inline_keyboard[0]:
        assert len(str(button.callback_data).encode()) <= MAX_CALLBACK_BYTES


def test_the_stored_form_reads_back_the_same() -> None:
    confirmation = sent()
    assert Confirmation.from_json(confirmation.to_json()) == confirmation


@pytest.mark.parametrize(
    "stored",
    [
        None,
        {},
        {"action": "restart", "nonce": "abc"},
        {"action": "restart", "nonce": "abc", "expires_at": "soon", "message_id": 1},
        {"action": "restart", "nonce": "abc", "expires_at": NOW.isoformat(), "message_id": "1"},
    ],
)
def test_a_missing_or_unreadable_stored_confirmation_is_none(stored: object) -> None:
    assert Confirmation.from_json(stored) is None  # type: ignore[arg-type]


def test_a_naive_stored_deadline_is_read_as_utc() -> None:
    stored = {**sent().to_json(), "expires_at": "2026-12-01T12:10:00"}
    confirmation = Confirmation.from_json(stored)
    assert confirmation is not None and confirmation.expires_at == NOW + TTL
