"""step events in each application's order: the index the /stats passes read

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 21:35:00

``/stats`` reads every event of a scope twice, per application in ``id`` order (the time
spent in each state, how far each application got). On ``(application_id, id)`` both are
streamed from the index without sorting; on PostgreSQL the index also carries the columns
they read, so neither touches the table.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("stepevent", schema=None) as batch_op:
        batch_op.create_index(
            "ix_stepevent_application_order",
            ["application_id", "id"],
            unique=False,
            postgresql_include=["created_at", "from_state", "to_state"],
        )


def downgrade() -> None:
    with op.batch_alter_table("stepevent", schema=None) as batch_op:
        batch_op.drop_index("ix_stepevent_application_order")
