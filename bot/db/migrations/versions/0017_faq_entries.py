"""faq_entry: a provider's own FAQ entries, per cohort or for all of its cohorts; and
faq_import_prompt: the admin's next file is a FAQ import

Revision ID: 0017
Revises: 0015
Create Date: 2026-12-07 11:00:00

Issue 22: providers add FAQ entries, override built-in ones by id or hide them, with
``/faq`` and a CSV import. New tables only.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TEXT = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "faq_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=True),
        sa.Column("market", TEXT(length=8), nullable=False),
        sa.Column("builtin_id", TEXT(length=64), nullable=True),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.Column("questions", sa.JSON(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("keywords", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=False),
        sa.Column("updated_by", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["cohort_id"], ["cohort.id"]),
        sa.ForeignKeyConstraint(["provider_id"], ["provider.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_faq_entry_scope", "faq_entry", ["provider_id", "cohort_id"], unique=False)
    op.create_table(
        "faq_import_prompt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("admin_telegram_id", sa.BigInteger(), nullable=False),
        sa.Column("scope", TEXT(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("admin_telegram_id"),
    )


def downgrade() -> None:
    op.drop_table("faq_import_prompt")
    op.drop_index("ix_faq_entry_scope", table_name="faq_entry")
    op.drop_table("faq_entry")
