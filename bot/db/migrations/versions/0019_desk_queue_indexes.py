"""indexes for the review desk's queue: by state in submission order, and per cohort

Revision ID: 0019
Revises: 0015
Create Date: 2026-12-07 12:10:00

The desk lists a provider's waiting applications oldest first, filtered by cohort:
``(state, submitted_at)`` reads them in order, ``(cohort_id, state, submitted_at)`` one
cohort's (bench/bench_desk.py: the queue at 100,000 applications).
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0019"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.create_index("ix_application_state_submitted", ["state", "submitted_at"])
        batch_op.create_index("ix_application_cohort_state", ["cohort_id", "state", "submitted_at"])


def downgrade() -> None:
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.drop_index("ix_application_cohort_state")
        batch_op.drop_index("ix_application_state_submitted")
