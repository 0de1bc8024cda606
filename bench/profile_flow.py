"""Where a seller update's CPU goes: ``bench_flow``'s walk under py-spy, in parts.

    .venv/bin/python -m bench.profile_flow sqlite 500      # or postgresql; sellers

Runs ``bench_flow``'s bot (the sellers walk the track at once) in a child process under
``py-spy record --gil``, so that only the thread holding the GIL is sampled: with one GIL,
that is the CPU throughput is made of. Each sample is put in one part by the frames on its
stack, and each part printed as milliseconds per update. Set-up (migrations, imports) is
left out. Not part of ``make bench``: py-spy needs ptrace rights a CI runner may not give.
"""

from __future__ import annotations

import asyncio
import collections
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import bench_flow
from bench.databases import migrated_database

RATE = 250  # samples per second
SELLER_UNIT = "SellerStore._run_sync (bot/sellers/store.py"
"""On the stack of every seller transaction, whichever thread runs it."""
UPDATE_WORK = (
    "walk (bench",
    "_serve (bot/db/pinned.py",
    "_run (bot/db/pinned.py",
    "_worker (concurrent/futures",
)
"""A sample belongs to the walk: on the loop under the driver, or on a worker thread (the
seller store's or the database's, its WAL checkpoints, the default executor's); the rest
is set-up."""
PARTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    # (part, any of these frames on the stack); the first part that matches takes the sample
    ("PTB: parsing the incoming update", ("Update.de_json",)),
    ("DB thread: the flow (flows/, transitions)", ("(flows/", "transitions/")),
    ("DB thread: SQLAlchemy + driver", ("sqlalchemy/", "sqlmodel/", "psycopg", "prepared.py")),
    ("DB thread: the store's own code", (SELLER_UNIT,)),
    ("other units (the admin check, admin work)", ("Database.run_sync", "Database._read_sync")),
    ("Bot API calls: PTB's request path, rate limiter", ("_post (telegram",)),
    ("rendering the reply", ("addressed (bot/sellers", "render.py")),
    ("handlers' own code, PTB's dispatch", ("Application.process_update",)),
    ("per-seller ordering, tracing, processor", ("walk (bench",)),
)
OTHER = "event loop, thread hand-offs, other"


def part_of(stack: str) -> str:
    """The part a sample's stack belongs to (the DB thread's parts only on its threads)."""
    on_db_thread = SELLER_UNIT in stack
    for part, frames in PARTS:
        if part.startswith("DB thread") and not on_db_thread:
            continue
        if any(frame in stack for frame in frames):
            return part
    return OTHER


def walk(backend: str, sellers: int) -> None:
    """The child: one ``bench_flow`` run, then its updates/s and CPU per update."""

    async def run() -> None:
        with migrated_database(backend) as url:
            walked = await bench_flow.run(bench_flow.bot_app(url), sellers)
        cpu = walked.cpu_per_update * 1e3
        print(f"{backend}: {walked.rate:.0f} updates/s, CPU {cpu:.3f} ms per update", flush=True)

    asyncio.run(run())


def profile(backend: str, sellers: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        raw = Path(folder) / "samples.txt"
        child = [sys.executable, "-m", "bench.profile_flow", "--child", backend, str(sellers)]
        started = time.perf_counter()
        spy = str(Path(sys.executable).with_name("py-spy"))
        record = [spy, "record", "--gil", "-r", str(RATE), "-f", "raw", "-o", str(raw), "--"]
        subprocess.run([*record, *child], check=True)
        print(f"(profiled run: {time.perf_counter() - started:.0f} s)")
        parts: collections.Counter[str] = collections.Counter()
        for line in raw.read_text().splitlines():
            stack, _, samples = line.rpartition(" ")
            if any(part in stack for part in UPDATE_WORK):
                parts[part_of(stack)] += int(samples)
    updates = sellers * len(bench_flow.WALK)
    total = sum(parts.values())
    print(f"GIL held per update: {total / RATE / updates * 1e3:.3f} ms")
    for part, count in sorted(parts.items(), key=lambda item: -item[1]):
        print(f"  {part:<50} {count / RATE / updates * 1e3:6.3f} ms  {100 * count / total:4.1f} %")


if __name__ == "__main__":
    if sys.argv[1] == "--child":
        walk(sys.argv[2], int(sys.argv[3]))
    else:
        profile(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 500)
