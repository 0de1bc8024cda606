"""The fake Bot API in its own process, for the outbox benchmark (so the sender has a core).

``python -m bench.fake_server CONFIG_JSON RESULT_PATH``: prints its URL, serves until a line
arrives on stdin, then writes what it saw (arrivals, deliveries per chat, refusals, injected
faults) to ``RESULT_PATH`` as JSON.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections import Counter
from pathlib import Path

from tests.fakebotapi import FakeBotAPI
from tests.fakebotapi.traffic import Faults, Limits, Traffic

SENDS = ("sendMessage", "sendPhoto", "sendDocument")


async def serve(config: dict[str, object], result: Path) -> None:
    async with FakeBotAPI() as api:
        limits = config.get("limits")
        api.traffic = Traffic(
            Limits(**limits) if isinstance(limits, dict) else None,
            Faults(**config.get("faults", {})),  # type: ignore[arg-type]
        )
        print(api.url, flush=True)
        await asyncio.to_thread(sys.stdin.readline)
        delivered = Counter(c.chat_id for c in api.calls if c.ok and c.method in SENDS)
        first = {}
        for call in api.calls:
            if call.method in SENDS:
                first.setdefault(call.chat_id, None)
        result.write_text(
            json.dumps(
                {
                    "arrivals": [[t, chat] for t, chat in api.traffic.arrivals],
                    "delivered": {str(chat): n for chat, n in delivered.items()},
                    "blocked": [c for c in first if api.traffic.is_blocked(c)],
                    "refusals": dict(api.traffic.refusals),
                    "injected": {str(k): v for k, v in api.traffic.injected.items()},
                }
            )
        )


if __name__ == "__main__":
    asyncio.run(serve(json.loads(sys.argv[1]), Path(sys.argv[2])))
