"""The warm side of ``bot.platform.warm_sandbox``: load once, fork a limited child per parse.

Started with nothing of the bot's (``warm_sandbox`` passes the sandbox's clean environment).
Reads length-prefixed pickles from the parent on stdin (trusted: the bot wrote them):

1. ``(module, warm_up, memory_bytes)``: caps its own address space, imports ``module`` and
   calls its ``warm_up`` (e.g. loading the OCR model), answers ``ready``;
2. then, one at a time, ``(module, qualname, data, args, cpu_seconds, wall_seconds,
   max_result_bytes)``: forks. The child (which inherits the loaded model and the address
   space cap) closes the parent's pipes, caps its CPU time, runs the parse, writes ``R`` +
   the pickled result (``M`` when out of memory) into a pipe of its own, and exits. This
   process never runs the parse and never reads the stranger's bytes itself: it waits for
   the child at most ``wall_seconds`` (then kills it), reads at most ``max_result_bytes``,
   and answers ``O`` + the child's answer, or ``T`` (time), ``M`` (memory), ``C`` (crashed).

Each parse still gets a process of its own, so one seller's photo can never see another's.
End of stdin ends this process.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import pickle
import resource
import select
import signal
import struct
import sys
import time
from typing import Any, BinaryIO

_LENGTH = struct.Struct(">I")


def read_frame(stream: BinaryIO) -> bytes | None:
    """One length-prefixed frame, or None at the end of the stream."""
    head = stream.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        return None
    (length,) = _LENGTH.unpack(head)
    body = stream.read(length)
    return body if len(body) == length else None


def write_frame(stream: BinaryIO, body: bytes) -> None:
    stream.write(_LENGTH.pack(len(body)) + body)
    stream.flush()


def main() -> int:
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    setup = read_frame(stdin)
    if setup is None:
        return 0
    module, warm_up, memory_bytes = pickle.loads(setup)
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    loaded = importlib.import_module(module)
    if warm_up:
        getattr(loaded, warm_up)()
    write_frame(stdout, b"ready")
    while (request := read_frame(stdin)) is not None:
        write_frame(stdout, _parse(pickle.loads(request)))
    return 0


def _parse(request: tuple[Any, ...]) -> bytes:
    module, qualname, data, args, cpu_seconds, wall_seconds, max_result_bytes = request
    readable, writable = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(readable)
        _child(writable, module, qualname, data, args, cpu_seconds)
    os.close(writable)
    answer = _collect(readable, pid, wall_seconds, max_result_bytes)
    os.close(readable)
    return answer


def _child(out: int, module: str, qualname: str, data: bytes, args: Any, cpu: int) -> None:
    code = 1
    try:
        os.close(0)  # the parent's pipes are the warm process's alone
        os.close(1)
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        try:
            fn = getattr(importlib.import_module(module), qualname)
            answer = b"R" + pickle.dumps(fn(data, *args), protocol=pickle.HIGHEST_PROTOCOL)
        except MemoryError:
            answer = b"M"
        with os.fdopen(out, "wb") as pipe:
            pipe.write(answer)
        code = 0
    finally:
        os._exit(code)


def _collect(readable: int, pid: int, wall_seconds: float, max_result_bytes: int) -> bytes:
    """The child's verdict, framed for the parent; the child is reaped in every case."""
    deadline = time.monotonic() + wall_seconds
    chunks: list[bytes] = []
    size = 0
    verdict = b""
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            verdict = b"T"
            break
        ready, _, _ = select.select([readable], [], [], left)
        if not ready:
            continue
        chunk = os.read(readable, 64 * 1024)
        if not chunk:
            break
        size += len(chunk)
        if size > max_result_bytes:
            verdict = b"C"  # more than any honest answer
            break
        chunks.append(chunk)
    if verdict:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    if verdict:
        return verdict
    if os.WIFSIGNALED(status) and os.WTERMSIG(status) in (signal.SIGXCPU, signal.SIGKILL):
        return b"T"  # over the CPU limit (soft, then hard)
    answer = b"".join(chunks)
    if not (os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0) or not answer:
        return b"C"
    if answer[:1] == b"M":
        return b"M"
    return b"O" + answer[1:] if answer[:1] == b"R" else b"C"


if __name__ == "__main__":
    sys.exit(main())
