"""How well and how fast each OCR engine reads the generated licences and KTPs.

``python -m bench.bench_documents [--engine tesseract|rapidocr] [--count N]``: every photo
of ``tests/documents/synthetic.py`` (200 licences and 200 KTPs; ``BENCH_SHORT=1``: 20 of
each) through the bot's own path: a child forked per photo from a warm sandboxed process
that loaded the engine once (``bot.platform.warm_sandbox``; ``--cold``: a fresh interpreter
per photo, ``parse_in_sandbox``, so a figure includes its start, imports and model load),
one at a time unless ``--concurrent N``. Printed per
engine: USCC, company name and NIK exact (a missing proposal counts as a miss), proposals
that pass the validator yet are wrong, the median and p95 seconds per photo, and the peak
RSS of a reading child. Targets (issue 21): USCC ≥ 95 %, company name ≥ 90 %, NIK ≥ 95 %,
wrong-but-valid ≤ 0.5 %, median ≤ 2 s, p95 ≤ 4 s. The machine's load is printed with the
figures: other people's tests share its two cores.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import time

from bench.results import emit, short
from bot.documents.engines import warm_up
from bot.documents.reader import LIMITS, read_photo
from bot.platform.sandbox import SandboxError, parse_in_sandbox
from bot.platform.warm_sandbox import WarmSandbox
from flows.documents import DocumentKind, Proposal
from tests.documents.synthetic import Sample, render, samples

ENGINES = ("tesseract", "rapidocr")
CHECKED = {"licence": ("uscc", "company_name", "legal_representative"), "ktp": ("nik",)}


def warm_rapidocr() -> None:
    """The warm process's load: this module's imports and RapidOCR's models."""
    warm_up()


def measured_read(
    data: bytes, kind: DocumentKind, engine: str
) -> tuple[Proposal | str, int, float]:
    """In the child: :func:`read_photo`, the child's peak RSS in KiB and its CPU seconds
    (a cold child's start-up and imports included; a forked child's usage starts at the
    fork)."""
    answer = read_photo(data, kind, engine)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return answer, usage.ru_maxrss, usage.ru_utime + usage.ru_stime


async def run(
    engine: str, count: int, concurrent: int = 1, *, cold: bool = False
) -> dict[str, float]:
    """Read ``count`` photos of each kind with ``engine``, ``concurrent`` at a time (the
    cold sandbox admits at most ``LIMITS.concurrent``); the figures, as percentages and s."""
    right: dict[str, int] = {}
    wrong: dict[str, int] = {}
    seconds: list[float] = []
    cpu: list[float] = []
    peak = 0
    gate = asyncio.Semaphore(concurrent)
    warm = None
    if not cold:
        load = "warm_rapidocr" if engine == "rapidocr" else None
        warm = WarmSandbox("bench.bench_documents", load, limits=LIMITS, size=concurrent)
        await warm.parse(measured_read, b"", "ktp", engine)  # started before the clock

    async def read(kind: DocumentKind, sample: Sample) -> None:
        nonlocal peak
        async with gate:
            started = time.perf_counter()
            try:
                if warm is not None:
                    answer, rss, used = await warm.parse(measured_read, sample.photo, kind, engine)
                else:
                    answer, rss, used = await parse_in_sandbox(
                        measured_read, sample.photo, kind, engine, limits=LIMITS
                    )
            except SandboxError as error:
                answer, rss, used = f"sandbox {error.reason}", 0, LIMITS.cpu_seconds
            seconds.append(time.perf_counter() - started)
        cpu.append(used)
        peak = max(peak, rss)
        fields = answer.fields if isinstance(answer, Proposal) else {}
        for name in CHECKED[kind]:
            if name in fields:
                tally = right if fields[name] == sample.truth[name] else wrong
                tally[name] = tally.get(name, 0) + 1
        if len(cpu) % 50 == 0:  # a long run shows where it is
            print(f"  {engine}: {len(cpu)} read; right {right}, wrong {wrong}", flush=True)

    kinds: tuple[DocumentKind, ...] = ("licence", "ktp")
    try:
        await asyncio.gather(
            *(read(kind, sample) for kind in kinds for sample in samples(kind, count))
        )
    finally:
        if warm is not None:
            await warm.aclose()
    seconds.sort()
    cpu.sort()
    codes_wrong = wrong.get("uscc", 0) + wrong.get("nik", 0)
    return {
        "USCC exact %": 100 * right.get("uscc", 0) / count,
        "company name exact %": 100 * right.get("company_name", 0) / count,
        "legal representative exact %": 100 * right.get("legal_representative", 0) / count,
        "NIK exact %": 100 * right.get("nik", 0) / count,
        "valid but wrong codes %": 100 * codes_wrong / (2 * count),
        "valid but wrong names %": 100
        * (
            wrong.get("company_name", 0)
            + wrong.get("legal_representative", 0)
            + wrong.get("name", 0)
        )
        / (2 * count),
        "median s": statistics.median(seconds),
        "p95 s": _p95(seconds),
        "median CPU s": statistics.median(cpu),
        "p95 CPU s": _p95(cpu),
        "peak RSS MB": peak / 1024,
    }


def _p95(ordered: list[float]) -> float:
    return ordered[min(len(ordered) - 1, round(0.95 * len(ordered)))]


async def main(
    engines: tuple[str, ...] = ENGINES,
    count: int | None = None,
    concurrent: int = 1,
    *,
    cold: bool = False,
) -> None:
    count = count or (20 if short() else 200)
    render(count, workers=2)  # before any clock starts; cached for the next run
    for engine in engines:
        load = os.getloadavg()[0]
        figures = await run(engine, count, concurrent, cold=cold)
        print(
            f"\n{engine}: {count} licences + {count} KTPs, {concurrent} at a time, "
            f"{'a fresh child' if cold else 'forked from a warm process'} per photo, "
            f"load average before {load:.2f}, after {os.getloadavg()[0]:.2f}"
        )
        for name, value in figures.items():
            unit = "s" if name.endswith(" s") else "MB" if name.endswith("MB") else "%"
            emit(f"documents {engine}: {name.removesuffix(' %').removesuffix(' s')}", value, unit)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=ENGINES, action="append")
    parser.add_argument("--count", type=int)
    parser.add_argument("--concurrent", type=int, default=1)
    parser.add_argument("--cold", action="store_true", help="a fresh interpreter per photo")
    arguments = parser.parse_args()
    # by its module name: the child imports ``measured_read`` by name, and not from __main__
    from bench import bench_documents

    asyncio.run(
        bench_documents.main(
            tuple(arguments.engine or ENGINES),
            arguments.count,
            arguments.concurrent,
            cold=arguments.cold,
        )
    )
