"""How long each hostile product file takes to be refused, as the bot parses it.

``python -m bench.bench_hostile_files``: every file of ``tests/hostile_files.py`` through
``parse_in_sandbox(parse_product_file, …)``, the bot's own path, with the wall time and the
refusal. Before the caps and the sandbox (main at ef42f65, parsed in the bot's process):
a 3 KB one-cell-in-the-last-row file took 17 s, 2 M shared strings (0.09 MB) 48 s and
+190 MB, 2 M blank rows (0.02 MB) 47 s and +195 MB; a 200 MB zip bomb was accepted.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from bench.results import emit
from bot.platform.sandbox import SandboxError, parse_in_sandbox
from flows.bulk import parse_product_file
from flows.products import RULES
from tests import hostile_files as hostile

FILES: dict[str, tuple[Callable[[], bytes], str]] = {
    "20 M blank rows": (hostile.blank_rows, "p.xlsx"),
    "6 M shared strings": (hostile.shared_strings, "p.xlsx"),
    "200 MB zip bomb": (lambda: hostile.zip_bomb(200), "p.xlsx"),
    "sizes that lie": (hostile.lying_sizes, "p.xlsx"),
    "one cell in row 1,048,576": (hostile.far_row, "p.xlsx"),
    "malformed XML": (hostile.malformed_xml, "p.xlsx"),
    "entity expansion": (hostile.entity_bomb, "p.xlsx"),
    "noisy cells within every cap": (hostile.noisy_cells, "p.xlsx"),
    "3 M-character CSV cell": (hostile.huge_csv_cell, "p.csv"),
}


async def main() -> None:
    rules = RULES["id_individual"]
    print(f"{'file':32} {'size':>9} {'refused in':>11}  refusal")
    for name, (make, filename) in FILES.items():
        data = make()
        started = time.monotonic()
        try:
            result = await parse_in_sandbox(parse_product_file, data, filename, rules)
            refusal = ", ".join(error.code for error in result.errors[:1]) or "accepted"
        except SandboxError as error:
            refusal = f"sandbox: {error.reason}"
        spent = time.monotonic() - started
        print(f"{name:32} {len(data) / 1e6:7.2f}MB {spent:10.2f}s  {refusal}")
        emit(f"hostile file refused: {name}", spent, "s")


if __name__ == "__main__":
    asyncio.run(main())
