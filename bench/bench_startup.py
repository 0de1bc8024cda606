"""Start-up: ``python -m bot run`` from process start to its first ``getUpdates``.

The bot polls the fake Bot API over HTTP on 127.0.0.1 with a migrated SQLite database.
Baseline, same run: the interpreter starting and importing ``telegram.ext`` (what any PTB
bot pays before it can poll). Median of 7 (one start varies by ±20 % here).

The bot's own modules are compiled to bytecode first, as installing the wheel does (the
Docker image): a checkout run under ``PYTHONDONTWRITEBYTECODE=1``, as on these machines,
would otherwise compile about 130 modules on every start (0.15 s, measured), which no
deployed bot pays; the libraries in the venv were compiled when pip installed them.
"""

from __future__ import annotations

import asyncio
import compileall
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.databases import migrated_database
from bench.results import emit
from tests.fakebotapi import FakeBotAPI

RUNS = 7


async def _first_poll(url: str) -> float:
    async with FakeBotAPI() as api:
        env = dict(os.environ, BOT_TOKEN=api.token, BOT_API_URL=api.url, DATABASE_URL=url)
        for name in ("WEBHOOK_URL", "LISTEN_PORT"):
            env.pop(name, None)
        start = time.perf_counter()
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", env=env,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        try:
            while api.polls == 0:
                if process.returncode is not None or time.perf_counter() - start > 30:
                    raise SystemExit("the bot did not start polling")
                await asyncio.sleep(0.005)
            return time.perf_counter() - start
        finally:
            process.terminate()
            await process.wait()


def _import_ptb() -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import telegram.ext"], check=True)
    return time.perf_counter() - start


def main() -> None:
    print("\nstart-up: process start → first getUpdates", flush=True)
    root = Path(__file__).resolve().parent.parent
    for package in ("bot", "flows"):
        compileall.compile_dir(root / package, quiet=1)
    with migrated_database("sqlite") as url:
        runs = [asyncio.run(_first_poll(url)) for _ in range(RUNS)]
    baseline = statistics.median(_import_ptb() for _ in range(RUNS))
    emit("start-up to first getUpdates ÷ importing PTB", statistics.median(runs), "s", baseline)


if __name__ == "__main__":
    main()
