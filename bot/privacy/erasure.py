"""Erasing a seller, and anonymizing an application, inside the caller's transaction.

What stays is what funnels count and nothing more: the application row with its market,
track, state, cohort and times, and its step events (states, actor, time). What goes is
everything a seller typed or Telegram told us: answers, documents, products, the seller
row (Telegram ids, chat, language, deep-link payload), their outbox deliveries, their
wrong invite codes, and their questions (tickets) with the notices that carried them. The
erased application's ``seller_id`` is None: no row leads back to a person, and a seller
who starts again is a new seller.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection

from sqlalchemy import ColumnElement, delete, or_, update
from sqlmodel import Session, col, select

from bot.db import repo
from bot.db.models import (
    Application,
    AuditEvent,
    Cohort,
    Delivery,
    Document,
    Product,
    ReviewDraft,
    Seller,
    Ticket,
    utcnow,
)
from bot.providers import audit
from bot.providers.access import AdminIdentity

SYSTEM = AdminIdentity(0, None, "system", "en")
"""The actor of erasures and retention in the audit log (never the seller's own id)."""


def anonymize(session: Session, *, application_ids: Collection[int]) -> None:
    """Strip the applications of answers, uploads and their seller; keep states and times."""
    if not application_ids:
        return
    ids = list(application_ids)
    session.exec(delete(Document).where(col(Document.application_id).in_(ids)))
    session.exec(delete(Product).where(col(Product.application_id).in_(ids)))
    session.exec(
        update(Application)
        .where(col(Application.id).in_(ids))
        .values(
            answers={},
            submitted_answers=None,  # the review's copy of the answers at submission
            review_changes=None,
            seller_id=None,
            anonymized_at=utcnow(),
            version=Application.version + 1,
        )
    )
    session.exec(delete(ReviewDraft).where(col(ReviewDraft.application_id).in_(ids)))
    # notices to admins about these applications quote the answers
    session.exec(delete(Delivery).where(col(Delivery.application_id).in_(ids)))
    _drop_tickets(session, col(Ticket.application_id).in_(ids))
    # an admin's before/after of these applications may quote the seller's answers
    targets = [f"application:{i}" for i in ids]
    session.exec(
        update(AuditEvent)
        .where(col(AuditEvent.target).in_(targets))
        .values(before=None, after=None)
    )


def drop_seller(session: Session, *, seller: Seller) -> None:
    """Delete the seller row and what points at their Telegram identity."""
    _drop_tickets(session, col(Ticket.seller_id) == seller.id)
    session.exec(
        delete(Delivery).where(
            or_(col(Delivery.seller_id) == seller.id, col(Delivery.chat_id) == seller.chat_id)
        )
    )
    session.delete(seller)
    session.flush()


def erase_seller(session: Session, *, seller: Seller) -> int:
    """Erase ``seller`` (``/delete_me``); each provider's log says an erasure happened.

    Returns how many applications were anonymized.
    """
    applications = repo.applications_of(session, seller_id=seller.id or 0)
    ids = [a.id for a in applications if a.id is not None]
    providers = Counter(_provider_of(session, a.cohort_id) for a in applications)
    anonymize(session, application_ids=ids)
    drop_seller(session, seller=seller)
    for provider_id, count in providers.items():
        audit.record(
            session,
            admin=SYSTEM,
            action="seller.erased",
            provider_id=provider_id,
            after={"applications": count},
        )
    return len(ids)


def _drop_tickets(session: Session, which: ColumnElement[bool]) -> None:
    """The seller's questions, and the notices that carried them to admins."""
    ids = list(session.exec(select(Ticket.id).where(which)).all())
    if ids:
        session.exec(delete(Delivery).where(col(Delivery.ticket_id).in_(ids)))
        session.exec(delete(Ticket).where(col(Ticket.id).in_(ids)))


def _provider_of(session: Session, cohort_id: int | None) -> int | None:
    if cohort_id is None:
        return None
    return session.exec(select(Cohort.provider_id).where(Cohort.id == cohort_id)).first()
