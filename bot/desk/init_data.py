"""Telegram's ``initData``: who opened the Mini App, checked exactly as Telegram specifies.

Telegram signs the launch parameters it hands the page with the bot's token:

- ``secret_key = HMAC_SHA256(key="WebAppData", msg=bot_token)``;
- the data-check-string is every received field but ``hash``, as ``key=value`` with the
  value URL-decoded, sorted by key, joined by ``\\n``;
- ``hash`` must be the hex ``HMAC_SHA256(key=secret_key, msg=data_check_string)``,
  compared in constant time;
- ``auth_date`` (Unix seconds) bounds how long a captured ``initData`` stays usable.

Pure: no I/O, the time is a parameter. ``sign`` is the Telegram side, for tests and the
demo; nothing in production calls it.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

MAX_AGE_SECONDS = 3600
"""An ``initData`` older than an hour is refused: the admin reopens the desk."""
MAX_LENGTH = 4096
"""Telegram's ``initData`` is a few hundred bytes; longer is not Telegram's."""
CLOCK_SKEW_SECONDS = 60
"""How far in the future an ``auth_date`` may be (clocks differ a little)."""


class Refusal(enum.Enum):
    MISSING = "missing"
    MALFORMED = "malformed"
    FORGED = "forged"
    EXPIRED = "expired"


class InitDataError(Exception):
    """The ``initData`` is not Telegram's, or no longer usable; ``reason`` says which."""

    def __init__(self, reason: Refusal) -> None:
        super().__init__(reason.value)
        self.reason = reason


@dataclass(frozen=True)
class WebAppUser:
    """The Telegram user a valid ``initData`` names."""

    id: int
    language_code: str | None
    auth_date: int


def secret_key(token: str) -> bytes:
    """``HMAC_SHA256(key="WebAppData", msg=bot_token)``."""
    return hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()


def data_check_string(fields: Mapping[str, str]) -> str:
    """Every field but ``hash``, ``key=value``, sorted by key, one per line."""
    return "\n".join(f"{key}={fields[key]}" for key in sorted(fields) if key != "hash")


def signature(fields: Mapping[str, str], token: str) -> str:
    """The hex ``hash`` Telegram puts beside ``fields``."""
    message = data_check_string(fields).encode()
    return hmac.new(secret_key(token), message, hashlib.sha256).hexdigest()


def _fields(raw: str) -> dict[str, str]:
    if not raw:
        raise InitDataError(Refusal.MISSING)
    if len(raw) > MAX_LENGTH:
        raise InitDataError(Refusal.MALFORMED)
    try:
        pairs = parse_qsl(raw, keep_blank_values=True, strict_parsing=True, errors="strict")
    except (ValueError, UnicodeDecodeError):
        raise InitDataError(Refusal.MALFORMED) from None
    fields = dict(pairs)
    if len(fields) != len(pairs):  # a key twice: which one was signed?
        raise InitDataError(Refusal.MALFORMED)
    return fields


def check(raw: str, *, token: str, now: float, max_age: float = MAX_AGE_SECONDS) -> WebAppUser:
    """The user of a genuine, fresh ``initData``; ``InitDataError`` for anything else."""
    fields = _fields(raw)
    given = fields.get("hash", "")
    expected = signature(fields, token)
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise InitDataError(Refusal.FORGED)
    auth_date = fields.get("auth_date", "")
    if not auth_date.isdecimal():
        raise InitDataError(Refusal.MALFORMED)
    age = now - int(auth_date)
    if age > max_age or age < -CLOCK_SKEW_SECONDS:
        raise InitDataError(Refusal.EXPIRED)
    try:
        user = json.loads(fields.get("user", ""))
        user_id = user["id"]
    except (ValueError, TypeError, KeyError):
        raise InitDataError(Refusal.MALFORMED) from None
    if not isinstance(user_id, int) or isinstance(user_id, bool) or user_id <= 0:
        raise InitDataError(Refusal.MALFORMED)
    language = user.get("language_code")
    return WebAppUser(
        id=user_id,
        language_code=language if isinstance(language, str) else None,
        auth_date=int(auth_date),
    )


def sign(user: Mapping[str, object], *, token: str, auth_date: int, **extra: str) -> str:
    """An ``initData`` as Telegram would make it for ``user`` (tests and the demo)."""
    fields = {
        "auth_date": str(auth_date),
        "user": json.dumps(user, separators=(",", ":"), ensure_ascii=False),
        **extra,
    }
    fields["hash"] = signature(fields, token)
    return urlencode(fields)
