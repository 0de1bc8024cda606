"""drop seller.last_activity_at: each application's updated_at says when it last moved

Writing it made every accepted answer update the seller row as well as the application
(one more statement on the hot path, ``bench.bench_updates``); nothing but ``/mydata``
read it, and ``/mydata`` lists every application's ``updated_at``.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 00:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("seller", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_seller_last_activity_at"))
        batch_op.drop_column("last_activity_at")


def downgrade() -> None:
    with op.batch_alter_table("seller", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "last_activity_at",
                sa.DateTime(timezone=True),
                nullable=False,
                server_default=sa.func.current_timestamp(),
            )
        )
        batch_op.create_index(
            batch_op.f("ix_seller_last_activity_at"), ["last_activity_at"], unique=False
        )
    op.execute(
        "UPDATE seller SET last_activity_at = COALESCE((SELECT MAX(a.updated_at) FROM"
        " application a WHERE a.seller_id = seller.id), created_at)"
    )
