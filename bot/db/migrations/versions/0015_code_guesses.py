"""invite-code guesses counted per cohort and by a keyed hash of the guesser

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 09:00:00

The wrong-code counter was keyed by the Telegram user id, so ``/delete_me`` erased it (15
guesses instead of 5 after three erasures), and it counted per account only (50 accounts,
250 guesses). Now each wrong code is counted under a keyed hash of the user id (not
personal data, kept through an erasure) and under the seller's cohort (or market). The rows
only matter for ten minutes, so the table is recreated empty rather than converted.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TEXT = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    with op.batch_alter_table("invitecodefailure", schema=None) as batch_op:
        batch_op.drop_index("ix_invitecodefailure_telegram_user_id")
    op.drop_table("invitecodefailure")
    op.create_table(
        "invitecodefailure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guesser", TEXT(length=64), nullable=False),
        sa.Column("market", TEXT(length=8), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("invitecodefailure", schema=None) as batch_op:
        batch_op.create_index("ix_invitecodefailure_guesser", ["guesser"], unique=False)
        batch_op.create_index(
            "ix_invitecodefailure_scope", ["market", "cohort_id", "created_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("invitecodefailure", schema=None) as batch_op:
        batch_op.drop_index("ix_invitecodefailure_scope")
        batch_op.drop_index("ix_invitecodefailure_guesser")
    op.drop_table("invitecodefailure")
    op.create_table(
        "invitecodefailure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("telegram_user_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("invitecodefailure", schema=None) as batch_op:
        batch_op.create_index(
            "ix_invitecodefailure_telegram_user_id", ["telegram_user_id"], unique=False
        )
