"""step durations stored at write time: what /stats recomputed from every event

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 00:30:00

``/stats`` read the whole step history twice: a ``LAG`` window over every event for the
time spent in each state, and a ``GROUP BY`` application over every event for how far each
got. The writers now store both as they go:

- ``stepevent.seconds``: the time spent in ``from_state`` before the event (from the
  application's previous event, or from its creation);
- ``application.state_since``: when the application entered its current state (where the
  next event's ``seconds`` start);
- ``application.furthest_state``: the furthest state it has been in along its track's
  funnel (``flows.reach``);
- ``application.rejections``: how many times a reviewer rejected it.

The backfill is set-based (a few statements over whole tables, both dialects): the same
``LAG`` the query used, the last event of each application, and the highest-ranked state
each application has been in. The ranks come from the tracks as the code defines them at
upgrade time, which is the code that reads the column afterwards.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from flows.reach import START, funnel_order
from flows.tracks import TRACKS

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TEXT = sqlmodel.sql.sqltypes.AutoString

SECONDS = {  # date_part is double precision; EXTRACT is numeric, and slower
    "postgresql": "date_part('epoch', {later}) - date_part('epoch', {earlier})",
    "sqlite": "(julianday({later}) - julianday({earlier})) * 86400.0",
}


def upgrade() -> None:
    with op.batch_alter_table("stepevent", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seconds", sa.Float(), nullable=True))
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.add_column(sa.Column("state_since", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("furthest_state", TEXT(length=64), nullable=True))
        batch_op.add_column(sa.Column("rejections", sa.Integer(), nullable=True))
    _backfill(op.get_bind().dialect.name)
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.alter_column(
            "state_since", existing_type=sa.DateTime(timezone=True), nullable=False
        )
        batch_op.alter_column("furthest_state", existing_type=TEXT(length=64), nullable=False)
        batch_op.alter_column("rejections", existing_type=sa.Integer(), nullable=False)


def _backfill(dialect: str) -> None:
    spent = SECONDS[dialect].format(
        later="e.created_at", earlier="COALESCE(LAG(e.created_at) OVER w, a.created_at)"
    )
    op.execute(
        f"UPDATE stepevent SET seconds = s.spent FROM (SELECT e.id, {spent} AS spent"
        " FROM stepevent e JOIN application a ON a.id = e.application_id"
        " WINDOW w AS (PARTITION BY e.application_id ORDER BY e.id)) AS s"
        " WHERE stepevent.id = s.id"
    )
    op.execute(
        "UPDATE application SET"
        " state_since = COALESCE((SELECT e.created_at FROM stepevent e"
        " WHERE e.application_id = application.id ORDER BY e.id DESC LIMIT 1), created_at),"
        " rejections = (SELECT COUNT(*) FROM stepevent e"
        " WHERE e.application_id = application.id AND e.to_state = 'rejected'),"
        f" furthest_state = '{START}'"
    )
    # the furthest of every state an application has been in: its current one, and each
    # event's from and to (``rejected`` and other tracks' steps have no rank in its funnel)
    ranks = ", ".join(
        f"('{track or ''}', '{state}', {position})"
        for track in (None, *TRACKS)
        for position, state in enumerate(funnel_order(track))
    )
    op.execute(
        f"WITH ranks(track, state, position) AS (VALUES {ranks}),"
        " visited(application_id, state) AS ("
        " SELECT id, state FROM application"
        " UNION ALL SELECT application_id, from_state FROM stepevent"
        " UNION ALL SELECT application_id, to_state FROM stepevent),"
        " best(application_id, track, position) AS ("
        " SELECT a.id, r.track, MAX(r.position) FROM visited v"
        " JOIN application a ON a.id = v.application_id"
        " JOIN ranks r ON r.track = COALESCE(a.track, '') AND r.state = v.state"
        " GROUP BY a.id, r.track)"
        " UPDATE application SET furthest_state = r.state FROM best b"
        " JOIN ranks r ON r.track = b.track AND r.position = b.position"
        " WHERE application.id = b.application_id"
    )


def downgrade() -> None:
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.drop_column("rejections")
        batch_op.drop_column("furthest_state")
        batch_op.drop_column("state_since")
    with op.batch_alter_table("stepevent", schema=None) as batch_op:
        batch_op.drop_column("seconds")
