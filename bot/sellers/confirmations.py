"""Yes/no confirmations bound to the one message that asked.

A button's callback data is untrusted: any client can send any data for any message
with an inline keyboard. So a confirmation is honoured only when the tap carries the
nonce the bot issued, comes from the message it was sent in, and arrives before the
confirmation expires. The seller's row keeps at most one pending confirmation (a new
question replaces the old one); answering it clears it, so it cannot be used twice.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

TTL = dt.timedelta(minutes=10)
NONCE_BYTES = 6
"""8 URL-safe characters: unguessable in 10 minutes, and short in the 64-byte callback data."""


@dataclass(frozen=True)
class Confirmation:
    """A question the seller may still answer; ``message_id`` is known once it was sent."""

    action: str
    nonce: str
    expires_at: dt.datetime
    message_id: int | None = None

    @classmethod
    def issue(cls, action: str, *, now: dt.datetime, ttl: dt.timedelta = TTL) -> Confirmation:
        """A fresh confirmation for ``action``, not yet sent."""
        return cls(action, secrets.token_urlsafe(NONCE_BYTES), now + ttl)

    def sent_as(self, message_id: int) -> Confirmation:
        """The same confirmation, bound to the message that carries its buttons."""
        return replace(self, message_id=message_id)

    def accepts(self, action: str, *, nonce: str, message_id: int, now: dt.datetime) -> bool:
        """Whether a tap answers this confirmation: same action, nonce and message, in time."""
        return (
            self.message_id is not None
            and self.action == action
            and secrets.compare_digest(self.nonce, nonce)
            and self.message_id == message_id
            and now < self.expires_at
        )

    def to_json(self) -> dict[str, Any]:
        """What the seller's row stores."""
        return {
            "action": self.action,
            "nonce": self.nonce,
            "expires_at": self.expires_at.isoformat(),
            "message_id": self.message_id,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> Confirmation | None:
        """The stored confirmation; None when there is none or it cannot be read."""
        if not data:
            return None
        try:
            expires_at = dt.datetime.fromisoformat(str(data["expires_at"]))
            if expires_at.tzinfo is None:  # written as UTC
                expires_at = expires_at.replace(tzinfo=dt.UTC)
            message_id = data.get("message_id")
            if message_id is not None and not isinstance(message_id, int):
                return None
            return cls(str(data["action"]), str(data["nonce"]), expires_at, message_id)
        except (KeyError, ValueError):
            return None
