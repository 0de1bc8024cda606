"""applications, documents, products; processed updates by identity

One Telegram user (``seller``) may now have several applications. Every seller's progress
(market, track, state, answers, cohort, version, submitted time) moves into their first
application, whose id is the seller's id; step events point at the application. Uploaded
files and products leave the answers JSON for ``document`` and ``product`` rows. All of
it is set-based SQL (``INSERT … SELECT`` over ``json_each``), one dialect each, so a
large table migrates in seconds (bench/migration.py measures it).

Redelivered updates are recognized by a ``processedupdate`` record (update id and content
digest) instead of ``seller.last_update_id``, which judged by order.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 20:40:00
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TEXT = sqlmodel.sql.sqltypes.AutoString
SELLER_PROGRESS = ("market", "track", "state", "answers", "cohort_id", "version", "submitted_at")

# -- set-based data moves, per dialect ---------------------------------------------------------
IS_FILE = {
    "sqlite": "j.type = 'object' AND json_extract(j.value, '$.file_id') IS NOT NULL",
    "postgresql": "jsonb_typeof(j.value) = 'object' AND j.value ? 'file_id'",
}
EACH_ANSWER = {  # PostgreSQL: json is re-parsed by every operator, jsonb once per row
    "sqlite": "seller a, json_each(a.answers) j",
    "postgresql": "seller a CROSS JOIN LATERAL jsonb_each(a.answers::jsonb) j",
}
DOCUMENT_VALUES = {
    "sqlite": """a.id, j.key, CAST(json_extract(j.value, '$.file_id') AS TEXT),
        coalesce(json_extract(j.value, '$.file_unique_id'), ''),
        substr(coalesce(json_extract(j.value, '$.kind'), 'document'), 1, 16),
        coalesce(json_extract(j.value, '$.mime_type'), 'application/octet-stream'),
        coalesce(CAST(json_extract(j.value, '$.size') AS INTEGER), 0),
        coalesce(json_extract(j.value, '$.file_name'), ''), a.last_activity_at""",
    "postgresql": """a.id, j.key, j.value->>'file_id', coalesce(j.value->>'file_unique_id', ''),
        left(coalesce(j.value->>'kind', 'document'), 16),
        coalesce(j.value->>'mime_type', 'application/octet-stream'),
        coalesce((j.value->>'size')::bigint, 0), coalesce(j.value->>'file_name', ''),
        a.last_activity_at""",
}
PRODUCT_SELECT = {
    "sqlite": """SELECT a.id, CAST(p.key AS INTEGER),
        coalesce(json_extract(p.value, '$.title'), ''),
        coalesce(CAST(json_extract(p.value, '$.price') AS TEXT), ''),
        substr(coalesce(json_extract(p.value, '$.currency'), ''), 1, 8),
        CASE WHEN json_type(p.value, '$.images') = 'array'
             THEN json_extract(p.value, '$.images') ELSE '[]' END,
        CASE WHEN json_type(p.value, '$.package_cm') = 'array'
             THEN json_extract(p.value, '$.package_cm') END,
        CAST(json_extract(p.value, '$.weight_kg') AS TEXT), a.last_activity_at
        FROM seller a, json_each(a.answers, '$.products') p
        WHERE json_type(a.answers, '$.products') = 'array'""",
    "postgresql": """SELECT a.id, (p.ordinality - 1)::int, coalesce(p.value->>'title', ''),
        coalesce(p.value->>'price', ''), left(coalesce(p.value->>'currency', ''), 8),
        CASE WHEN jsonb_typeof(p.value->'images') = 'array'
             THEN (p.value->'images')::json ELSE '[]'::json END,
        CASE WHEN jsonb_typeof(p.value->'package_cm') = 'array'
             THEN (p.value->'package_cm')::json END,
        p.value->>'weight_kg', a.last_activity_at
        FROM seller a
        CROSS JOIN LATERAL (SELECT a.answers::jsonb -> 'products' AS listed) d
        CROSS JOIN LATERAL jsonb_array_elements(
            CASE WHEN jsonb_typeof(d.listed) = 'array' THEN d.listed ELSE '[]'::jsonb END
        ) WITH ORDINALITY AS p(value, ordinality)""",
}
PLAIN_ANSWERS = {
    # json_each hands scalars back as SQL values; JSON literals must be rebuilt as JSON
    "sqlite": """(SELECT json_group_object(j.key, CASE j.type
            WHEN 'object' THEN json(j.value) WHEN 'array' THEN json(j.value)
            WHEN 'true' THEN json('true') WHEN 'false' THEN json('false')
            WHEN 'null' THEN json('null') ELSE j.value END)
        FROM json_each(s.answers) j
        WHERE j.key <> 'products' AND NOT ({is_file}))""",
    "postgresql": """coalesce((SELECT jsonb_object_agg(j.key, j.value)
        FROM jsonb_each(s.answers::jsonb) j
        WHERE j.key <> 'products' AND NOT ({is_file})), '{{}}'::jsonb)::json""",
}


def upgrade() -> None:
    _create_processed_update()
    _create_application_tables()
    dialect = op.get_bind().dialect.name
    _move_progress(dialect)
    with op.batch_alter_table("seller", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_seller_state"))
        batch_op.drop_index(batch_op.f("ix_seller_cohort_id"))
        for column in (*SELLER_PROGRESS, "last_update_id"):
            batch_op.drop_column(column)
    _point_step_events_at_applications(dialect)


def _point_step_events_at_applications(dialect: str) -> None:
    """Application ids are the sellers' ids, so ``seller_id`` only changes meaning.

    PostgreSQL renames the column in place (no row is rewritten); SQLite copies the table
    anyway (batch mode), so it fills a new column.
    """
    if dialect == "postgresql":
        op.alter_column("stepevent", "seller_id", new_column_name="application_id")
        op.drop_constraint("stepevent_seller_id_fkey", "stepevent", type_="foreignkey")
        op.create_foreign_key(
            "fk_stepevent_application_id", "stepevent", "application", ["application_id"], ["id"]
        )
        op.execute("ALTER INDEX ix_stepevent_seller_id RENAME TO ix_stepevent_application_id")
        return
    with op.batch_alter_table("stepevent", schema=None) as batch_op:
        batch_op.add_column(sa.Column("application_id", sa.Integer(), nullable=True))
    op.execute("UPDATE stepevent SET application_id = seller_id")
    with op.batch_alter_table("stepevent", schema=None) as batch_op:
        batch_op.alter_column("application_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(
            "fk_stepevent_application_id", "application", ["application_id"], ["id"]
        )
        batch_op.drop_index(batch_op.f("ix_stepevent_seller_id"))
        batch_op.drop_column("seller_id")
        batch_op.create_index(
            batch_op.f("ix_stepevent_application_id"), ["application_id"], unique=False
        )


def _create_processed_update() -> None:
    op.create_table(
        "processedupdate",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("digest", TEXT(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("update_id", "digest"),
    )
    op.create_index(
        op.f("ix_processedupdate_created_at"), "processedupdate", ["created_at"], unique=False
    )


def _create_application_tables() -> None:
    op.create_table(
        "application",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seller_id", sa.Integer(), nullable=False),
        sa.Column("market", TEXT(length=8), nullable=True),
        sa.Column("track", TEXT(length=32), nullable=True),
        sa.Column("state", TEXT(length=64), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["cohort_id"], ["cohort.id"]),
        sa.ForeignKeyConstraint(["seller_id"], ["seller.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in ("cohort_id", "seller_id", "state"):
        op.create_index(op.f(f"ix_application_{column}"), "application", [column], unique=False)
    op.create_table(
        "document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("step", TEXT(length=64), nullable=False),
        sa.Column("file_id", TEXT(), nullable=False),
        sa.Column("file_unique_id", TEXT(), nullable=False),
        sa.Column("kind", TEXT(length=16), nullable=False),
        sa.Column("mime_type", TEXT(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("file_name", TEXT(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["application_id"], ["application.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("application_id", "step"),
    )
    op.create_index(
        op.f("ix_document_application_id"), "document", ["application_id"], unique=False
    )
    op.create_table(
        "product",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", TEXT(), nullable=False),
        sa.Column("price", TEXT(length=32), nullable=False),
        sa.Column("currency", TEXT(length=8), nullable=False),
        sa.Column("images", sa.JSON(), nullable=False),
        sa.Column("package_cm", sa.JSON(), nullable=True),
        sa.Column("weight_kg", TEXT(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["application_id"], ["application.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("application_id", "position"),
    )
    op.create_index(op.f("ix_product_application_id"), "product", ["application_id"], unique=False)
    with op.batch_alter_table("seller", schema=None) as batch_op:
        batch_op.add_column(sa.Column("current_application_id", sa.Integer(), nullable=True))


def _move_progress(dialect: str) -> None:
    """Each seller's progress becomes application ``seller.id``; uploads become rows."""
    execute = op.execute
    is_file = IS_FILE[dialect]
    plain = PLAIN_ANSWERS[dialect].format(is_file=is_file)  # the answers without uploads
    execute(
        "INSERT INTO application (id, seller_id, market, track, state, answers, cohort_id, "
        "version, created_at, updated_at, submitted_at) "
        f"SELECT id, id, market, track, state, {plain}, cohort_id, version, created_at, "
        "last_activity_at, submitted_at FROM seller s"
    )
    execute("UPDATE seller SET current_application_id = id")
    execute(
        "INSERT INTO document (application_id, step, file_id, file_unique_id, kind, mime_type, "
        f"size, file_name, created_at) SELECT {DOCUMENT_VALUES[dialect]} "
        f"FROM {EACH_ANSWER[dialect]} WHERE {is_file}"
    )
    execute(
        "INSERT INTO product (application_id, position, title, price, currency, images, "
        f"package_cm, weight_kg, created_at) {PRODUCT_SELECT[dialect]}"
    )
    if dialect == "postgresql":  # ids were given explicitly: move the sequence past them
        execute(
            "SELECT setval(pg_get_serial_sequence('application', 'id'), "
            "coalesce((SELECT max(id) FROM application), 0) + 1, false)"
        )


def downgrade() -> None:
    """Back to one application per seller: the current one (the others are lost)."""
    with op.batch_alter_table("seller", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_update_id", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("market", TEXT(length=8), nullable=True))
        batch_op.add_column(sa.Column("track", TEXT(length=32), nullable=True))
        batch_op.add_column(sa.Column("state", TEXT(length=64), nullable=True))
        batch_op.add_column(sa.Column("answers", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("cohort_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("stepevent", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seller_id", sa.Integer(), nullable=True))
    _restore_progress()
    with op.batch_alter_table("seller", schema=None) as batch_op:
        for column, kind in (("state", TEXT(length=64)), ("answers", sa.JSON())):
            batch_op.alter_column(column, existing_type=kind, nullable=False)
        batch_op.alter_column("version", existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key("fk_seller_cohort_id", "cohort", ["cohort_id"], ["id"])
        batch_op.create_index(batch_op.f("ix_seller_cohort_id"), ["cohort_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_seller_state"), ["state"], unique=False)
        batch_op.drop_column("current_application_id")
    with op.batch_alter_table("stepevent", schema=None) as batch_op:
        batch_op.alter_column("seller_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key("fk_stepevent_seller_id", "seller", ["seller_id"], ["id"])
        batch_op.drop_index(batch_op.f("ix_stepevent_application_id"))
        batch_op.drop_constraint("fk_stepevent_application_id", type_="foreignkey")
        batch_op.drop_column("application_id")
        batch_op.create_index(batch_op.f("ix_stepevent_seller_id"), ["seller_id"], unique=False)
    for table in ("product", "document"):
        op.drop_index(op.f(f"ix_{table}_application_id"), table_name=table)
        op.drop_table(table)
    for column in ("cohort_id", "seller_id", "state"):
        op.drop_index(op.f(f"ix_application_{column}"), table_name="application")
    op.drop_table("application")
    op.drop_index(op.f("ix_processedupdate_created_at"), table_name="processedupdate")
    op.drop_table("processedupdate")


def _restore_progress() -> None:
    """Row by row (a downgrade is rare): uploads go back into the answers JSON."""
    bind = op.get_bind()
    json_type = sa.JSON()
    applications = bind.execute(
        sa.text(
            "SELECT a.id, a.seller_id, a.market, a.track, a.state, a.answers, a.cohort_id, "
            "a.version, a.submitted_at FROM application a "
            "JOIN seller s ON s.current_application_id = a.id"
        ).columns(answers=json_type)
    ).all()
    for row in applications:
        answers: dict[str, Any] = dict(row.answers)
        for document in bind.execute(
            sa.text(
                "SELECT step, file_id, file_unique_id, kind, mime_type, size, file_name "
                "FROM document WHERE application_id = :id"
            ),
            {"id": row.id},
        ).mappings():
            answers[document["step"]] = {k: v for k, v in document.items() if k != "step"}
        products = bind.execute(
            sa.text(
                "SELECT title, price, currency, images, package_cm, weight_kg FROM product "
                "WHERE application_id = :id ORDER BY position"
            ).columns(images=json_type, package_cm=json_type),
            {"id": row.id},
        ).mappings()
        listed = [dict(product) for product in products]
        if listed:
            answers["products"] = listed
        bind.execute(
            sa.text(
                "UPDATE seller SET market = :market, track = :track, state = :state, "
                "answers = :answers, cohort_id = :cohort_id, version = :version, "
                "submitted_at = :submitted_at WHERE id = :seller_id"
            ),
            {
                "market": row.market, "track": row.track, "state": row.state,
                "answers": json.dumps(answers), "cohort_id": row.cohort_id,
                "version": row.version, "submitted_at": row.submitted_at,
                "seller_id": row.seller_id,
            },
        )  # fmt: skip
    bind.execute(
        sa.text(
            "UPDATE stepevent SET seller_id = "
            "(SELECT seller_id FROM application WHERE application.id = stepevent.application_id)"
        )
    )
    bind.execute(
        sa.text(
            "UPDATE seller SET state = 'language', answers = '{}', version = 1 WHERE state IS NULL"
        )
    )
