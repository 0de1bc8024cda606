"""Slows down guessing of invite codes: after ``MAX_WRONG`` wrong codes in ``WINDOW``, a
seller waits until the oldest of them leaves the window.

Wrong tries are rows (``InviteCodeFailure``), so the limit holds across worker processes
and restarts; a seller's old rows are pruned as new ones are written.
"""

from __future__ import annotations

import datetime as dt
import math

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from bot.db.models import InviteCode, InviteCodeFailure
from bot.providers.codes import store as codes
from flows.errors import ValidationError

MAX_WRONG = 5
WINDOW = dt.timedelta(minutes=10)


def redeem_guarded(
    session: Session, *, code: str, market: str, telegram_user_id: int, now: dt.datetime
) -> InviteCode:
    """Redeem ``code`` for the seller, unless they guessed wrong too often lately."""
    since = now - WINDOW
    recent = col(InviteCodeFailure.telegram_user_id) == telegram_user_id
    count, oldest = session.exec(
        select(func.count(), func.min(InviteCodeFailure.created_at)).where(
            recent, col(InviteCodeFailure.created_at) > since
        )
    ).one()
    if count >= MAX_WRONG and oldest is not None:
        wait = (oldest + WINDOW - now).total_seconds()
        raise ValidationError("error_invite_code_slow_down", minutes=max(1, math.ceil(wait / 60)))
    try:
        codes.redeem_invite_code(session, code=code, market=market, now=now)
    except ValidationError:
        session.connection().execute(
            delete(InviteCodeFailure).where(recent, col(InviteCodeFailure.created_at) <= since)
        )
        session.add(InviteCodeFailure(telegram_user_id=telegram_user_id, created_at=now))
        session.flush()
        raise
    return session.exec(select(InviteCode).where(InviteCode.code == code)).one()
