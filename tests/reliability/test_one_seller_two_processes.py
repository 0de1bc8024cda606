"""50 updates from one seller at once across two bot processes sharing one database: the
result equals a serial replay of the order in which the database applied them, and each
accepted answer is applied exactly once.

Two real ``python -m bot run`` workers (webhook mode, as behind a load balancer) on one
database (SQLite file and PostgreSQL, the ``database_url`` fixture) get one seller's 50
updates of the one-process test (``one_seller.sequence``: taps and texts mixed, refusals,
stale taps, repeated deliveries) all at once: alternate updates to alternate workers, and
every fifth also to the other worker at the same moment (a redelivery landing elsewhere).

What is provable: nothing orders one seller's updates across processes, so the order of
the walk is not the order applied, and the stored result depends on the order the
database chose (a selfie taken first answers the ID step). The database does serialize
them (the seller's advisory lock on PostgreSQL, the one writer on SQLite) and records each
applied update with the time it was applied, inside that lock. So the test reads that
order back and proves:

- the stored application (state, answers, version, track, locale, step events) equals a
  serial replay, in one process, of exactly the applied updates in the database's order,
  each of them accepted again there: no write was lost or overwritten by a worker that
  read an older version, and every write was valid where the database applied it;
- each update was applied at most once (one record per update id, even those sent to both
  workers), and ``version`` moved once per applied update and never otherwise: no refused
  update, repeat or copy on the other worker changed anything.

Refused updates change nothing, so where they fell in the database's order does not move
the result; which of them were refused does depend on the order, and is not compared.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, select
from sqlmodel import Session, col

from bot.db.engine import make_engine
from bot.db.models import ProcessedUpdate
from bot.transport.web import SECRET_HEADER
from tests.fakebotapi import FakeBotAPI
from tests.processes import BotProcess, running_processes
from tests.reliability.driver import Driver
from tests.reliability.one_seller import ANSWERS, sequence

SPLIT, REPLAY = 4_444, 5_555
BOTH_EVERY = 5  # every fifth update also goes to the other worker at once
TIMEOUT = 20.0  # for one webhook POST, answered once the update has been handled


async def deliver(
    url: str, log_dir: Path, updates: list[dict[str, Any]], files: dict[str, bytes]
) -> int:
    """POST every update at once to two workers on ``url``; how many POSTs were made."""
    async with FakeBotAPI() as api:
        for file_id, data in files.items():
            api.add_file(file_id, data)
        workers = tuple(
            BotProcess(
                name=f"worker-{name}", token=api.token, api_url=api.url, database_url=url,
                log_dir=log_dir, extra_env={"RATE_LIMIT_PER_SECOND": "1000"},
            )
            for name in "ab"
        )  # fmt: skip
        async with running_processes(*workers), httpx.AsyncClient(timeout=TIMEOUT) as client:
            registered = await api.wait_for(lambda call: call.method == "setWebhook")
            headers = {SECRET_HEADER: registered.params["secret_token"]}

            async def post(worker: BotProcess, update: dict[str, Any]) -> None:
                # The webhook answers once the update has been handled (bot/transport/web.py).
                response = await client.post(worker.local_webhook_url, json=update, headers=headers)
                assert response.status_code == 200, f"{worker.name}: {response.status_code}"

            posts = [(workers[n % 2], update) for n, update in enumerate(updates)]
            posts += [
                (workers[(n + 1) % 2], update)
                for n, update in enumerate(updates)
                if n % BOTH_EVERY == 0
            ]
            await asyncio.gather(*(post(worker, update) for worker, update in posts))
        for worker in workers:
            log = worker.stderr
            assert "Traceback" not in log and " ERROR " not in log, worker.report()
    return len(posts)


def applied_in_order(engine: Engine, updates: list[dict[str, Any]]) -> list[int]:
    """Indexes into ``updates`` of those the database applied, in the order it did.

    Each record's time was taken inside the seller's lock, so it orders the writes.
    """
    index = {update["update_id"]: n for n, update in enumerate(updates)}
    with Session(engine) as session:
        rows = session.execute(
            select(ProcessedUpdate.update_id, ProcessedUpdate.created_at)  # type: ignore[call-overload]
            .where(col(ProcessedUpdate.update_id).in_(list(index)))
            .order_by(col(ProcessedUpdate.created_at))
        ).all()
    ids = [update_id for update_id, _at in rows]
    assert len(set(ids)) == len(ids), "an update was applied twice"
    times = [at for _id, at in rows]
    assert len(set(times)) == len(times), "two writes at the same instant: order unknown"
    return [index[update_id] for update_id in ids]


def test_fifty_updates_across_two_workers_equal_a_serial_replay_in_the_databases_order(
    database_url: str, tmp_path: Path
) -> None:
    engine = make_engine(database_url)
    driver = Driver(engine)
    try:
        for user_id in (SPLIT, REPLAY):
            driver.seller_at(user_id, "uk_individual", "id_document", ANSWERS)
        files: dict[str, bytes] = {}
        split = sequence(driver, SPLIT, repeats=True, add_file=files.__setitem__)
        replay = sequence(driver, REPLAY, repeats=True)  # the same updates, the other seller
        version_before = driver.state(SPLIT)[2]

        posts = asyncio.run(deliver(database_url, tmp_path, split, files))

        applied = applied_in_order(engine, split)
        accepted = 0
        for n in applied:  # one at a time, in the database's order (refusals are recorded too)
            before = driver.state(REPLAY)[2]
            driver.push(replay[n])
            accepted += driver.state(REPLAY)[2] != before
        result = driver.state(SPLIT)
        assert result == driver.state(REPLAY)
        _state, _answers, version, _track, _locale, steps = result
        assert version - version_before == accepted  # each accepted answer written once
        assert accepted < len(applied) <= len({u["update_id"] for u in split}) < posts
        assert len(steps) >= 1
    finally:
        driver.close()
        engine.dispose()
