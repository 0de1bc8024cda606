"""What the process knows about the update it is handling, for log lines and metrics.

One ``UpdateTrace`` per update, in a ``ContextVar``: set by ``bot.transport.tracing`` when
the update's handling starts, read by every log record formatted meanwhile
(``bot.platform.logs``), on the event loop and in the worker threads it hands work to
(``asyncio.to_thread`` copies the context). So a log collector can follow one update from
receipt to reply by its ``update_id``, and one seller across updates by ``seller``.

``seller`` is a pseudonym: a keyed hash of the Telegram user id, never the id itself. The
key is derived from the bot token (``bot.app``), so every worker of one bot agrees and
nobody without the token can turn a pseudonym back into an id by hashing all ids.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from contextvars import ContextVar
from dataclasses import dataclass, field

__all__ = ["CURRENT", "UpdateTrace", "mark", "pseudonym", "pseudonym_key"]


@dataclass(slots=True)
class UpdateTrace:
    """The update being handled: who (pseudonym), what kind, which handler, how it ended.

    The pseudonym is computed when a log line first asks for it (an HMAC per update was
    1–2 % of a seller update's CPU, and most updates log nothing at that level).
    """

    update_id: int | None
    user_id: int | None = field(repr=False)  # never in a log line: ``seller`` is
    kind: str
    key: bytes = field(default=b"", repr=False)
    handler: str | None = None
    outcome: str = "ok"
    _seller: str | None = field(default=None, repr=False)

    @property
    def seller(self) -> str | None:
        """The sender's pseudonym (None for an update without a user)."""
        if self._seller is None and self.user_id is not None:
            self._seller = pseudonym(self.key, self.user_id)
        return self._seller


CURRENT: ContextVar[UpdateTrace | None] = ContextVar("update_trace", default=None)


def pseudonym_key(token: str) -> bytes:
    """The pseudonyms' key for one bot: stable across workers and restarts, secret."""
    return hashlib.sha256(f"seller-pseudonym:{token}".encode()).digest()


def pseudonym(key: bytes, user_id: int) -> str:
    """16 characters of base32 (letters and 2-7: no digit run a redaction pattern eats)."""
    digest = hmac.new(key, str(user_id).encode(), hashlib.sha256).digest()
    return base64.b32encode(digest[:10]).decode().lower()


def mark(outcome: str) -> None:
    """Set the outcome of the update being handled (the error handler's verdict)."""
    trace = CURRENT.get()
    if trace is not None:
        trace.outcome = outcome
