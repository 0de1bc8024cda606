"""``make bench``: every benchmark, one JSON line per figure, and a table at the end.

Each figure carries the baseline it was measured against in the same run (the machines
are shared and noisy). ``BENCH_SHORT=1 make bench`` runs the short form (CI).
"""

from __future__ import annotations

import asyncio

from bench import (
    bench_charts,
    bench_desk,
    bench_documents,
    bench_faq,
    bench_flood,
    bench_flow,
    bench_hostile_files,
    bench_memory,
    bench_outbox,
    bench_questions,
    bench_scale_out,
    bench_startup,
    bench_stats,
    bench_updates,
    results,
)


def main() -> None:
    bench_flow.main()
    bench_scale_out.main()
    asyncio.run(bench_updates.main())
    asyncio.run(bench_flood.main())
    bench_memory.main()
    bench_startup.main()
    bench_charts.main()
    bench_outbox.main()
    bench_stats.main(short=results.short() or None)  # or STATS_BENCH_SHORT=1
    bench_desk.main(short=results.short())
    bench_questions.main(short=results.short())
    asyncio.run(bench_faq.main(short=results.short()))
    print("\nhostile product files, through the sandbox", flush=True)
    asyncio.run(bench_hostile_files.main())
    print("\nreading licence and KTP photos, through the sandbox", flush=True)
    asyncio.run(bench_documents.main())
    print("\n" + results.table())


main()
