"""The ordered update processor: a seller's queued updates hold one processing slot."""

from __future__ import annotations

import asyncio

from telegram import Update

from bot.offline.demo_user import DemoUser
from bot.transport.ordering import SellerOrderedUpdateProcessor


def _update(user_id: int) -> Update:
    return Update.de_json(DemoUser(user_id=user_id).text("hi"), None)


async def test_a_sellers_queued_updates_leave_the_other_slots_free() -> None:
    processor = SellerOrderedUpdateProcessor(4, stripes=64)
    release = asyncio.Event()
    bystander_done = asyncio.Event()

    async def flooded() -> None:
        await release.wait()

    async def bystander() -> None:
        bystander_done.set()

    flood = [
        asyncio.create_task(processor.process_update(_update(1), flooded())) for _ in range(20)
    ]
    other = asyncio.create_task(processor.process_update(_update(2), bystander()))
    # before: the flood's first four updates took all four slots, and this never happened
    await asyncio.wait_for(bystander_done.wait(), timeout=10)
    assert processor.current_concurrent_updates == 1  # the flood's first update only
    release.set()
    await asyncio.gather(*flood, other)


async def test_updates_over_a_senders_queue_limit_are_dropped_with_one_notice() -> None:
    told: list[int] = []

    async def notice(update: Update) -> None:
        assert update.effective_user is not None
        told.append(update.effective_user.id)

    processor = SellerOrderedUpdateProcessor(8, stripes=64, queue_limit=3, on_flood=notice)
    ran: list[int] = []

    async def handle(n: int) -> None:
        await asyncio.sleep(0)
        ran.append(n)

    await asyncio.gather(*(processor.process_update(_update(1), handle(n)) for n in range(10)))
    assert ran == [0, 1, 2] and processor.dropped == 7 and told == [1]
