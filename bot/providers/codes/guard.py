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

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from bot.db.models import InviteCode, InviteCodeFailure
from bot.providers.codes import store as codes
from flows.errors import ValidationError

MAX_WRONG = 5
COHORT_MAX_WRONG = 30
WINDOW = dt.timedelta(minutes=10)


def guesser_id(key: bytes, telegram_user_id: int) -> str:
    """The guesser as the counter names them: HMAC-SHA256 of the user id under ``key``."""
    return hmac.new(key, str(telegram_user_id).encode(), hashlib.sha256).hexdigest()


def redeem_guarded(
    session: Session,
    *,
    code: str,
    market: str,
    guesser: str,
    cohort_id: int | None,
    now: dt.datetime,
) -> InviteCode:
    """Redeem ``code`` for the seller, unless they or their cohort guessed wrong too often."""
    since = now - WINDOW
    mine = col(InviteCodeFailure.guesser) == guesser
    cohort = col(InviteCodeFailure.cohort_id)
    scope = (
        col(InviteCodeFailure.market) == market,
        cohort.is_(None) if cohort_id is None else cohort == cohort_id,
    )
    _refuse_when_over(session, (mine,), MAX_WRONG, since)
    _refuse_when_over(session, scope, COHORT_MAX_WRONG, since)
    try:
        codes.redeem_invite_code(session, code=code, market=market, now=now)
    except ValidationError:
        # the table holds one window of wrong guesses: a small scan
        session.connection().execute(
            delete(InviteCodeFailure).where(col(InviteCodeFailure.created_at) <= since)
        )
        session.add(
            InviteCodeFailure(guesser=guesser, market=market, cohort_id=cohort_id, created_at=now)
        )
        session.flush()
        raise
    return session.exec(select(InviteCode).where(InviteCode.code == code)).one()


def _refuse_when_over(
    session: Session, where: tuple[Any, ...], limit: int, since: dt.datetime
) -> None:
    count, oldest = session.exec(
        select(func.count(), func.min(InviteCodeFailure.created_at)).where(
            *where, col(InviteCodeFailure.created_at) > since
        )
    ).one()
    if count >= limit and oldest is not None:
        wait = (oldest - since).total_seconds()  # until the oldest leaves the window
        raise ValidationError("error_invite_code_slow_down", minutes=max(1, math.ceil(wait / 60)))
