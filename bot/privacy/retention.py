"""Providers' retention periods: closed applications older than a cohort's
``retention_days`` are anonymized (``bot.privacy.erasure.anonymize``).

The job computes everything from the database on each run — which cohorts have a period,
which applications passed it and are not anonymized yet — so running it twice, or on two
workers, or after a day the bot was down, changes nothing more than running it once. It
runs daily from PTB's job queue and by hand with ``python -m bot retention``.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import or_
from sqlmodel import Session, col, select
from telegram.ext import Application, ContextTypes

from bot.db import repo
from bot.db.models import Application as ApplicationRow
from bot.db.models import Cohort, Seller, utcnow
from bot.privacy.erasure import SYSTEM, anonymize, drop_seller
from bot.providers import audit
from flows.tracks import FINAL_STATES

RULE = "retention_days"
RUN_AT = dt.time(3, 17, tzinfo=dt.UTC)
log = logging.getLogger(__name__)


def expired(session: Session, *, cohort: Cohort, now: dt.datetime) -> list[int]:
    """Ids of the cohort's closed applications with no activity for its retention period."""
    days = cohort.rules.get(RULE)
    if not isinstance(days, int) or days <= 0:
        return []
    cutoff = now - dt.timedelta(days=days)
    query = select(ApplicationRow.id).where(
        ApplicationRow.cohort_id == cohort.id,
        col(ApplicationRow.state).in_(FINAL_STATES),
        col(ApplicationRow.anonymized_at).is_(None),
        col(ApplicationRow.updated_at) < cutoff,
        or_(col(ApplicationRow.submitted_at).is_(None), col(ApplicationRow.submitted_at) < cutoff),
        or_(col(ApplicationRow.decided_at).is_(None), col(ApplicationRow.decided_at) < cutoff),
    )
    return [i for i in session.exec(query) if i is not None]


def apply_retention(session: Session, *, now: dt.datetime | None = None) -> int:
    """Anonymize every expired application; the number anonymized."""
    now = now or utcnow()
    total = 0
    for cohort in session.exec(select(Cohort).order_by(col(Cohort.id))):
        ids = expired(session, cohort=cohort, now=now)
        if not ids:
            continue
        sellers = set(
            session.exec(select(ApplicationRow.seller_id).where(col(ApplicationRow.id).in_(ids)))
        )
        anonymize(session, application_ids=ids)
        for seller_id in sellers:
            _rehome(session, seller_id)
        audit.record(
            session,
            admin=SYSTEM,
            action="retention.anonymized",
            target=f"cohort:{cohort.id}",
            provider_id=cohort.provider_id,
            after={"applications": len(ids), "retention_days": cohort.rules[RULE]},
        )
        total += len(ids)
    return total


def _rehome(session: Session, seller_id: int | None) -> None:
    """A seller whose current application was anonymized continues their latest other
    one; a seller with none left is erased (nothing of theirs remains to keep)."""
    seller = session.get(Seller, seller_id) if seller_id is not None else None
    if seller is None:
        return
    left = repo.applications_of(session, seller_id=seller.id or 0)
    if not left:
        drop_seller(session, seller=seller)
        return
    if seller.current_application_id not in {a.id for a in left}:
        seller.current_application_id = left[-1].id
        session.add(seller)


async def _daily(context: ContextTypes.DEFAULT_TYPE) -> None:
    services = context.application.bot_data["services"]
    count = await services.db.run(lambda s: apply_retention(s))
    log.info("retention: %d applications anonymized", count)


def schedule(app: Application) -> None:  # type: ignore[type-arg]
    """Run the retention job daily (JobQueue jobs are not persisted: set at every start)."""
    if app.job_queue is not None:
        app.job_queue.run_daily(_daily, time=RUN_AT, name="retention")
