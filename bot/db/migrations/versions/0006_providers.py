"""service providers: admins, admin invites, audit log, cohort details, invite-code failures

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 20:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "admin",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("telegram_user_id", sa.BigInteger(), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("locale", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("notify_reviews", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["provider_id"], ["provider.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("telegram_user_id"),
    )
    with op.batch_alter_table("admin", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_admin_provider_id"), ["provider_id"], unique=False)

    op.create_table(
        "admininvite",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("token", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_by", sa.BigInteger(), nullable=True),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["provider_id"], ["provider.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token"),
    )
    with op.batch_alter_table("admininvite", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_admininvite_provider_id"), ["provider_id"], unique=False
        )

    op.create_table(
        "auditevent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=True),
        sa.Column("actor_telegram_id", sa.BigInteger(), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("target", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["provider_id"], ["provider.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("auditevent", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_auditevent_created_at"), ["created_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_auditevent_provider_id"), ["provider_id"], unique=False
        )

    op.create_table(
        "invitecodefailure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("telegram_user_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("invitecodefailure", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_invitecodefailure_telegram_user_id"), ["telegram_user_id"], unique=False
        )

    # Plain ALTERs, not a batch "move and copy": other tables' foreign keys point at
    # cohort, and SQLite (foreign keys on) refuses to drop and rebuild it.
    op.add_column("cohort", sa.Column("track", sqlmodel.sql.sqltypes.AutoString(length=32)))
    op.add_column("cohort", sa.Column("closes_on", sa.Date(), nullable=True))
    op.add_column(
        "cohort", sa.Column("archived", sa.Boolean(), nullable=False, server_default=sa.false())
    )
    op.create_index("ix_cohort_group_chat_id", "cohort", ["group_chat_id"], unique=False)


def downgrade() -> None:
    # As in upgrade, no rebuild of cohort; SQLite drops plain columns itself since 3.35.
    op.drop_index("ix_cohort_group_chat_id", table_name="cohort")
    for column in ("archived", "closes_on", "track"):
        op.execute(f"ALTER TABLE cohort DROP COLUMN {column}")
    for table, indexes in (
        ("invitecodefailure", ("ix_invitecodefailure_telegram_user_id",)),
        ("auditevent", ("ix_auditevent_provider_id", "ix_auditevent_created_at")),
        ("admininvite", ("ix_admininvite_provider_id",)),
        ("admin", ("ix_admin_provider_id",)),
    ):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for index in indexes:
                batch_op.drop_index(index)
        op.drop_table(table)
