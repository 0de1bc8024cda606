"""Reminder rounds (drip): a localized nudge for applications left inactive.

Per cohort, ``rules["reminder_days"]`` (N) and ``rules["reminder_max"]`` (K, 3 when only
N is set; 0 turns nudges off): an application not submitted, whose seller has not blocked
the bot, inactive for N days since its last change *and* its last nudge, gets nudge
number k+1 while k < K, only when it is daytime where the seller is (outside the quiet
hours). Everything is computed from the database: each nudge is a ``ReminderNudge`` row,
unique per application and number, written in the same transaction as its delivery. A
restart loses no round (the next one finds the same applications) and sends no nudge
twice (the rows already exist; two concurrent rounds collide on the unique key and one
rolls back whole).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.broadcasts.compose import CONTINUE
from bot.db.models import Application, Cohort, ReminderNudge, Seller
from bot.outbox import store
from bot.platform.i18n import LOCALES
from bot.transport.context import translator
from bot.transport.keyboards import pack
from flows.tracks import FINAL_STATES, REVIEW, find_step

DEFAULT_MAX = 3
ZONES = {"uk": "Europe/London", "id": "Asia/Jakarta"}
CROSS_BORDER_ZONE = "Asia/Shanghai"


@dataclass
class RoundResult:
    """What a round did: its broadcast (None when nothing was due) and who was held back."""

    broadcast_id: int | None = None
    queued: int = 0
    quiet: int = 0
    by_cohort: dict[int, int] = field(default_factory=dict)


def parse_quiet_hours(raw: str) -> tuple[int, int]:
    """``"21-9"`` → (21, 9): no nudges from 21:00 to 08:59 local time."""
    start, _, end = raw.partition("-")
    return int(start) % 24, int(end) % 24


def is_quiet(local: dt.datetime, quiet: tuple[int, int]) -> bool:
    start, end = quiet
    if start == end:
        return False
    if start < end:
        return start <= local.hour < end
    return local.hour >= start or local.hour < end


def zone_of(application: Application) -> ZoneInfo:
    """Where the seller is: cross-border sellers in China, others in the market's zone."""
    if application.track and application.track.endswith("crossborder"):
        return ZoneInfo(CROSS_BORDER_ZONE)
    return ZoneInfo(ZONES.get(application.market or "", CROSS_BORDER_ZONE))


def limits(cohort: Cohort) -> tuple[int, int] | None:
    """(days, max) of a cohort with reminders on, else None."""
    days = cohort.rules.get("reminder_days")
    most = cohort.rules.get("reminder_max", DEFAULT_MAX)
    if not days or not most:
        return None
    return int(days), int(most)


def run_round(
    session: Session,
    now: dt.datetime,
    *,
    quiet_hours: tuple[int, int],
    cohorts: list[Cohort],
    created_by: int | None = None,
    always: bool = False,
) -> RoundResult:
    """Queue the nudges now due in ``cohorts``, in the caller's transaction.

    ``always`` writes a (possibly empty) broadcast, so a round run by hand has a report.
    """
    result = RoundResult()
    messages: list[store.Message] = []
    nudges: list[tuple[int, int]] = []
    for cohort in cohorts:
        rule = limits(cohort)
        if rule is None or cohort.id is None:
            continue
        for application, seller, number in _due(session, cohort.id, now, *rule):
            if is_quiet(now.astimezone(zone_of(application)), quiet_hours):
                result.quiet += 1
                continue
            if any(m.chat_id == seller.chat_id for m in messages):
                continue  # one nudge per chat per round; the other application waits
            assert application.id is not None
            messages.append(_nudge(application, seller))
            nudges.append((application.id, number))
            result.by_cohort[cohort.id] = result.by_cohort.get(cohort.id, 0) + 1
    if not messages and not always:
        return result
    result.broadcast_id = store.enqueue_in(
        session, messages, kind="reminder", created_by=created_by
    )
    for application_id, number in nudges:
        session.add(
            ReminderNudge(
                application_id=application_id,
                number=number,
                broadcast_id=result.broadcast_id,
                created_at=now,
            )
        )
    session.flush()  # the unique key refuses a nudge another round wrote meanwhile
    result.queued = len(messages)
    return result


def automatic_round(session: Session, now: dt.datetime, quiet_hours: str) -> RoundResult:
    """The periodic round over every open cohort with reminders on."""
    cohorts = session.exec(select(Cohort).where(col(Cohort.archived).is_(False))).all()
    return run_round(
        session, now, quiet_hours=parse_quiet_hours(quiet_hours), cohorts=list(cohorts)
    )


def _due(
    session: Session, cohort_id: int, now: dt.datetime, days: int, most: int
) -> list[tuple[Application, Seller, int]]:
    since = now - dt.timedelta(days=days)
    rows = session.exec(
        select(Application, Seller)
        .join(Seller, col(Seller.id) == col(Application.seller_id))
        .where(
            Application.cohort_id == cohort_id,
            col(Application.submitted_at).is_(None),
            col(Application.state).not_in([*FINAL_STATES, REVIEW]),
            col(Seller.blocked).is_(False),
            col(Application.updated_at) <= since,
        )
        .order_by(col(Application.id))
    ).all()
    if not rows:
        return []
    ids = [a.id for a, _ in rows]
    sent: dict[int, tuple[int, dt.datetime]] = defaultdict(lambda: (0, dt.datetime.min))
    for application_id, count, last in session.exec(
        select(
            ReminderNudge.application_id,
            func.count(),
            func.max(ReminderNudge.created_at),
        )
        .where(col(ReminderNudge.application_id).in_(ids))
        .group_by(col(ReminderNudge.application_id))
    ).all():
        sent[application_id] = (int(count), last)
    due = []
    for application, seller in rows:
        count, last = sent[application.id or 0]
        if count >= most:
            continue
        if count and last > since:
            continue  # nudged less than N days ago
        due.append((application, seller, count + 1))
    return due


def _nudge(application: Application, seller: Seller) -> store.Message:
    t = translator(seller.locale if seller.locale in LOCALES else "en")
    step = find_step(application.track, application.state)
    name = t(step.label) if step is not None and step.label else t("reminder_step_next")
    return store.Message(
        chat_id=seller.chat_id,
        seller_id=seller.id,
        application_id=application.id,
        text=t("reminder_nudge", {"step": name}),
        parse_mode=None,
        buttons=[[{"text": t("button_show_step"), "callback_data": pack(CONTINUE, "go")}]],
    )
