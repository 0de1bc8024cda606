"""A scope's funnel figures, as SQL aggregates: the database counts, Python only arranges.

Every query is one statement over ``application`` (and ``stepevent``) filtered by a
``Scope``: one cohort, one provider's cohorts, or everything (superadmins). Nothing here
loads rows per application, and nothing recomputes the history: the writers store what
the figures need as they go (migration 0012) — how far each application got
(``furthest_state``) and whether it was ever rejected (``rejections``) on the application,
the time spent in a state on the event that left it (``seconds``). So the funnel is one
``GROUP BY`` over the scope's applications, and the times per step one pass over its
events into a small histogram, whose running ``SUM`` gives the percentiles. Only the
arithmetic on timestamps differs between SQLite and PostgreSQL, in ``_day``.

Blocking: run through ``context.services.db.run`` (a worker thread), never on the loop.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import DateTime, bindparam, text
from sqlmodel import Session

from bot.reports.charts import DayCount
from flows.reach import funnel_order, rank
from flows.rejections import ANSWER_KEY
from flows.tracks import APPROVED, REJECTED, SUBMITTED

FINAL = (SUBMITTED, APPROVED, REJECTED)
REASONS_KEY = ANSWER_KEY
"""Where a rejected application's reason codes are read from (``answers[REASONS_KEY]``, a
list of ``flows.rejections`` codes); anything else there is ignored, not an error."""


@dataclass(frozen=True, slots=True)
class Scope:
    """Which applications count: a cohort's, a provider's, or (both None) all of them."""

    cohort_id: int | None = None
    provider_id: int | None = None


@dataclass(frozen=True, slots=True)
class StepTime:
    """Time spent in one state before leaving it: how many left it, median and p90 seconds."""

    count: int
    median_s: float
    p90_s: float


@dataclass(frozen=True, slots=True)
class Figures:
    """Everything ``/stats`` shows, for one scope at one moment."""

    track: str | None
    """The track whose steps the funnel lists (None: the milestones every track shares)."""
    started: int
    stalled: int
    funnel: list[tuple[str, int]]
    """(state, applications that got at least that far), in the flow's order."""
    rejected: int
    times: Mapping[str, StepTime]
    reasons: list[tuple[str, int]]
    days: list[DayCount]

    def reached(self, state: str) -> int:
        return dict(self.funnel).get(state, 0)


def _where(scope: Scope) -> tuple[str, dict[str, Any]]:
    if scope.cohort_id is not None:
        return "a.cohort_id = :cohort_id", {"cohort_id": scope.cohort_id}
    if scope.provider_id is not None:
        clause = "a.cohort_id IN (SELECT c.id FROM cohort c WHERE c.provider_id = :provider_id)"
        return clause, {"provider_id": scope.provider_id}
    return "1 = 1", {}


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _day(session: Session, column: str) -> str:
    if _postgres(session):
        return f"CAST(({column}) AT TIME ZONE 'UTC' AS DATE)"
    return f"date({column})"


def counts(session: Session, *, scope: Scope, stalled_before: dt.datetime) -> tuple[int, int]:
    """Applications started, and those still open with no activity since ``stalled_before``."""
    where, params = _where(scope)
    statement = text(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN a.state NOT IN (:s, :a, :r) "
        f"AND a.updated_at < :before THEN 1 ELSE 0 END), 0) FROM application a WHERE {where}"
    ).bindparams(bindparam("before", type_=DateTime(timezone=True)))
    row = session.connection().execute(
        statement,
        {**params, "s": SUBMITTED, "a": APPROVED, "r": REJECTED, "before": stalled_before},
    )
    started, stalled = row.one()
    return int(started), int(stalled)


def furthest(session: Session, *, scope: Scope, order: Sequence[str]) -> tuple[list[int], int]:
    """How far applications got along ``order``, and how many were ever rejected.

    Returns, for each position, the applications whose furthest state is there (the
    funnel is their running total from the end; one that never moved counts as the
    first), and the rejected count. An application of another track counts as far as
    the intake (``flows.reach.rank``).
    """
    where, params = _where(scope)
    statement = text(
        "SELECT a.furthest_state, COUNT(*), SUM(CASE WHEN a.rejections > 0 THEN 1 ELSE 0 END)"
        f" FROM application a WHERE {where} GROUP BY a.furthest_state"
    )
    at = [0] * len(order)
    rejected = 0
    for state, count, ever_rejected in session.connection().execute(statement, params):
        at[rank(order, str(state))] += int(count)
        rejected += int(ever_rejected or 0)
    return at, rejected


def step_times(session: Session, *, scope: Scope) -> dict[str, StepTime]:
    """State → time spent in it, from entering (or the application's start) to leaving.

    Each event carries the seconds its application spent in ``from_state`` (written with
    it; events without are left out). The times are counted in buckets of two significant
    digits (≤ 5 % off, finer than the one-unit display), so the percentiles come from a
    small histogram instead of sorting every time: nearest-rank, the smallest bucket
    holding the ⌈p·n⌉-th time.
    """
    where, params = _where(scope)
    levels = " ".join(
        f"WHEN s < {10 ** (k + 2)} THEN ROUND(s / {10**k}) * {10**k}" for k in range(1, 6)
    )
    statement = text(
        "WITH spans AS ("
        " SELECT e.from_state AS state, ROUND(e.seconds) AS s"
        " FROM stepevent e JOIN application a ON a.id = e.application_id"
        f" WHERE {where} AND e.seconds IS NOT NULL"
        "), hist AS ("
        f" SELECT state, CASE WHEN s < 100 THEN s {levels} ELSE ROUND(s / 1000000) * 1000000 END"
        " AS bucket, COUNT(*) AS c FROM spans GROUP BY 1, 2"
        "), running AS ("
        " SELECT state, bucket, SUM(c) OVER (PARTITION BY state ORDER BY bucket) AS upto,"
        " SUM(c) OVER (PARTITION BY state) AS n FROM hist"
        ") SELECT state, n,"
        " MIN(CASE WHEN upto * 100 >= n * 50 THEN bucket END),"
        " MIN(CASE WHEN upto * 100 >= n * 90 THEN bucket END)"
        " FROM running GROUP BY state, n"
    )
    rows = session.connection().execute(statement, params)
    return {
        state: StepTime(int(n), float(median or 0), float(p90 or 0))
        for state, n, median, p90 in rows
    }


def rejection_reasons(session: Session, *, scope: Scope, limit: int = 5) -> list[tuple[str, int]]:
    """The most frequent reason codes of rejected applications (none recorded → ``[]``)."""
    where, params = _where(scope)
    if _postgres(session):
        value = f"(a.answers::jsonb -> '{REASONS_KEY}')"
        elements = (
            "jsonb_array_elements_text(CASE WHEN jsonb_typeof"
            f"({value}) = 'array' THEN {value} ELSE '[]'::jsonb END) AS r(code)"
        )
        code = "r.code"
    else:
        path = f"'$.{REASONS_KEY}'"
        elements = (
            f"json_each(CASE WHEN json_type(a.answers, {path}) = 'array' "
            f"THEN json_extract(a.answers, {path}) ELSE '[]' END) AS r"
        )
        code = "r.value"
    statement = text(
        f"SELECT {code}, COUNT(*) AS n FROM application a, {elements} "
        f"WHERE {where} AND a.rejections > 0 "
        f"GROUP BY {code} ORDER BY n DESC, {code} LIMIT :limit"
    )
    rows = session.connection().execute(statement, {**params, "limit": limit})
    return [(str(reason), int(n)) for reason, n in rows]


def per_day(session: Session, *, scope: Scope) -> list[DayCount]:
    """Applications started and submitted per day (UTC), every day from the first to the last."""
    where, params = _where(scope)
    started, submitted = _day(session, "a.created_at"), _day(session, "a.submitted_at")
    statement = text(
        "SELECT day, SUM(started), SUM(submitted) FROM ("
        f" SELECT {started} AS day, 1 AS started, 0 AS submitted FROM application a WHERE {where}"
        f" UNION ALL SELECT {submitted}, 0, 1 FROM application a"
        f" WHERE {where} AND a.submitted_at IS NOT NULL"
        ") AS d GROUP BY day ORDER BY day"
    )
    found = {
        day if isinstance(day, dt.date) else dt.date.fromisoformat(str(day)): (int(s), int(u))
        for day, s, u in session.connection().execute(statement, params)
    }
    if not found:
        return []
    first, last = min(found), max(found)
    span = (first + dt.timedelta(days=i) for i in range((last - first).days + 1))
    return [DayCount(day, *found.get(day, (0, 0))) for day in span]


def tracks(session: Session, *, scope: Scope) -> list[str]:
    """The tracks the scope's applications chose, most frequent first."""
    where, params = _where(scope)
    statement = text(
        f"SELECT a.track, COUNT(*) AS n FROM application a WHERE {where} "
        "AND a.track IS NOT NULL GROUP BY a.track ORDER BY n DESC, a.track"
    )
    return [str(track) for track, _ in session.connection().execute(statement, params)]


def funnel_track(cohort_track: str | None, chosen: Sequence[str]) -> str | None:
    """The cohort's track, else the one track all its applications chose, else None."""
    if cohort_track is not None:
        return cohort_track
    return chosen[0] if len(chosen) == 1 else None


def figures(
    session: Session,
    *,
    scope: Scope,
    cohort_track: str | None,
    now: dt.datetime,
    stalled_days: int,
) -> Figures:
    """Every figure of ``/stats``, in the caller's one transaction."""
    started, stalled = counts(
        session, scope=scope, stalled_before=now - dt.timedelta(days=stalled_days)
    )
    track = funnel_track(cohort_track, tracks(session, scope=scope))
    order = funnel_order(track)
    at, rejected = furthest(session, scope=scope, order=order)
    beyond = list(itertools.accumulate(reversed(at)))[::-1]
    return Figures(
        track=track,
        started=started,
        stalled=stalled,
        funnel=[(order[0], started), *zip(order[1:], beyond[1:], strict=True)],
        rejected=rejected,
        times=step_times(session, scope=scope),
        reasons=rejection_reasons(session, scope=scope),
        days=per_day(session, scope=scope),
    )
