import asyncio
from pathlib import Path
import pytest
from tests.fakebotapi import FakeBotAPI
from tests.processes import BotProcess, empty_database

@pytest.mark.parametrize("backend", ["postgres", "sqlite"])
@pytest.mark.parametrize("n", range(4))
async def test_probe(tmp_path: Path, backend: str, n: int) -> None:
    with empty_database(backend, tmp_path) as url:
        async with FakeBotAPI() as api:
            ws = [BotProcess(name=f"w{i}", token=api.token, api_url=api.url, database_url=url, log_dir=tmp_path) for i in range(3)]
            await asyncio.gather(*(w.start() for w in ws))
            results = await asyncio.gather(*(w.wait_healthy() for w in ws), return_exceptions=True)
            for w in ws: w.kill()
            for w in ws: await w.process.wait()
            bad = [r for r in results if isinstance(r, BaseException)]
            assert not bad, "\n".join(w.report() for w in ws)
