"""tickets: a seller's question, answered from the FAQ or by their provider

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 11:00:00

A question a seller asks in their private chat is a ``ticket`` row: ``asked`` while the
FAQ's answers are shown, ``open`` once it waits for a person, ``answered``, ``closed``.
The outbox's message to an admin names its ticket (``delivery.ticket_id``) and is found
again by the message an admin replies to (``ix_delivery_message``). Admins opt in to
tickets like to review notices (``admin.notify_tickets``, on by default).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TEXT = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "ticket",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seller_id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=True),
        sa.Column("provider_id", sa.Integer(), nullable=True),
        sa.Column("cohort_id", sa.Integer(), nullable=True),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("question", TEXT(length=4096), nullable=False),
        sa.Column("locale", TEXT(length=16), nullable=False),
        sa.Column("market", TEXT(length=8), nullable=False),
        sa.Column("track", TEXT(length=32), nullable=True),
        sa.Column("step", TEXT(length=64), nullable=False),
        sa.Column("state", TEXT(length=16), nullable=False),
        sa.Column("answered_by", sa.BigInteger(), nullable=True),
        sa.Column("answer", TEXT(length=4096), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["application_id"], ["application.id"]),
        sa.ForeignKeyConstraint(["cohort_id"], ["cohort.id"]),
        sa.ForeignKeyConstraint(["provider_id"], ["provider.id"]),
        sa.ForeignKeyConstraint(["seller_id"], ["seller.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.create_index("ix_ticket_seller_id", ["seller_id"], unique=False)
        batch_op.create_index("ix_ticket_application_id", ["application_id"], unique=False)
        batch_op.create_index("ix_ticket_provider_state", ["provider_id", "state"], unique=False)
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ticket_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_delivery_ticket_id", "ticket", ["ticket_id"], ["id"])
        batch_op.create_index("ix_delivery_ticket_id", ["ticket_id"], unique=False)
        batch_op.create_index("ix_delivery_message", ["chat_id", "message_id"], unique=False)
    with op.batch_alter_table("admin", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("notify_tickets", sa.Boolean(), nullable=False, server_default=sa.true())
        )


def downgrade() -> None:
    with op.batch_alter_table("admin", schema=None) as batch_op:
        batch_op.drop_column("notify_tickets")
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.drop_index("ix_delivery_message")
        batch_op.drop_index("ix_delivery_ticket_id")
        batch_op.drop_constraint("fk_delivery_ticket_id", type_="foreignkey")
        batch_op.drop_column("ticket_id")
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.drop_index("ix_ticket_provider_state")
        batch_op.drop_index("ix_ticket_application_id")
        batch_op.drop_index("ix_ticket_seller_id")
    op.drop_table("ticket")
