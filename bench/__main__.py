"""Run every benchmark; each prints its figures and its ratio to a baseline of the same run."""

from __future__ import annotations

import asyncio

from bench import bench_charts, bench_flow, bench_outbox, bench_stats, bench_updates


def main() -> None:
    bench_flow.main()
    asyncio.run(bench_updates.main())
    bench_charts.main()
    bench_outbox.main()  # OUTBOX_BENCH_SHORT=1 for the short form
    bench_stats.main()  # STATS_BENCH_SHORT=1 for the short form


main()
