"""broadcast drafts (the composer's state) and reminder nudges (new tables only)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 21:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "broadcast_draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=True),
        sa.Column("admin_telegram_id", sa.BigInteger(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("spec", sa.JSON(), nullable=False),
        sa.Column("awaiting", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("prompt_message_id", sa.BigInteger(), nullable=True),
        sa.Column("scheduled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("broadcast_id", sa.Integer(), nullable=True),
        sa.Column("status_message_id", sa.BigInteger(), nullable=True),
        sa.Column("reported", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["broadcast_id"], ["broadcast.id"]),
        sa.ForeignKeyConstraint(["provider_id"], ["provider.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in ("provider_id", "admin_telegram_id", "status", "broadcast_id"):
        op.create_index(
            op.f(f"ix_broadcast_draft_{column}"), "broadcast_draft", [column], unique=False
        )
    op.create_table(
        "reminder_nudge",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("broadcast_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["application_id"], ["application.id"]),
        sa.ForeignKeyConstraint(["broadcast_id"], ["broadcast.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("application_id", "number"),
    )
    for column in ("application_id", "broadcast_id"):
        op.create_index(
            op.f(f"ix_reminder_nudge_{column}"), "reminder_nudge", [column], unique=False
        )


def downgrade() -> None:
    for column in ("application_id", "broadcast_id"):
        op.drop_index(op.f(f"ix_reminder_nudge_{column}"), table_name="reminder_nudge")
    op.drop_table("reminder_nudge")
    for column in ("provider_id", "admin_telegram_id", "status", "broadcast_id"):
        op.drop_index(op.f(f"ix_broadcast_draft_{column}"), table_name="broadcast_draft")
    op.drop_table("broadcast_draft")
