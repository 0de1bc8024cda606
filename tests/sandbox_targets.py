"""Functions the sandbox tests run in the child process (it imports them by name)."""

from __future__ import annotations

import os
import time


def echo(data: bytes, suffix: str) -> str:
    return data.decode() + suffix


def hog_memory(data: bytes) -> int:
    chunks = [bytes(64 * 1024 * 1024) for _ in range(1000)]  # 64 GB, if it could
    return len(chunks)


def spin(data: bytes) -> int:
    n = 0
    while True:
        n += 1


def sleep(data: bytes) -> None:
    time.sleep(60)


def die(data: bytes) -> None:
    os._exit(3)


def chatter(data: bytes) -> bytes:
    return b"x" * (32 * 1024 * 1024)


def environment(data: bytes) -> dict[str, str]:
    return dict(os.environ)


def open_descriptors(data: bytes) -> list[int]:
    return sorted(int(fd) for fd in os.listdir("/proc/self/fd"))


class Evil:
    """Unpickles as a call to os.system: what a subverted child might send back."""

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, ("true",))


def evil(data: bytes) -> Evil:
    return Evil()


WARMED: list[int] = []


def warm_up() -> None:
    """What a warm process loads once (the OCR model, in the bot): here, its own pid."""
    WARMED.append(os.getpid())


def warmed_by(data: bytes) -> tuple[list[int], int, int]:
    """The warm process's pid as loaded, the child's parent and the child's own pid."""
    return WARMED, os.getppid(), os.getpid()
