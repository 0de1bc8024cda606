"""The sandbox, warm: parses forked from a process that has loaded what they need once.

``parse_in_sandbox`` starts a fresh interpreter per parse; for OCR that start (imports,
the model) is ~0.75 s of the ~1.8 s of CPU a photo costs. A ``WarmSandbox`` keeps up to
``size`` warm processes (``python -m bot.platform._warm_child``, the same clean environment
as the cold sandbox, the same address-space cap), each of which has imported a module and
run its warm-up; every parse is a child *forked* from one of them, with the same CPU,
wall-clock and result-size limits, so each photo still has a process of its own and the
warm process never reads a stranger's bytes. A warm process that dies, stops answering or
has served ``recycle_after`` parses is replaced. The answer comes back through the same
domain-only unpickler (``sandbox.result_of``).

At most ``size`` parses run at once: a caller waits for a free warm process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import pickle
import sys
from collections.abc import Callable
from typing import Any, TypeVar

from bot.platform._warm_child import _LENGTH
from bot.platform.sandbox import SandboxError, SandboxLimits, _child_environment, result_of

__all__ = ["WarmSandbox"]

T = TypeVar("T")
log = logging.getLogger(__name__)
_GRACE = 10.0  # past a parse's own deadline: the warm process itself is stuck
_STATUS = {b"T": "timeout", b"M": "memory", b"C": "crashed"}


class _Warm:
    """One warm process and how many parses it has served."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.served = 0

    async def exchange(self, body: bytes, timeout: float) -> bytes:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(_LENGTH.pack(len(body)) + body)
        await self.process.stdin.drain()
        async with asyncio.timeout(timeout):
            head = await self.process.stdout.readexactly(_LENGTH.size)
            (length,) = _LENGTH.unpack(head)
            return await self.process.stdout.readexactly(length)

    async def close(self) -> None:
        process = self.process
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
        await process.wait()


class WarmSandbox:
    """Up to ``size`` warm processes that fork a limited child per parse."""

    def __init__(
        self,
        module: str,
        warm_up: str | None,
        *,
        limits: SandboxLimits,
        size: int = 2,
        recycle_after: int = 200,
    ) -> None:
        self._module, self._warm_up = module, warm_up
        self._limits = limits
        self._recycle_after = recycle_after
        self._idle: asyncio.Queue[_Warm | None] = asyncio.Queue()
        for _ in range(size):
            self._idle.put_nowait(None)  # a slot; its process is started on first use
        self._running: set[_Warm] = set()
        self._closed = False

    async def parse(self, fn: Callable[..., T], data: bytes, *args: Any) -> T:
        """``fn(data, *args)`` in a child forked from a warm process; ``SandboxError`` if
        it fails. ``fn`` must be a module-level function of plain, picklable arguments."""
        if self._closed:
            raise SandboxError("crashed")
        limits = self._limits
        request = pickle.dumps(
            (
                fn.__module__,
                fn.__qualname__,
                data,
                args,
                limits.cpu_seconds,
                limits.wall_seconds,
                limits.max_result_bytes,
            )
        )
        warm = await self._idle.get()
        try:
            if warm is None:
                warm = await self._start()
            answer = await warm.exchange(request, limits.wall_seconds + _GRACE)
            warm.served += 1
        except (OSError, EOFError, TimeoutError, asyncio.IncompleteReadError, ValueError):
            log.warning("a warm sandbox process failed; it is replaced")
            await self._retire(warm)
            warm = None
            raise SandboxError("crashed") from None
        except BaseException:  # cancelled mid-exchange: its answer would reach the next caller
            await self._retire(warm)
            warm = None
            raise
        finally:
            if warm is not None and warm.served >= self._recycle_after:
                await self._retire(warm)
                warm = None
            self._idle.put_nowait(warm)
        status, payload = answer[:1], answer[1:]
        if status != b"O":
            raise SandboxError(_STATUS.get(status, "crashed"))
        return result_of(payload)  # type: ignore[no-any-return]

    async def _start(self) -> _Warm:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.platform._warm_child",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
            env=_child_environment(),
            close_fds=True,
        )
        warm = _Warm(process)
        self._running.add(warm)
        setup = pickle.dumps((self._module, self._warm_up, self._limits.memory_bytes))
        try:
            ready = await warm.exchange(setup, 120.0)  # imports and a model, on a busy host
        except BaseException:
            await self._retire(warm)
            raise
        if ready != b"ready":
            await self._retire(warm)
            raise SandboxError("crashed")
        return warm

    async def _retire(self, warm: _Warm | None) -> None:
        if warm is None:
            return
        self._running.discard(warm)
        await warm.close()

    async def aclose(self) -> None:
        """End every warm process (the bot is stopping)."""
        self._closed = True
        for warm in list(self._running):
            await self._retire(warm)
