"""The digest that, with the update id, tells a redelivered update from a new one."""

from __future__ import annotations

from typing import Any

from telegram import Update

from bot.transport.redelivery import update_digest

USER = {"id": 7, "is_bot": False, "first_name": "Ann"}
CHAT = {"id": 7, "type": "private", "first_name": "Ann"}


def _message(message_id: int, text: str, date: int = 1_764_547_200) -> dict[str, Any]:
    return {
        "update_id": 5,
        "message": {
            "message_id": message_id,
            "date": date,
            "chat": CHAT,
            "from": USER,
            "text": text,
        },
    }


def _tap(query_id: str) -> dict[str, Any]:
    message = _message(3, "Pick a market")["message"]
    return {
        "update_id": 5,
        "callback_query": {
            "id": query_id,
            "from": USER,
            "chat_instance": "1",
            "data": "uk",
            "message": message,
        },
    }


def digest(data: dict[str, Any]) -> str:
    return update_digest(Update.de_json(data, None))


def test_a_redelivered_update_has_the_same_digest() -> None:
    assert digest(_message(10, "hello")) == digest(_message(10, "hello"))
    assert digest(_tap("77")) == digest(_tap("77"))


def test_an_update_id_reused_for_another_message_or_tap_has_another_digest() -> None:
    """After a quiet week Telegram may reuse update ids; the demo restarts them at 1."""
    assert digest(_message(10, "hello")) != digest(_message(11, "hello"))
    assert digest(_message(10, "hello")) != digest(_message(10, "hello", date=1_764_547_201))
    assert digest(_tap("77")) != digest(_tap("78"))
    assert digest(_tap("77")) != digest(_message(3, "Pick a market"))


def test_an_edit_is_not_the_message_it_edits() -> None:
    edited = _message(10, "hello again")
    edited["edited_message"] = {**edited.pop("message"), "edit_date": 1_764_547_260}
    assert digest(edited) != digest(_message(10, "hello"))


def test_other_kinds_of_update_fall_back_to_their_whole_content() -> None:
    member = {
        "chat": CHAT, "from": USER, "date": 1_764_547_200,
        "old_chat_member": {"status": "member", "user": USER},
        "new_chat_member": {"status": "kicked", "user": USER, "until_date": 0},
    }  # fmt: skip
    blocked = {"update_id": 5, "my_chat_member": member}
    unblocked = {
        "update_id": 5,
        "my_chat_member": {**member, "new_chat_member": {"status": "member", "user": USER}},
    }
    assert digest(blocked) == digest(blocked)
    assert digest(blocked) != digest(unblocked)
    assert len(digest(blocked)) == 32
