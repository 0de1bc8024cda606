"""processed updates by identity

Redelivered updates are recognized by a ``processedupdate`` record (update id and content
digest) instead of ``seller.last_update_id``, which judged by order and dropped valid
updates that arrived out of order or after Telegram restarted its ids.

Revision ID: 0004
Revises: 0002
Create Date: 2026-12-01 20:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "processedupdate",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("digest", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("update_id", "digest"),
    )
    with op.batch_alter_table("processedupdate", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_processedupdate_created_at"), ["created_at"], unique=False
        )
    with op.batch_alter_table("seller", schema=None) as batch_op:
        batch_op.drop_column("last_update_id")


def downgrade() -> None:
    with op.batch_alter_table("seller", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_update_id", sa.BigInteger(), nullable=True))
    with op.batch_alter_table("processedupdate", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_processedupdate_created_at"))
    op.drop_table("processedupdate")
