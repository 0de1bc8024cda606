"""A provider's cohorts (入驻批次): create, list, archive, rules, and the linked group.

Every function that takes an ``actor`` returns None for a cohort of another provider, so
a guessed or forged cohort id reads exactly like one that does not exist.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from typing import Any

from sqlmodel import Session, col, select

from bot.db.models import Cohort
from bot.providers import audit
from bot.providers.access import AdminIdentity

MAX_COHORT_NAME = 200


def create_cohort(
    session: Session,
    *,
    provider_id: int,
    name: str,
    market: str,
    track: str | None = None,
    closes_on: dt.date | None = None,
) -> Cohort:
    """A new cohort with its own unguessable join token (the deep-link payload)."""
    cohort = Cohort(
        provider_id=provider_id,
        name=name.strip()[:MAX_COHORT_NAME],
        market=market,
        track=track,
        closes_on=closes_on,
        join_token="c_" + secrets.token_urlsafe(12),
    )
    session.add(cohort)
    session.flush()
    return cohort


def cohorts_of(
    session: Session, *, actor: AdminIdentity, include_archived: bool = False
) -> list[Cohort]:
    """The cohorts an admin sees (all of them for a superadmin), newest first."""
    query = select(Cohort).order_by(col(Cohort.id).desc())
    if not actor.is_superadmin:
        query = query.where(Cohort.provider_id == actor.provider_id)
    if not include_archived:
        query = query.where(col(Cohort.archived).is_(False))
    return list(session.exec(query).all())


def cohort_of(session: Session, *, actor: AdminIdentity, cohort_id: int) -> Cohort | None:
    """One cohort, if it is the admin's to see."""
    cohort = session.get(Cohort, cohort_id)
    if cohort is None or not actor.sees(cohort.provider_id):
        return None
    return cohort


def snapshot(cohort: Cohort) -> dict[str, Any]:
    """What the audit log keeps of a cohort before and after a change."""
    return {
        "name": cohort.name,
        "market": cohort.market,
        "track": cohort.track,
        "archived": cohort.archived,
        "group_chat_id": cohort.group_chat_id,
        "rules": dict(cohort.rules),
        "product_rules": dict(cohort.product_rules),
    }


def change_cohort(
    session: Session,
    *,
    actor: AdminIdentity,
    cohort_id: int,
    action: str,
    change: Callable[[Cohort], None],
) -> Cohort | None:
    """Apply ``change`` to one of the actor's cohorts and audit it, before → after.

    None (and nothing changed) for a cohort that is not the actor's to change.
    """
    cohort = cohort_of(session, actor=actor, cohort_id=cohort_id)
    if cohort is None:
        return None
    before = snapshot(cohort)
    change(cohort)
    session.add(cohort)
    session.flush()
    audit.record(
        session,
        admin=actor,
        action=action,
        target=f"cohort:{cohort.id}",
        provider_id=cohort.provider_id,
        before=before,
        after=snapshot(cohort),
    )
    return cohort


def cohort_for_group(session: Session, *, chat_id: int) -> Cohort | None:
    """The cohort a group chat is linked to."""
    return session.exec(select(Cohort).where(Cohort.group_chat_id == chat_id)).first()


def link_group(session: Session, *, cohort: Cohort, chat_id: int) -> Cohort | None:
    """Link the group to ``cohort``; returns the cohort it was linked to before, if another."""
    previous = cohort_for_group(session, chat_id=chat_id)
    if previous is not None and previous.id != cohort.id:
        previous.group_chat_id = None
        session.add(previous)
        session.flush()
    cohort.group_chat_id = chat_id
    session.add(cohort)
    return previous if previous is not None and previous.id != cohort.id else None


def unlink_group(session: Session, *, chat_id: int) -> Cohort | None:
    """The bot left or was removed from the group: the cohort loses its link."""
    cohort = cohort_for_group(session, chat_id=chat_id)
    if cohort is not None:
        cohort.group_chat_id = None
        session.add(cohort)
    return cohort


def migrate_group(session: Session, *, old_chat_id: int, new_chat_id: int) -> Cohort | None:
    """A group became a supergroup (a new chat id): the link follows it."""
    cohort = cohort_for_group(session, chat_id=old_chat_id)
    if cohort is not None:
        cohort.group_chat_id = new_chat_id
        session.add(cohort)
    return cohort
