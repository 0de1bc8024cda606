"""Where the bot's own error reports go: nowhere, unless a reporter is switched on.

The error handler calls ``report`` for every bug and database outage it sees. The
reporter itself (Sentry: ``bot.platform.sentry_reports``, with its privacy rules) is
imported and switched on by the runner only when ``SENTRY_DSN`` is set, so a bot without
Sentry never pays for importing it (about 170 ms of start-up, measured).
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["Reporter", "report", "switch_on"]

Reporter = Callable[[BaseException], None]
_reporters: list[Reporter] = []


def switch_on(reporter: Reporter | None) -> None:
    """From now on, ``report`` hands errors to ``reporter`` (None: to nobody)."""
    _reporters[:] = [] if reporter is None else [reporter]


def report(error: BaseException | None) -> None:
    """Hand ``error`` to the reporter, if one is on."""
    if error is not None:
        for reporter in _reporters:
            reporter(error)
