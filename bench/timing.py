"""Small timing helpers: best-of-N medians, so one noisy run does not decide a figure."""

from __future__ import annotations

import statistics
import time
from collections.abc import Awaitable, Callable


def per_call(run: Callable[[], None], *, calls: int, repeats: int = 5) -> float:
    """Median seconds per call of ``run`` over ``repeats`` batches of ``calls``."""
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            run()
        samples.append((time.perf_counter() - start) / calls)
    return statistics.median(samples)


async def per_call_async(
    run: Callable[[], Awaitable[None]], *, calls: int, repeats: int = 3
) -> float:
    """Median seconds per call of an async ``run``."""
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            await run()
        samples.append((time.perf_counter() - start) / calls)
    return statistics.median(samples)


def report(name: str, seconds: float, baseline: float | None = None, base_name: str = "") -> None:
    """One line: the figure in µs and, with a baseline, the ratio to it."""
    line = f"{name:<58} {seconds * 1e6:9.1f} µs"
    if baseline:
        line += f"   ×{seconds / baseline:5.2f} vs {base_name}"
    print(line)
