"""Python's cyclic garbage collector around start-up.

Importing the bot (PTB, SQLAlchemy, pydantic, the models) leaves about 200,000 objects that
live as long as the process. While importing, the collector runs every 700 allocations and
walks them again each time: 0.2 s of the start-up on this project's machines (bench
``startup``), for under 1,000 objects of garbage. So ``run`` pauses collection before the
imports, and once the bot is serving, ``settle`` freezes what start-up built (``gc.freeze``:
moved to a permanent generation the collector skips) and turns collection back on, so later
full collections walk only what serving allocates.
"""

from __future__ import annotations

import gc

_paused = False


def pause_collection() -> None:
    """Stop collecting until ``settle``; only for a process that is about to start serving."""
    global _paused
    _paused = gc.isenabled()
    gc.disable()


def settle() -> None:
    """Freeze the start-up's objects and collect again, if ``pause_collection`` paused it."""
    global _paused
    if _paused:
        gc.freeze()
        gc.enable()
        _paused = False


def resume() -> None:
    """Collect again without freezing: ``run`` ended before the bot served (a bad setting,
    a database never reached), so whatever start-up built is not there for good."""
    global _paused
    if _paused:
        gc.enable()
        _paused = False
