"""seller review: submitted snapshot and changes on application, admins' rejection drafts

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 21:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reviewdraft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("admin_telegram_id", sa.BigInteger(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("reasons", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["application_id"], ["application.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("admin_telegram_id"),
    )
    # plain ALTERs (no batch rebuild): other tables' foreign keys point at application
    op.add_column("application", sa.Column("submitted_answers", sa.JSON(), nullable=True))
    op.add_column("application", sa.Column("review_changes", sa.JSON(), nullable=True))


def downgrade() -> None:
    for column in ("review_changes", "submitted_answers"):
        op.execute(f"ALTER TABLE application DROP COLUMN {column}")
    op.drop_table("reviewdraft")
