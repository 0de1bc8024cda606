"""The warm sandbox: a child forked per parse from a process that loaded once, same limits."""

from __future__ import annotations

import time

import pytest

from bot.platform.sandbox import SandboxError, SandboxLimits
from bot.platform.warm_sandbox import WarmSandbox
from tests import sandbox_targets as targets

LIMITS = SandboxLimits(cpu_seconds=2, memory_bytes=512 * 1024 * 1024, wall_seconds=4.0)


async def test_each_parse_is_a_child_of_the_one_warm_process_that_loaded_once() -> None:
    warm = WarmSandbox("tests.sandbox_targets", "warm_up", limits=LIMITS, size=1)
    try:
        first = await warm.parse(targets.warmed_by, b"")
        second = await warm.parse(targets.warmed_by, b"")
        assert await warm.parse(targets.echo, b"abc", "!") == "abc!"
    finally:
        await warm.aclose()
    (loaded,), parent, child = first
    assert second[:2] == ([loaded], parent) and parent == loaded  # loaded once, forked twice
    assert child != second[2]  # a process of its own per parse


async def test_the_limits_hold_and_a_failed_parse_leaves_the_warm_process_serving() -> None:
    warm = WarmSandbox("tests.sandbox_targets", None, limits=LIMITS, size=1)
    try:
        started = time.monotonic()
        for target, reason in (
            (targets.spin, "timeout"),
            (targets.sleep, "timeout"),
            (targets.hog_memory, "memory"),
            (targets.die, "crashed"),
            (targets.evil, "crashed"),
        ):
            with pytest.raises(SandboxError) as stopped:
                await warm.parse(target, b"")
            assert stopped.value.reason == reason, target.__name__
        assert time.monotonic() - started < 4 * LIMITS.wall_seconds
        assert await warm.parse(targets.echo, b"still", "") == "still"
    finally:
        await warm.aclose()


async def test_a_warm_process_is_replaced_after_serving_its_share() -> None:
    warm = WarmSandbox("tests.sandbox_targets", "warm_up", limits=LIMITS, size=1, recycle_after=2)
    try:
        parents = [(await warm.parse(targets.warmed_by, b""))[1] for _ in range(3)]
    finally:
        await warm.aclose()
    assert parents[0] == parents[1] != parents[2]
