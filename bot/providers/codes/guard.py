"""Slows down guessing of invite codes, per guesser and per cohort.

After ``MAX_WRONG`` wrong codes in ``WINDOW`` a seller waits until the oldest of them
leaves the window; after ``COHORT_MAX_WRONG`` wrong codes from a cohort's sellers together
(or, outside any cohort, from a market's), every seller there waits the same way, so fifty
accounts cannot guess fifty times as fast. The price is that a flood of guesses in a cohort
holds back its honest sellers' codes for up to ``WINDOW`` too; the seller is told how long.

Wrong tries are rows (``InviteCodeFailure``), so the limits hold across worker processes
and restarts. A row names its guesser by ``guesser_id``, a keyed hash of the Telegram user
id: not personal data, so ``/delete_me`` does not erase it and cannot reset the count
(issue 18: three erasures gave 15 guesses instead of 5). Old rows are pruned as new ones
are written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import math
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, insert
from sqlalchemy import select as core_select
from sqlmodel import col

from bot.db.models import InviteCode, InviteCodeFailure
from bot.db.prepared import Prepared
from bot.providers.codes import store as codes
from flows.errors import ValidationError

MAX_WRONG = 5
COHORT_MAX_WRONG = 30
WINDOW = dt.timedelta(minutes=10)


def guesser_id(key: bytes, telegram_user_id: int) -> str:
    """The guesser as the counter names them: HMAC-SHA256 of the user id under ``key``."""
    return hmac.new(key, str(telegram_user_id).encode(), hashlib.sha256).hexdigest()


def _wrong_since(*where: Any) -> Prepared:
    """How many wrong tries match ``where`` since ``:since``, and when the oldest was."""
    failed_at = col(InviteCodeFailure.created_at)
    return Prepared(
        core_select(func.count(), func.min(failed_at)).where(*where, failed_at > bindparam("since"))
    )


_MARKET = col(InviteCodeFailure.market) == bindparam("market")
_WRONG_BY_GUESSER = _wrong_since(col(InviteCodeFailure.guesser) == bindparam("guesser"))
_WRONG_IN_MARKET = _wrong_since(_MARKET, col(InviteCodeFailure.cohort_id).is_(None))
_WRONG_IN_COHORT = _wrong_since(_MARKET, col(InviteCodeFailure.cohort_id) == bindparam("cohort"))
_COHORT_OF_CODE = Prepared(
    core_select(col(InviteCode.cohort_id)).where(col(InviteCode.code) == bindparam("code"))
)


def redeem_guarded(
    connection: Connection,
    *,
    code: str,
    market: str,
    guesser: str,
    cohort_id: int | None,
    now: dt.datetime,
) -> int | None:
    """Redeem ``code`` for the seller, unless they or their cohort guessed wrong too often.

    Returns the code's cohort (None for a code of no cohort). Runs in the seller's answer,
    on the transaction's connection (``bot.db.prepared``).
    """
    since = now - WINDOW
    _refuse_when_over(connection, _WRONG_BY_GUESSER, {"guesser": guesser}, MAX_WRONG, since)
    if cohort_id is None:
        _refuse_when_over(connection, _WRONG_IN_MARKET, {"market": market}, COHORT_MAX_WRONG, since)
    else:
        scope = {"market": market, "cohort": cohort_id}
        _refuse_when_over(connection, _WRONG_IN_COHORT, scope, COHORT_MAX_WRONG, since)
    try:
        codes.redeem_invite_code(connection, code=code, market=market, now=now)
    except ValidationError:
        # the table holds one window of wrong guesses: a small scan
        connection.execute(
            delete(InviteCodeFailure).where(col(InviteCodeFailure.created_at) <= since)
        )
        connection.execute(
            insert(InviteCodeFailure).values(
                guesser=guesser, market=market, cohort_id=cohort_id, created_at=now
            )
        )
        raise
    cohort: int | None = _COHORT_OF_CODE.rows(connection, {"code": code})[0][0]
    return cohort


def _refuse_when_over(
    connection: Connection,
    wrong: Prepared,
    scope: dict[str, Any],
    limit: int,
    since: dt.datetime,
) -> None:
    count, oldest = wrong.rows(connection, {**scope, "since": since})[0]
    if count >= limit and oldest is not None:
        wait = (oldest - since).total_seconds()  # until the oldest leaves the window
        raise ValidationError("error_invite_code_slow_down", minutes=max(1, math.ceil(wait / 60)))
