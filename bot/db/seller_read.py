"""Everything one seller update reads, in one statement.

A seller update needs the seller, every application of theirs (the chat's labels and
lists), the current one's cohort rules and uploads, and whether the update was already
applied. Read through the ORM that was six statements and an identity map per update
(profiled: most of a seller transaction's time, ``bench.bench_updates``). Here it is one
prebuilt SELECT: one row per application, the current one carrying its uploads as JSON
arrays built by the database (``json_agg`` / ``json_group_array``, the only part that
differs between PostgreSQL and SQLite), read as plain tuples into frozen rows.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, DateTime, Integer, String, text
from sqlalchemy.sql.selectable import TextualSelect
from sqlmodel import Session

from bot.db.uploads import FILE_FIELDS, PRODUCT_FIELDS, PRODUCTS


@dataclass(frozen=True, slots=True)
class SellerRow:
    """The seller's own columns that an update reads."""

    id: int
    telegram_user_id: int
    chat_id: int
    locale: str
    current_application_id: int
    pending_confirmation: Mapping[str, Any] | None
    blocked: bool


@dataclass(frozen=True, slots=True)
class ApplicationRow:
    """One application of the seller, as stored (uploads not joined in)."""

    id: int
    track: str | None
    state: str
    answers: Mapping[str, Any]
    version: int
    cohort_id: int | None
    submitted_answers: Mapping[str, Any] | None
    state_since: dt.datetime
    furthest_state: str


@dataclass(frozen=True, slots=True)
class SellerSnapshot:
    """The seller as one update found them, and whether that update was seen before."""

    seller: SellerRow
    applications: tuple[ApplicationRow, ...]
    """Oldest first."""
    current: ApplicationRow
    rules: Mapping[str, Any]
    product_rules: Mapping[str, Any]
    uploads: Mapping[str, Any]
    """The current application's documents by step, and ``products`` if it has any."""
    seen: bool


_COLUMNS = (
    "s.id, s.telegram_user_id, s.chat_id, s.locale, s.current_application_id,"
    " s.pending_confirmation, s.blocked,"
    " a.id AS a_id, a.track, a.state, a.answers, a.version, a.cohort_id, a.submitted_answers,"
    " a.state_since, a.furthest_state, c.rules, c.product_rules"
)
_TYPES: dict[str, Any] = {
    "id": Integer, "telegram_user_id": BigInteger, "chat_id": BigInteger, "locale": String,
    "current_application_id": Integer, "pending_confirmation": JSON, "blocked": Boolean,
    "a_id": Integer, "track": String, "state": String, "answers": JSON, "version": Integer,
    "cohort_id": Integer, "submitted_answers": JSON, "state_since": DateTime(timezone=True),
    "furthest_state": String,
    "rules": JSON, "product_rules": JSON, "seen": Boolean, "documents": String,
    "products": String,
}  # fmt: skip


def _uploads_sql(dialect: str) -> tuple[str, str]:
    """The current application's documents and products as JSON arrays (text)."""
    if dialect == "postgresql":
        pairs, build, aggregate = ", ", "json_build_object", "json_agg"
        images, package = "p.images", "p.package_cm"
    else:
        pairs, build, aggregate = ", ", "json_object", "json_group_array"
        images, package = "json(p.images)", "json(p.package_cm)"
    document = pairs.join(f"'{name}', d.{name}" for name in ("step", *FILE_FIELDS))
    product_columns = {"position": "p.position", **{n: f"p.{n}" for n in PRODUCT_FIELDS}}
    product_columns.update(images=images, package_cm=package)
    product = pairs.join(f"'{name}', {value}" for name, value in product_columns.items())
    cast = "::text" if dialect == "postgresql" else ""
    documents = (
        f"(SELECT {aggregate}({build}({document})){cast} FROM document d"
        " WHERE d.application_id = a.id)"
    )
    products = (
        f"(SELECT {aggregate}({build}({product})){cast} FROM product p"
        " WHERE p.application_id = a.id)"
    )
    return documents, products


def _statement(dialect: str) -> TextualSelect:
    documents, products = _uploads_sql(dialect)
    current = "a.id = s.current_application_id"
    sql = (
        f"SELECT {_COLUMNS},"
        " EXISTS (SELECT 1 FROM processedupdate u"
        " WHERE u.update_id = :update_id AND u.digest = :digest) AS seen,"
        f" CASE WHEN {current} THEN {documents} END AS documents,"
        f" CASE WHEN {current} THEN {products} END AS products"
        " FROM seller s JOIN application a ON a.seller_id = s.id"
        " LEFT JOIN cohort c ON c.id = a.cohort_id AND " + current + " "
        " WHERE s.telegram_user_id = :telegram_user_id ORDER BY a.id"
    )
    return text(sql).columns(**_TYPES)


_STATEMENTS = {dialect: _statement(dialect) for dialect in ("postgresql", "sqlite")}


def read(
    session: Session, *, telegram_user_id: int, update_id: int | None, digest: str
) -> SellerSnapshot | None:
    """The seller of ``telegram_user_id`` and all their applications; None if unknown.

    ``seen`` tells whether the update ``(update_id, digest)`` was already applied (False
    without an ``update_id``).
    """
    connection = session.connection()
    rows = connection.execute(
        _STATEMENTS[connection.dialect.name],
        {"telegram_user_id": telegram_user_id, "update_id": update_id or -1, "digest": digest},
    ).all()
    if not rows:
        return None
    first = rows[0]
    seller = SellerRow(
        id=first.id,
        telegram_user_id=first.telegram_user_id,
        chat_id=first.chat_id,
        locale=first.locale,
        current_application_id=first.current_application_id,
        pending_confirmation=first.pending_confirmation,
        blocked=bool(first.blocked),
    )
    applications = tuple(_application(row) for row in rows)
    current_row = next(row for row in rows if row.a_id == seller.current_application_id)
    return SellerSnapshot(
        seller=seller,
        applications=applications,
        current=next(a for a in applications if a.id == seller.current_application_id),
        rules=current_row.rules or {},
        product_rules=current_row.product_rules or {},
        uploads=_uploads(current_row.documents, current_row.products),
        seen=bool(first.seen),
    )


def _application(row: Any) -> ApplicationRow:
    return ApplicationRow(
        id=row.a_id,
        track=row.track,
        state=row.state,
        answers=row.answers or {},
        version=row.version,
        cohort_id=row.cohort_id,
        submitted_answers=row.submitted_answers,
        state_since=row.state_since,
        furthest_state=row.furthest_state,
    )


def _uploads(documents: str | None, products: str | None) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for document in json.loads(documents) if documents else ():
        step = document.pop("step")
        found[step] = {name: document[name] for name in FILE_FIELDS}
    listed: Sequence[dict[str, Any]] = json.loads(products) if products else ()
    if listed:
        ordered = sorted(listed, key=lambda product: product["position"])
        found[PRODUCTS] = [{name: p[name] for name in PRODUCT_FIELDS} for p in ordered]
    return found
