"""Tickets in the database: every change a conditional UPDATE, every read scoped.

A ticket moves ``asked`` → ``open`` (the seller asks a person, or the FAQ had nothing)
→ ``answered`` (the first answer claims it; later answers follow up) → ``closed``; or
``asked`` → ``closed`` when the FAQ answered it. Each change is one ``UPDATE … WHERE
state = <the state it starts from>``, so two taps or two admins change it once. A seller
changes only their own tickets (the ``seller`` row is matched by Telegram id in the same
statement); an admin only their provider's (``AdminIdentity.sees``), and another
provider's ticket reads exactly like no ticket at all.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import update
from sqlmodel import Session, col, select

from bot.db.models import Admin, Application, Cohort, Delivery, Seller, Ticket, utcnow
from bot.providers import audit
from bot.providers.access import AdminIdentity
from bot.sellers.applications import NAME_FIELDS

ASKED, OPEN, ANSWERED, CLOSED = "asked", "open", "answered", "closed"
WAITING = (OPEN, ANSWERED)
"""What an admin sees in ``/tickets`` and may answer or close."""
LIST_LIMIT = 10


@dataclass(frozen=True)
class Scope:
    """Where a seller's application belongs: its cohort, provider and market."""

    cohort_id: int | None = None
    provider_id: int | None = None
    market: str = ""
    cohort_name: str = ""


@dataclass(frozen=True)
class TicketView:
    """A ticket detached from its session, with what admins are shown about it."""

    id: int
    state: str
    provider_id: int | None
    chat_id: int
    message_id: int
    question: str
    locale: str
    market: str
    track: str | None
    step: str
    company: str = ""
    cohort_name: str = ""
    cohort_id: int | None = None
    answer: str = ""


def scope_of(session: Session, *, application_id: int) -> Scope:
    """The cohort and provider of an application (an empty scope without a cohort)."""
    application = session.get(Application, application_id)
    if application is None or application.cohort_id is None:
        return Scope()
    cohort = session.get(Cohort, application.cohort_id)
    if cohort is None:
        return Scope()
    return Scope(cohort.id, cohort.provider_id, cohort.market, cohort.name)


def create(
    session: Session,
    *,
    telegram_user_id: int,
    application_id: int,
    scope: Scope,
    chat_id: int,
    message_id: int,
    question: str,
    locale: str,
    market: str,
    track: str | None,
    step: str,
    state: str,
) -> TicketView | None:
    """A new ticket (``asked``, or ``open`` when nothing in the FAQ answers it)."""
    seller_id = _seller_id(session, telegram_user_id)
    if seller_id is None:  # erased between the question and now
        return None
    now = utcnow()
    ticket = Ticket(
        seller_id=seller_id,
        application_id=application_id or None,
        provider_id=scope.provider_id,
        cohort_id=scope.cohort_id,
        chat_id=chat_id,
        message_id=message_id,
        question=question[:4096],
        locale=locale,
        market=market,
        track=track,
        step=step,
        state=state,
        opened_at=now if state == OPEN else None,
    )
    session.add(ticket)
    session.flush()
    return view_of(session, ticket)


def seller_claim(
    session: Session, *, ticket_id: int, telegram_user_id: int, to: str
) -> TicketView | None:
    """The seller's own ``asked`` ticket moved ``to`` (``open``: ask a person; ``closed``:
    the FAQ answered it); None when it is not theirs or was moved already."""
    seller_id = _seller_id(session, telegram_user_id)
    if seller_id is None:
        return None
    now = utcnow()
    values: dict[str, object] = {"state": to}
    values["opened_at" if to == OPEN else "closed_at"] = now
    claimed = session.exec(
        update(Ticket)
        .where(
            col(Ticket.id) == ticket_id,
            col(Ticket.seller_id) == seller_id,
            col(Ticket.state) == ASKED,
        )
        .values(**values)
    )
    if claimed.rowcount != 1:
        return None
    ticket = session.get(Ticket, ticket_id)
    assert ticket is not None
    session.refresh(ticket)
    return view_of(session, ticket)


def for_admin(session: Session, *, admin: AdminIdentity, ticket_id: int) -> TicketView | None:
    """A ticket the admin may see and answer (not one still ``asked``), else None."""
    ticket = session.get(Ticket, ticket_id)
    if ticket is None or ticket.state == ASKED or not _sees(admin, ticket.provider_id):
        return None
    return view_of(session, ticket)


def replied_to(
    session: Session, *, admin: AdminIdentity, chat_id: int, message_id: int
) -> TicketView | None:
    """The ticket a message delivered to the admin's chat carries, if the admin may see it."""
    ticket_id = session.exec(
        select(Delivery.ticket_id).where(
            Delivery.chat_id == chat_id,
            Delivery.message_id == message_id,
            col(Delivery.ticket_id).is_not(None),
        )
    ).first()
    if ticket_id is None:
        return None
    return for_admin(session, admin=admin, ticket_id=ticket_id)


@dataclass(frozen=True)
class Answering:
    """What an admin's answer found: the ticket, and whether it was the first answer."""

    ticket: TicketView | None
    first: bool = False


def answer(session: Session, *, admin: AdminIdentity, ticket_id: int, text: str) -> Answering:
    """Record an admin's answer: the first one claims ``open`` → ``answered`` (and the time
    to first answer); a later one follows up. A closed ticket takes none. The text is kept
    (the latest answer) so that "Add to the FAQ" can turn the ticket into an entry."""
    ticket = for_admin(session, admin=admin, ticket_id=ticket_id)
    if ticket is None or ticket.state == CLOSED:
        return Answering(ticket)
    now = utcnow()
    claimed = session.exec(
        update(Ticket)
        .where(col(Ticket.id) == ticket_id, col(Ticket.state) == OPEN)
        .values(
            state=ANSWERED,
            first_answered_at=now,
            answered_by=admin.telegram_user_id,
            answer=text[:4096],
        )
    )
    first = claimed.rowcount == 1
    if not first:
        session.exec(
            update(Ticket)
            .where(col(Ticket.id) == ticket_id, col(Ticket.state) == ANSWERED)
            .values(answer=text[:4096])
        )
    audit.record(
        session,
        admin=admin,
        action="ticket.answer",
        target=f"ticket:{ticket_id}",
        provider_id=ticket.provider_id,
        before={"state": ticket.state},
        after={"state": ANSWERED},
    )
    return Answering(ticket, first)


def close(session: Session, *, admin: AdminIdentity, ticket_id: int) -> TicketView | None:
    """Close an open or answered ticket of the admin's; None when there is none to close."""
    ticket = for_admin(session, admin=admin, ticket_id=ticket_id)
    if ticket is None:
        return None
    closed = session.exec(
        update(Ticket)
        .where(col(Ticket.id) == ticket_id, col(Ticket.state).in_(WAITING))
        .values(state=CLOSED, closed_at=utcnow())
    )
    if closed.rowcount != 1:
        return None
    audit.record(
        session,
        admin=admin,
        action="ticket.close",
        target=f"ticket:{ticket_id}",
        provider_id=ticket.provider_id,
        before={"state": ticket.state},
        after={"state": CLOSED},
    )
    return ticket


def waiting(session: Session, *, admin: AdminIdentity) -> list[TicketView]:
    """Open and answered tickets the admin may see, oldest question first."""
    query = select(Ticket).where(col(Ticket.state).in_(WAITING))
    if not admin.is_superadmin:
        query = query.where(Ticket.provider_id == admin.provider_id)
    rows = session.exec(query.order_by(col(Ticket.opened_at), col(Ticket.id)).limit(LIST_LIMIT))
    return [view_of(session, row) for row in rows.all()]


def recipients(
    session: Session, ticket: TicketView, superadmin_ids: Collection[int], default_locale: str
) -> list[tuple[int, str]]:
    """(chat id, language) of who answers: the provider's admins who take tickets, or, for
    a seller outside any cohort, the superadmins."""
    if ticket.provider_id is not None:
        rows = session.exec(
            select(Admin).where(Admin.provider_id == ticket.provider_id, Admin.notify_tickets)
        ).all()
        return [(row.telegram_user_id, row.locale) for row in rows]
    found = []
    for user_id in sorted(superadmin_ids):
        locale = session.exec(select(Admin.locale).where(Admin.telegram_user_id == user_id))
        found.append((user_id, locale.first() or default_locale))
    return found


def set_notify(session: Session, *, admin: AdminIdentity, on: bool) -> bool:
    """Turn the admin's ticket notices on or off; False for a superadmin with no admin row."""
    row = session.exec(select(Admin).where(Admin.telegram_user_id == admin.telegram_user_id))
    found = row.first()
    if found is None:
        return False
    if found.notify_tickets != on:
        audit.record(
            session,
            admin=admin,
            action="admin.tickets",
            target=f"admin:{found.telegram_user_id}",
            before={"notify": found.notify_tickets},
            after={"notify": on},
        )
        found.notify_tickets = on
        session.add(found)
    return True


def view_of(session: Session, ticket: Ticket) -> TicketView:
    """The ticket as handlers use it, with its company and cohort names."""
    assert ticket.id is not None
    company = ""
    if ticket.application_id is not None:
        application = session.get(Application, ticket.application_id)
        answers = application.answers if application is not None else {}
        company = next((str(answers[f]) for f in NAME_FIELDS if answers.get(f)), "")
    cohort = session.get(Cohort, ticket.cohort_id) if ticket.cohort_id is not None else None
    return TicketView(
        id=ticket.id,
        state=ticket.state,
        provider_id=ticket.provider_id,
        chat_id=ticket.chat_id,
        message_id=ticket.message_id,
        question=ticket.question,
        locale=ticket.locale,
        market=ticket.market,
        track=ticket.track,
        step=ticket.step,
        company=company,
        cohort_name=cohort.name if cohort is not None else "",
        cohort_id=ticket.cohort_id,
        answer=ticket.answer or "",
    )


def _seller_id(session: Session, telegram_user_id: int) -> int | None:
    return session.exec(
        select(Seller.id).where(Seller.telegram_user_id == telegram_user_id)
    ).first()


def _sees(admin: AdminIdentity, provider_id: int | None) -> bool:
    return admin.is_superadmin or (provider_id is not None and admin.sees(provider_id))
