"""erasure and retention: an application may outlive its seller, anonymized

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 21:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.alter_column("seller_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("anonymized_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.execute(
        "DELETE FROM stepevent WHERE application_id IN "
        "(SELECT id FROM application WHERE seller_id IS NULL)"
    )
    op.execute("DELETE FROM application WHERE seller_id IS NULL")
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.drop_column("anonymized_at")
        batch_op.alter_column("seller_id", existing_type=sa.Integer(), nullable=False)
