"""A seller as tests like to look at them: the user row and the current application in one.

Since a seller may have several applications, what used to be the seller's columns
(state, answers, version…) are the current application's; ``answers`` are joined with
the application's documents and products, as the flow sees them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from bot.db import uploads
from bot.db.models import Application, Seller


@dataclass(frozen=True)
class SellerSnapshot:
    """The seller and their current application, detached from any session."""

    id: int
    application_id: int
    telegram_user_id: int
    chat_id: int
    locale: str
    blocked: bool
    pending_confirmation: dict[str, Any] | None
    start_payload: str | None
    market: str | None
    track: str | None
    state: str
    answers: dict[str, Any]
    cohort_id: int | None
    version: int
    submitted_at: dt.datetime | None
    decided_at: dt.datetime | None


def snapshot(session: Session, seller: Seller) -> SellerSnapshot:
    """The seller as stored now."""
    application = session.get(Application, seller.current_application_id)
    assert seller.id is not None and application is not None and application.id is not None
    return SellerSnapshot(
        id=seller.id,
        application_id=application.id,
        telegram_user_id=seller.telegram_user_id,
        chat_id=seller.chat_id,
        locale=seller.locale,
        blocked=seller.blocked,
        pending_confirmation=seller.pending_confirmation,
        start_payload=seller.start_payload,
        market=application.market,
        track=application.track,
        state=application.state,
        answers=uploads.join(session, application.id, application.answers),
        cohort_id=application.cohort_id,
        version=application.version,
        submitted_at=application.submitted_at,
        decided_at=application.decided_at,
    )


def seller_snapshot(session: Session, telegram_user_id: int) -> SellerSnapshot:
    """The seller of a Telegram user (who must exist)."""
    seller = session.exec(select(Seller).where(Seller.telegram_user_id == telegram_user_id)).one()
    return snapshot(session, seller)


def all_sellers(session: Session) -> list[SellerSnapshot]:
    """Every seller, by Telegram user id."""
    sellers = session.exec(select(Seller).order_by(Seller.telegram_user_id)).all()  # type: ignore[arg-type]
    return [snapshot(session, seller) for seller in sellers]
