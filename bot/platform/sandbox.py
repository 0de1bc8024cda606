"""Run a parser over a stranger's bytes in a throw-away process with hard limits.

A worker thread does not protect the bot: a parser busy for a minute holds the GIL of the
one process every seller shares, and a gigabyte it allocates is the bot's gigabyte. So the
parse runs in a fresh interpreter (``python -m bot.platform._sandbox_child``): nothing of the bot's
is inherited (no event loop, no database connection, no file descriptor, no environment
beyond ``PATH`` and the import path, so no token), the child caps its own address space and
CPU time with ``setrlimit`` before it reads the input, and the parent kills it at the
wall-clock deadline. The parent only awaits pipes, so the event loop never blocks.

The child's answer is a pickle, read back with an unpickler that only builds the domain's
own classes (``flows.*``) and a few plain types: a child whose parser was subverted cannot
make the bot run code by what it writes back.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import os
import pickle
import signal
import sys
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

__all__ = ["SandboxError", "SandboxLimits", "parse_in_sandbox"]

T = TypeVar("T")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SandboxLimits:
    """What one parse may use. Defaults: a 5 MB spreadsheet needs a fraction of each."""

    cpu_seconds: int = 10
    memory_bytes: int = 768 * 1024 * 1024  # address space, interpreter and imports included
    wall_seconds: float = 20.0  # CPU time does not count waiting: a stuck child still ends
    max_result_bytes: int = 16 * 1024 * 1024
    concurrent: int = 2  # parses at once per event loop (the machine has 2 cores)


DEFAULT_LIMITS = SandboxLimits()


class SandboxError(Exception):
    """The parse did not finish: ``reason`` is ``"timeout"``, ``"memory"`` or ``"crashed"``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


_SAFE_BUILTINS = frozenset({"frozenset", "set", "complex", "bytearray", "slice", "range"})
_SAFE_CLASSES = frozenset(
    {("decimal", "Decimal"), ("datetime", "date"), ("datetime", "time"), ("datetime", "datetime")}
)


class _DomainUnpickler(pickle.Unpickler):
    """Builds only ``flows.*`` classes and plain values; anything else is refused."""

    def find_class(self, module: str, name: str) -> Any:
        allowed = (
            module == "flows"
            or module.startswith("flows.")
            or (module, name) in _SAFE_CLASSES
            or (module == "builtins" and name in _SAFE_BUILTINS)
            or (module == "copyreg" and name == "_reconstructor")
        )
        if not allowed or "." in name:
            raise pickle.UnpicklingError(f"refused {module}.{name}")
        return super().find_class(module, name)


def load_answer(payload: bytes) -> Any:
    """The child's pickled answer, built with the domain-only unpickler."""
    return _DomainUnpickler(io.BytesIO(payload)).load()


def result_of(payload: bytes) -> Any:
    """A child's answer as its result; ``SandboxError("crashed")`` for anything the
    unpickler refuses or cannot read (the child was not the child the bot started)."""
    try:
        return load_answer(payload)
    except Exception:
        log.warning("a sandboxed child answered something that is not a result")
        raise SandboxError("crashed") from None


_gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary()
)


def _gate(limits: SandboxLimits) -> asyncio.Semaphore:
    """One semaphore per running loop: at most ``limits.concurrent`` children at a time."""
    loop = asyncio.get_running_loop()
    gate = _gates.get(loop)
    if gate is None:
        gate = _gates[loop] = asyncio.Semaphore(limits.concurrent)
    return gate


async def parse_in_sandbox(
    fn: Callable[..., T], data: bytes, *args: Any, limits: SandboxLimits = DEFAULT_LIMITS
) -> T:
    """``fn(data, *args)`` in a limited child process; raises ``SandboxError`` if it fails.

    ``fn`` must be a module-level function (the child imports it by name) and ``args``
    picklable; its result must be built of ``flows`` classes and plain values.
    """
    request = pickle.dumps(
        (fn.__module__, fn.__qualname__, data, args, limits.cpu_seconds, limits.memory_bytes)
    )
    async with _gate(limits):
        status, payload = await _run_child(request, limits)
    if status != "ok":
        raise SandboxError(status)
    return result_of(payload)  # type: ignore[no-any-return]


async def _run_child(request: bytes, limits: SandboxLimits) -> tuple[str, bytes]:
    """Start the child, feed it, read at most ``max_result_bytes`` back, kill it at the
    deadline; ``("ok", pickle)`` or the reason it failed."""
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.platform._sandbox_child",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
        env=_child_environment(),
        close_fds=True,
    )
    assert child.stdin is not None and child.stdout is not None
    stdin, stdout = child.stdin, child.stdout

    async def exchange() -> bytes | None:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            stdin.write(request)
            await stdin.drain()
            stdin.close()
        chunks, size = [], 0
        while chunk := await stdout.read(64 * 1024):
            size += len(chunk)
            if size > limits.max_result_bytes:
                return None  # more than any honest answer: killed below
            chunks.append(chunk)
        await child.wait()
        return b"".join(chunks)

    try:
        answer = await asyncio.wait_for(exchange(), limits.wall_seconds)
    except TimeoutError:
        return "timeout", b""
    finally:
        if child.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                child.kill()
        # wait() returns once the pipes are closed too: drain stdout to its end (the kill
        # ends it), or a reader paused on a full buffer never sees it and wait() hangs.
        stdin.close()
        while await stdout.read(64 * 1024):
            pass
        await child.wait()
    return _verdict(child.returncode, answer)


def _verdict(returncode: int | None, answer: bytes | None) -> tuple[str, bytes]:
    if returncode in (-signal.SIGXCPU, -signal.SIGKILL) and answer is not None:
        return "timeout", b""  # over the CPU limit (soft, then hard)
    if answer is None or returncode != 0 or not answer:
        log.warning("sandboxed parse failed (exit %s)", returncode)
        return "crashed", b""
    tag, payload = answer[:1], answer[1:]
    if tag == b"M":
        return "memory", b""
    if tag != b"R":
        return "crashed", b""
    return "ok", payload


def _child_environment() -> dict[str, str]:
    """Only what the interpreter needs to start and import ``bot`` and ``flows``."""
    path = os.pathsep.join(entry for entry in sys.path if entry)
    env = {"PYTHONPATH": path, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0"}
    for name in ("PATH", "LANG", "LC_ALL", "SYSTEMROOT"):
        if name in os.environ:
            env[name] = os.environ[name]
    return env
