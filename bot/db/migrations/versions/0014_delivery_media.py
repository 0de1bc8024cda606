"""delivery.media: an album (sendMediaGroup) of file ids with their captions

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 09:00:00

A review notice sent each document and product image as its own message (up to 10+ per
submission); an album of photos and one of documents say the same in two messages.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("media", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )


def downgrade() -> None:
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.drop_column("media")
