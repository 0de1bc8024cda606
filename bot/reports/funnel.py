"""A scope's funnel figures, as SQL aggregates: the database counts, Python only arranges.

Every query is one statement over ``application`` (and ``stepevent``) filtered by a
``Scope``: one cohort, one provider's cohorts, or everything (superadmins). Nothing here
loads rows per application: counts come from ``GROUP BY``, times per step from window
functions (``LAG`` for the time spent in a state, ``ROW_NUMBER``/``COUNT`` over the state
for nearest-rank percentiles), which SQLite (≥ 3.28) and PostgreSQL both have. Only the
arithmetic on timestamps differs, in ``_seconds`` and ``_day``.

Blocking: run through ``context.services.db.run`` (a worker thread), never on the loop.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import DateTime, bindparam, text
from sqlmodel import Session

from bot.reports.charts import DayCount
from flows.tracks import APPROVED, REJECTED, SUBMITTED

FINAL = (SUBMITTED, APPROVED, REJECTED)
REASONS_KEY = "rejection_reasons"
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

    started: int
    stalled: int
    reached: Mapping[str, int]
    times: Mapping[str, StepTime]
    reasons: list[tuple[str, int]]
    days: list[DayCount]
    tracks: list[str] = field(default_factory=list)


def _where(scope: Scope) -> tuple[str, dict[str, Any]]:
    if scope.cohort_id is not None:
        return "a.cohort_id = :cohort_id", {"cohort_id": scope.cohort_id}
    if scope.provider_id is not None:
        clause = "a.cohort_id IN (SELECT c.id FROM cohort c WHERE c.provider_id = :provider_id)"
        return clause, {"provider_id": scope.provider_id}
    return "1 = 1", {}


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _seconds(session: Session, later: str, earlier: str) -> str:
    if _postgres(session):
        return f"EXTRACT(EPOCH FROM ({later}) - ({earlier}))"
    return f"(julianday({later}) - julianday({earlier})) * 86400.0"


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


def reached(session: Session, *, scope: Scope) -> dict[str, int]:
    """State → applications that ever entered it (a step event to it)."""
    where, params = _where(scope)
    statement = text(
        "SELECT e.to_state, COUNT(DISTINCT e.application_id) FROM stepevent e "
        f"JOIN application a ON a.id = e.application_id WHERE {where} GROUP BY e.to_state"
    )
    return {state: int(n) for state, n in session.connection().execute(statement, params)}


def step_times(session: Session, *, scope: Scope) -> dict[str, StepTime]:
    """State → time spent in it, from entering (or the application's start) to leaving.

    Percentiles are nearest-rank: the ⌈p·n⌉-th smallest of the n times.
    """
    where, params = _where(scope)
    spent = _seconds(session, "e.created_at", "COALESCE(LAG(e.created_at) OVER w, a.created_at)")
    statement = text(
        "WITH spans AS ("
        f" SELECT e.from_state AS state, {spent} AS secs"
        " FROM stepevent e JOIN application a ON a.id = e.application_id"
        f" WHERE {where}"
        " WINDOW w AS (PARTITION BY e.application_id ORDER BY e.created_at, e.id)"
        "), ranked AS ("
        " SELECT state, secs,"
        " ROW_NUMBER() OVER (PARTITION BY state ORDER BY secs) AS rn,"
        " COUNT(*) OVER (PARTITION BY state) AS n FROM spans"
        ") SELECT state, n,"
        " MAX(CASE WHEN rn = (n * 50 + 99) / 100 THEN secs END),"
        " MAX(CASE WHEN rn = (n * 90 + 99) / 100 THEN secs END)"
        " FROM ranked GROUP BY state, n"
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
        f"WHERE {where} AND EXISTS (SELECT 1 FROM stepevent e WHERE e.application_id = a.id "
        f"AND e.to_state = :rejected) GROUP BY {code} ORDER BY n DESC, {code} LIMIT :limit"
    )
    rows = session.connection().execute(statement, {**params, "rejected": REJECTED, "limit": limit})
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


def figures(session: Session, *, scope: Scope, now: dt.datetime, stalled_days: int) -> Figures:
    """Every figure of ``/stats``, in the caller's one transaction."""
    started, stalled = counts(
        session, scope=scope, stalled_before=now - dt.timedelta(days=stalled_days)
    )
    return Figures(
        started=started,
        stalled=stalled,
        reached=reached(session, scope=scope),
        times=step_times(session, scope=scope),
        reasons=rejection_reasons(session, scope=scope),
        days=per_day(session, scope=scope),
        tracks=tracks(session, scope=scope),
    )
