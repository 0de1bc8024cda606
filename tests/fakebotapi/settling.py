"""``settle``: knowing an update was fully processed by the application under test."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from telegram.ext import Application

    from tests.fakebotapi.server import FakeBotAPI

__all__ = ["settle"]


async def settle(
    app: Application[Any, Any, Any, Any, Any, Any],
    api: FakeBotAPI,
    update_id: int | None = None,
    *,
    timeout: float = 5.0,
) -> None:
    """Return once ``app`` has fully processed update ``update_id`` (default: the last pushed).

    Three steps, each closing a gap the previous one leaves (PTB 22.8 internals):

    1. ``api.wait_fetched``: the updater confirmed the update with a later getUpdates offset,
       which it sends only after ``update_queue.put`` of everything it fetched.
    2. ``app.update_queue.join()``: the Application's fetcher calls ``task_done()`` in the
       ``finally`` of ``__process_update_wrapper``, i.e. after the update processor ran every
       blocking handler — also with ``concurrent_updates`` or a custom ``BaseUpdateProcessor``.
    3. Handlers with ``block=False`` and non-blocking error handlers run as tasks PTB names
       ``Application:<bot id>:process_...``; wait until none is left (they may spawn more).

    Work a handler hands to ``app.create_task`` under another name, or to the JobQueue, is not
    update processing: wait for its effect with ``api.wait_for``.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    target = api.last_update_id if update_id is None else update_id
    if target is not None:
        await api.wait_fetched(target, timeout=timeout)
    prefix = f"Application:{app.bot.id}:process_"
    try:
        async with asyncio.timeout_at(deadline):
            await app.update_queue.join()
            while True:
                busy = [
                    task
                    for task in asyncio.all_tasks()
                    if task.get_name().startswith(prefix)
                    and not task.done()
                    and task is not asyncio.current_task()
                ]
                if not busy:
                    return
                await asyncio.wait(busy)
    except TimeoutError:
        raise TimeoutError(
            f"the application did not finish update {target} within {timeout}s "
            f"({app.update_queue.qsize()} still queued); is a handler stuck?"
        ) from None
