"""Broadcast HTML Telegram would refuse never gets past the composer: typed, it is refused
with its reason; already in a draft (saved before this check), the preview says why and
Send launches nothing. The fake Bot API parses HTML as Telegram does, so an accepted text
that Telegram refused would fail these tests. On both databases.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, func, select

from bot.db.models import Broadcast, BroadcastDraft
from tests.bot.broadcasts.broadcast_helpers import (
    OWNER_A,
    ask_and_answer,
    cohort,
    latest_draft,
    seller,
    tap,
    two_providers,
)
from tests.bot.broadcasts.test_broadcast_compose import new_draft
from tests.harness import running_bot

APOLOGY = "Something went wrong"
REFUSED = [
    ("<?php echo 1 ?> hello", "Telegram HTML has no <?php echo 1 ?>"),
    ("<!DOCTYPE html> hello", "Telegram HTML has no <!DOCTYPE html>"),
    ("<b>x</b foo>", "</b foo> is not a closing tag Telegram accepts"),
]


def put_in_spec(engine: Engine, draft_id: int, **values: Any) -> None:
    """Write into a draft directly, as an older version of the bot may have."""
    with Session(engine) as session:
        draft = session.get(BroadcastDraft, draft_id)
        assert draft is not None
        draft.spec = {**draft.spec, **values}
        session.add(draft)
        session.commit()


@pytest.mark.parametrize(("text", "reason"), REFUSED)
async def test_html_telegram_refuses_is_refused_when_typed_and_blocks_preview_and_send(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, text: str, reason: str
) -> None:
    provider_a, _ = two_providers(engine, monkeypatch)
    uk = cohort(engine, provider_a, "uk", "UK")
    for user_id in (9_101, 9_102):
        seller(engine, user_id, uk)
    async with running_bot(engine) as bot:
        draft_id = await new_draft(bot, engine, uk)
        typed = await ask_and_answer(bot, OWNER_A, draft_id, "text:all", text)
        assert reason in typed
        assert latest_draft(engine, OWNER_A).spec["texts"] == {}
        put_in_spec(engine, draft_id, texts={"all": text})  # saved before the check existed
        preview = await tap(bot, OWNER_A, "pv", f"{draft_id}.")
        shown = "\n".join(call.text or "" for call in preview if call.method == "sendMessage")
        assert reason in shown and APOLOGY not in shown
        assert not [c for c in preview if c.ok is False]  # nothing reached Telegram refused
        sent = await tap(bot, OWNER_A, "send", f"{draft_id}.")
        told = "\n".join(call.text or "" for call in sent if call.method == "sendMessage")
        assert reason in told
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Broadcast)).one() == 0
        assert latest_draft(engine, OWNER_A).status == "composing"


async def test_a_message_telegram_still_refuses_at_preview_is_explained_without_send(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider_a, _ = two_providers(engine, monkeypatch)
    uk = cohort(engine, provider_a, "uk", "UK")
    async with running_bot(engine) as bot:
        draft_id = await new_draft(bot, engine, uk)
        await ask_and_answer(bot, OWNER_A, draft_id, "text:all", "<b>Hello</b>")
        put_in_spec(engine, draft_id, media={"kind": "photo", "file_id": "gone"})  # no such file
        bot.api.fail_next("sendPhoto", error_code=400, chat_id=OWNER_A.id,
                          description="Bad Request: wrong file identifier")  # fmt: skip
        heading = await tap(bot, OWNER_A, "pv", f"{draft_id}.")
        texts = [call.text or "" for call in heading if call.method == "sendMessage" and call.ok]
    assert any("Telegram refused this message (Wrong file identifier)" in t for t in texts), texts
    assert all(APOLOGY not in t for t in texts)
    assert not any(
        call.inline_keyboard for call in heading if call.method == "sendMessage" and call.ok
    )  # no Send button
