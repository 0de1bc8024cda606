"""An admin's double tap on "Send now" reaching two webhook workers at once (two real
``python -m bot run`` processes on one database, as behind a load balancer) launches each
draft once, and the outboxes of both workers message each seller once per draft.

Before the conditional claims: 19 broadcasts for 10 drafts on PostgreSQL, every recipient
messaged twice, nothing logged. On both databases (a SQLite file shared by two processes
too: one writer at a time, one sender by ``flock``).
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
from sqlmodel import Session, col, func, select

from bot.db.engine import make_engine
from bot.db.models import Broadcast
from bot.transport.web import SECRET_HEADER
from tests.fakebotapi import FakeBotAPI
from tests.processes import BotProcess, running_processes
from tests.reliability.test_double_taps import DRAFTS, OWNER, SELLERS, drafts_ready_to_send

FAST = {  # a test-sized outbox: 50 sends at once, ten to each chat
    "RATE_LIMIT_PER_SECOND": "1000",
    "CHAT_INTERVAL_SECONDS": "0.01",
    "OUTBOX_POLL_SECONDS": "0.1",
}


def tap(update_id: int, data: str) -> dict[str, Any]:
    """A tap of the owner on a button carrying ``data``, as Telegram posts it."""
    chat = {"id": OWNER, "type": "private", "first_name": "Owner"}
    return {
        "update_id": update_id,
        "callback_query": {
            "id": f"tap-{update_id}",
            "from": {"id": OWNER, "is_bot": False, "first_name": "Owner", "language_code": "en"},
            "chat_instance": "owner",
            "data": data,
            "message": {"message_id": 7, "date": 1_764_600_000, "chat": chat, "text": "…"},
        },
    }


async def test_send_now_tapped_on_two_workers_at_once_launches_once_and_messages_once(
    database_url: str, tmp_path: Path
) -> None:
    engine = make_engine(database_url)
    try:
        drafts = drafts_ready_to_send(engine, DRAFTS)
        async with FakeBotAPI() as api:
            workers = tuple(
                BotProcess(name=f"worker-{name}", token=api.token, api_url=api.url,
                           database_url=database_url, log_dir=tmp_path, extra_env=FAST)
                for name in "ab"
            )  # fmt: skip
            async with (
                running_processes(*workers),
                httpx.AsyncClient(timeout=20.0) as client,
            ):
                registered = await api.wait_for(lambda call: call.method == "setWebhook")
                headers = {SECRET_HEADER: registered.params["secret_token"]}
                posts = [
                    client.post(worker.local_webhook_url, json=tap(900 + 2 * n + w, data),
                                headers=headers)
                    for n, data in enumerate(f"adm_bc|send|{draft}." for draft in drafts)
                    for w, worker in enumerate(workers)
                ]  # fmt: skip
                answers = await asyncio.gather(*posts)
                assert {answer.status_code for answer in answers} == {200}
                deadline = time.monotonic() + 30
                while sum(sent_to_sellers(api).values()) < DRAFTS * len(SELLERS):
                    assert time.monotonic() < deadline, sent_to_sellers(api)
                    await asyncio.sleep(0.1)
                await asyncio.sleep(0.5)  # a second launch would be sending by now
            for worker in workers:
                assert "Traceback" not in worker.stderr, worker.report()
        with Session(engine) as session:
            broadcasts = session.exec(select(func.count()).select_from(Broadcast)).one()
            done = session.exec(
                select(func.count()).select_from(Broadcast).where(col(Broadcast.status) == "done")
            ).one()
        assert (broadcasts, done) == (DRAFTS, DRAFTS)
        assert sent_to_sellers(api) == {chat: DRAFTS for chat in SELLERS}
    finally:
        engine.dispose()


def sent_to_sellers(api: FakeBotAPI) -> Counter[int]:
    return Counter(
        call.chat_id
        for call in api.calls
        if call.ok and call.method == "sendMessage" and call.chat_id in SELLERS
    )
