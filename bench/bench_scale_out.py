"""Scale-out: the flow throughput of ``bench_flow`` with one and with two worker processes
sharing one PostgreSQL database.

Each worker is a child process (``python -m bench.bench_scale_out child …``) running the
bench's real bot (``bench_flow.bot_app``) on its own request double, with its share of
the sellers walking the UK cross-border track interleaved, as ``bench_flow`` drives them.
The children build their bot and connect first, then all start at one signal; the figure
is every child's updates ÷ the wall time from the first start to the last finish. One
process and two processes run in the same command, each on a fresh database, with the
bare PTB echo bot of ``bench_flow`` (in process) as the baseline: updates/s ÷ echo, p99,
the workers' own CPU per update, and two processes ÷ one.

1,000 sellers in all (``BENCH_SHORT=1``: 50). The machine's cores are shared by both
workers, the PostgreSQL server and the driver, so the ratio shows what a second process
buys on this machine, not on two.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from dataclasses import dataclass

from bench.bench_flow import (
    Keyboards,
    bot_app,
    check_walked,
    drive,
    echo_app,
    percentile,
    run,
    seed,
)
from bench.databases import migrated_database, postgres_reachable
from bench.results import emit, short
from bot.db.engine import make_engine
from bot.offline.local_api import LocalBotAPI

READY, GO = "ready", "go"


async def _child(url: str, first: int, sellers: int) -> None:
    """One worker: build the bot, say ready, wait for the signal, drive its sellers."""
    keys = Keyboards()
    api = LocalBotAPI(on_send=keys)
    app = bot_app(url)(api)
    async with app:
        print(READY, flush=True)
        await asyncio.to_thread(sys.stdin.readline)
        start, cpu = time.monotonic(), time.process_time()  # CLOCK_MONOTONIC: one clock for all
        latencies = await drive(app, api, keys, sellers, first=first)
        end, cpu = time.monotonic(), time.process_time() - cpu
    app.bot_data["bench_engine"].dispose()
    if api.unserved:
        raise SystemExit(f"the bot called Bot API methods not played locally: {api.unserved}")
    check_walked(api, sellers)
    print(json.dumps({"start": start, "end": end, "cpu": cpu, "latencies": latencies}), flush=True)


@dataclass(frozen=True)
class Run:
    """What ``count`` workers did together."""

    rate: float  # updates/s, all workers, first start to last finish
    latencies: list[float]
    cpu_per_update: float  # the workers' own CPU seconds (not the database's) ÷ updates


def workers(url: str, sellers: int, count: int) -> Run:
    """``count`` worker processes sharing ``sellers`` on ``url``, started together."""
    engine = make_engine(url)
    seed(engine)  # once, before the workers: two first sellers must not race to add it
    engine.dispose()
    share = sellers // count
    command = [sys.executable, "-m", "bench.bench_scale_out", "child", url]
    children = [
        subprocess.Popen(
            [*command, str(n * share), str(share)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for n in range(count)
    ]
    try:
        for child in children:
            assert child.stdout is not None and child.stdout.readline().strip() == READY
        for child in children:
            assert child.stdin is not None
            child.stdin.write(GO + "\n")
            child.stdin.flush()
        reports = []
        for child in children:
            assert child.stdout is not None
            line = child.stdout.readline()
            if child.wait() != 0 or not line:
                raise SystemExit(f"a worker failed (exit code {child.returncode})")
            reports.append(json.loads(line))
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
                child.wait()
    latencies = [latency for report in reports for latency in report["latencies"]]
    spent = max(r["end"] for r in reports) - min(r["start"] for r in reports)
    cpu = sum(r["cpu"] for r in reports)
    return Run(len(latencies) / spent, latencies, cpu / len(latencies))


async def _echo(sellers: int) -> float:
    return (await run(echo_app, sellers)).rate


def main() -> None:
    sellers = 50 if short() else 1000
    print(f"\nscale-out: {sellers} sellers over 1 and 2 worker processes, PostgreSQL", flush=True)
    if not postgres_reachable():
        print("no PostgreSQL at BENCH_POSTGRES_URL: scale-out figures skipped")
        return
    echo_rate = asyncio.run(_echo(sellers))
    emit("scale-out: echo bot (PTB, same request double, 1 process)", echo_rate, "updates/s")
    runs: dict[int, Run] = {}
    for count in (1, 2):
        with migrated_database("postgresql") as url:
            runs[count] = found = workers(url, sellers, count)
        label = f"flow postgresql, {count} {'process' if count == 1 else 'processes'}"
        emit(f"{label}, throughput ÷ echo", found.rate, "updates/s", echo_rate)
        emit(f"{label}, p99 under load", percentile(found.latencies, 99) * 1e3, "ms")
        emit(f"{label}, worker CPU per update", found.cpu_per_update * 1e3, "ms")
    emit("flow postgresql, 2 processes ÷ 1 process", runs[2].rate, "updates/s", runs[1].rate)


if __name__ == "__main__":
    if sys.argv[1:2] == ["child"]:
        asyncio.run(_child(sys.argv[2], int(sys.argv[3]), int(sys.argv[4])))
    else:
        main()
