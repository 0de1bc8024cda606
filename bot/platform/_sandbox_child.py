"""The child side of ``bot.platform.sandbox``: limit yourself, run one parse, answer, exit.

Reads one pickle from the parent on stdin (trusted: the bot wrote it), sets the CPU and
address-space limits before touching the data, and writes ``R`` + the pickled result, or
``M`` when the parse ran out of memory. Anything else (a crash, a kill) the parent sees
as the exit status.
"""

from __future__ import annotations

import importlib
import pickle
import resource
import sys


def main() -> int:
    request = sys.stdin.buffer.read()
    module, qualname, data, args, cpu_seconds, memory_bytes = pickle.loads(request)
    del request
    # Soft CPU limit → SIGXCPU; the hard one, a second later, → SIGKILL for good.
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    try:
        fn = getattr(importlib.import_module(module), qualname)
        answer = b"R" + pickle.dumps(fn(data, *args), protocol=pickle.HIGHEST_PROTOCOL)
    except MemoryError:
        answer = b"M"
    sys.stdout.buffer.write(answer)
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
