"""The sandbox: a parse runs in a limited child process and cannot hurt the bot."""

from __future__ import annotations

import asyncio
import itertools
import os
import pickle
import time

import pytest

from bot.platform.sandbox import SandboxError, SandboxLimits, load_answer, parse_in_sandbox
from tests import sandbox_targets as targets

FAST = SandboxLimits(cpu_seconds=2, wall_seconds=10.0)


async def test_the_child_runs_the_function_and_returns_its_answer() -> None:
    assert await parse_in_sandbox(targets.echo, b"seller", " file") == "seller file"


async def test_a_parse_that_allocates_without_bound_is_stopped_as_out_of_memory() -> None:
    with pytest.raises(SandboxError) as refused:
        await parse_in_sandbox(targets.hog_memory, b"", limits=FAST)
    assert refused.value.reason == "memory"


async def test_a_parse_that_spins_is_killed_at_the_cpu_limit() -> None:
    started = time.monotonic()
    with pytest.raises(SandboxError) as refused:
        await parse_in_sandbox(targets.spin, b"", limits=FAST)
    assert refused.value.reason == "timeout"
    assert time.monotonic() - started < FAST.wall_seconds + 5


async def test_a_parse_that_waits_is_killed_at_the_wall_clock_deadline() -> None:
    started = time.monotonic()
    with pytest.raises(SandboxError) as refused:
        await parse_in_sandbox(targets.sleep, b"", limits=SandboxLimits(wall_seconds=1.0))
    assert refused.value.reason == "timeout"
    assert time.monotonic() - started < 10


async def test_a_child_that_dies_or_says_too_much_is_a_crash() -> None:
    for target in (targets.die, targets.chatter):
        with pytest.raises(SandboxError) as refused:
            await parse_in_sandbox(target, b"", limits=FAST)
        assert refused.value.reason == "crashed"


async def test_the_child_inherits_neither_the_token_nor_open_descriptors(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BOT_TOKEN", "123456:SECRET-never-in-the-child")
    parent_fd = os.open(os.devnull, os.O_RDONLY)  # stands in for a database connection
    try:
        environment = await parse_in_sandbox(targets.environment, b"")
        descriptors = await parse_in_sandbox(targets.open_descriptors, b"")
    finally:
        os.close(parent_fd)
    assert "BOT_TOKEN" not in environment
    assert not any("SECRET" in value for value in environment.values())
    assert parent_fd not in descriptors
    assert max(descriptors) <= 3  # stdin, stdout, stderr and the listing's own


async def test_an_answer_that_would_run_code_is_refused() -> None:
    with pytest.raises(SandboxError) as refused:
        await parse_in_sandbox(targets.evil, b"")
    assert refused.value.reason == "crashed"
    with pytest.raises(pickle.UnpicklingError):
        load_answer(pickle.dumps(targets.Evil()))


async def test_the_event_loop_keeps_running_while_a_child_spins() -> None:
    ticks: list[float] = []

    async def ticker() -> None:
        while True:
            ticks.append(time.monotonic())
            await asyncio.sleep(0.01)

    task = asyncio.create_task(ticker())
    try:
        with pytest.raises(SandboxError):
            await parse_in_sandbox(targets.spin, b"", limits=FAST)
    finally:
        task.cancel()
    gaps = [later - earlier for earlier, later in itertools.pairwise(ticks)]
    assert len(ticks) > 20
    assert max(gaps) < 0.5  # generous: the machine is shared; a blocked loop misses it by far
