"""Everything one seller update reads, in one statement.

A seller update needs the seller, every application of theirs (the chat's labels and
lists), the current one's cohort rules and uploads, and whether the update was already
applied. Read through the ORM that was six statements and an identity map per update
(profiled: most of a seller transaction's time, ``bench.bench_updates``). Here it is one
prebuilt Core SELECT: one row per application, the current one carrying its uploads as
JSON arrays built by the database (``json_agg`` / ``json_group_array``, the only part
that differs between PostgreSQL and SQLite), read as plain tuples into frozen rows.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BigInteger,
    Connection,
    Select,
    String,
    Text,
    and_,
    bindparam,
    case,
    cast,
    exists,
    func,
    literal_column,
)
from sqlalchemy import select as core_select
from sqlmodel import SQLModel

import bot.db.models  # noqa: F401  (the tables below are the models')
from bot.db.prepared import Prepared
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


_TABLES = SQLModel.metadata.tables
_SELLER, _APPLICATION, _COHORT = _TABLES["seller"], _TABLES["application"], _TABLES["cohort"]
_DOCUMENT, _PRODUCT, _PROCESSED = (
    _TABLES["document"],
    _TABLES["product"],
    _TABLES["processedupdate"],
)


def _as_json_array(dialect: str, table: Any, columns: Mapping[str, Any]) -> Any:
    """``table``'s rows of the application as a JSON array of objects, as text."""
    pairs: list[Any] = []
    for name, column in columns.items():
        pairs += [literal_column(f"'{name}'"), column]
    built: Any
    if dialect == "postgresql":
        built = cast(func.json_agg(func.json_build_object(*pairs)), Text)
    else:
        built = func.json_group_array(func.json_object(*pairs))
    return core_select(built).where(table.c.application_id == _APPLICATION.c.id).scalar_subquery()


def _statement(dialect: str) -> Select[Any]:
    """One row per application of the seller; the current one carries its uploads.

    A Core select, not text: SQLAlchemy then caches the result's column map with the
    compiled statement instead of matching it against the cursor on every execution.
    """
    s, a, c = _SELLER, _APPLICATION, _COHORT
    d, p = _DOCUMENT, _PRODUCT
    as_json = (lambda column: column) if dialect == "postgresql" else func.json
    documents = {name: d.c[name] for name in ("step", *FILE_FIELDS)}
    products: dict[str, Any] = {"position": p.c.position}
    products.update({name: p.c[name] for name in PRODUCT_FIELDS})
    products.update(images=as_json(p.c.images), package_cm=as_json(p.c.package_cm))
    current = a.c.id == s.c.current_application_id
    seen = exists().where(
        _PROCESSED.c.update_id == bindparam("update_id", type_=BigInteger),
        _PROCESSED.c.digest == bindparam("digest", type_=String),
    )
    return (
        core_select(
            s.c.id,
            s.c.telegram_user_id,
            s.c.chat_id,
            s.c.locale,
            s.c.current_application_id,
            s.c.pending_confirmation,
            s.c.blocked,
            a.c.id.label("a_id"),
            a.c.track,
            a.c.state,
            a.c.answers,
            a.c.version,
            a.c.cohort_id,
            a.c.submitted_answers,
            a.c.state_since,
            a.c.furthest_state,
            c.c.rules,
            c.c.product_rules,
            seen.label("seen"),
            case((current, _as_json_array(dialect, d, documents))).label("documents"),
            case((current, _as_json_array(dialect, p, products))).label("products"),
        )
        .select_from(
            s.join(a, a.c.seller_id == s.c.id).outerjoin(c, and_(c.c.id == a.c.cohort_id, current))
        )
        .where(s.c.telegram_user_id == bindparam("telegram_user_id", type_=BigInteger))
        .order_by(a.c.id)
    )


_STATEMENTS = {dialect: Prepared(_statement(dialect)) for dialect in ("postgresql", "sqlite")}
# Where each column is in a row (a plain tuple: ``bot.db.prepared``), by its key.
_KEYS = tuple(_statement("sqlite").selected_columns.keys())
(
    _ID, _TELEGRAM_USER_ID, _CHAT_ID, _LOCALE, _CURRENT, _CONFIRMATION, _BLOCKED,
    _A_ID, _TRACK, _STATE, _ANSWERS, _VERSION, _COHORT_ID, _SUBMITTED, _SINCE, _FURTHEST,
    _RULES, _PRODUCT_RULES, _SEEN, _DOCUMENTS, _PRODUCTS,
) = (_KEYS.index(key) for key in (
    "id", "telegram_user_id", "chat_id", "locale", "current_application_id",
    "pending_confirmation", "blocked", "a_id", "track", "state", "answers", "version",
    "cohort_id", "submitted_answers", "state_since", "furthest_state", "rules",
    "product_rules", "seen", "documents", "products",
))  # fmt: skip


def read(
    connection: Connection, *, telegram_user_id: int, update_id: int | None, digest: str
) -> SellerSnapshot | None:
    """The seller of ``telegram_user_id`` and all their applications; None if unknown.

    ``seen`` tells whether the update ``(update_id, digest)`` was already applied (False
    without an ``update_id``).
    """
    rows = _STATEMENTS[connection.dialect.name].rows(
        connection,
        {"telegram_user_id": telegram_user_id, "update_id": update_id or -1, "digest": digest},
    )
    if not rows:
        return None
    first = rows[0]
    seller = SellerRow(
        id=first[_ID],
        telegram_user_id=first[_TELEGRAM_USER_ID],
        chat_id=first[_CHAT_ID],
        locale=first[_LOCALE],
        current_application_id=first[_CURRENT],
        pending_confirmation=first[_CONFIRMATION],
        blocked=bool(first[_BLOCKED]),
    )
    applications = tuple(_application(row) for row in rows)
    current_row = next(row for row in rows if row[_A_ID] == seller.current_application_id)
    return SellerSnapshot(
        seller=seller,
        applications=applications,
        current=next(a for a in applications if a.id == seller.current_application_id),
        rules=current_row[_RULES] or {},
        product_rules=current_row[_PRODUCT_RULES] or {},
        uploads=_uploads(current_row[_DOCUMENTS], current_row[_PRODUCTS]),
        seen=bool(first[_SEEN]),
    )


def _application(row: tuple[Any, ...]) -> ApplicationRow:
    return ApplicationRow(
        id=row[_A_ID],
        track=row[_TRACK],
        state=row[_STATE],
        answers=row[_ANSWERS] or {},
        version=row[_VERSION],
        cohort_id=row[_COHORT_ID],
        submitted_answers=row[_SUBMITTED],
        state_since=row[_SINCE],
        furthest_state=row[_FURTHEST],
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
