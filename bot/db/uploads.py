"""Uploads as rows: an application's files become ``Document`` rows and its products
``Product`` rows, while the flow (pure, in ``flows/``) keeps seeing them in its answers.

``join`` builds the answers the flow works on from the application's JSON and its rows;
``store`` splits the flow's answers back, writing only the rows that changed. Exports
and review query the rows directly. A file answer is recognized as the flow stores one:
a mapping with a ``file_id``. The products step's draft (``_draft``) is unfinished work
and stays in the JSON.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert
from sqlalchemy import select as core_select
from sqlmodel import Session, col

from bot.db.models import Document, Product, utcnow
from bot.db.prepared import Prepared

PRODUCTS = "products"
FILE_FIELDS = ("file_id", "file_unique_id", "kind", "mime_type", "size", "file_name")
PRODUCT_FIELDS = ("title", "price", "currency", "images", "package_cm", "weight_kg")


def is_file(value: Any) -> bool:
    """Whether an answer is an uploaded file (as ``flows.engine`` stores one)."""
    if isinstance(value, dict):
        return "file_id" in value
    # most answers are text: no trip through ``Mapping``'s (slow) abstract check for them
    if isinstance(value, _NOT_MAPPINGS):
        return False
    return isinstance(value, Mapping) and "file_id" in value


_NOT_MAPPINGS = (str, int, float, list, tuple, type(None))


def plain_answers(answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers without files and products: what the JSON column keeps."""
    return {key: value for key, value in answers.items() if key != PRODUCTS and not is_file(value)}


_DOCUMENTS_OF = core_select(
    *(col(getattr(Document, name)) for name in ("step", *FILE_FIELDS))
).where(col(Document.application_id) == bindparam("application_id"))
_PRODUCTS_OF = (
    core_select(*(col(getattr(Product, name)) for name in PRODUCT_FIELDS))
    .where(col(Product.application_id) == bindparam("application_id"))
    .order_by(col(Product.position))
)


def join(session: Session, application_id: int, plain: Mapping[str, Any]) -> dict[str, Any]:
    """The answers the flow sees: the JSON plus every document and the product list.

    Read as plain rows (Core selects), not as ORM objects: a review notice, the desk and
    exports read many applications' uploads, and building ORM objects was most of that.
    """
    answers = dict(plain)
    given = {"application_id": application_id}
    for step, *fields in session.execute(_DOCUMENTS_OF, given):
        answers[step] = dict(zip(FILE_FIELDS, fields, strict=True))
    products = [
        _product_dict(dict(zip(PRODUCT_FIELDS, row, strict=True)))
        for row in session.execute(_PRODUCTS_OF, given)
    ]
    if products:
        answers[PRODUCTS] = products
    return answers


def store(
    connection: Connection,
    application_id: int,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
) -> dict[str, Any]:
    """Write the rows ``after`` changed compared with ``before``; the JSON to keep."""
    changed = [
        step
        for step in before.keys() | after.keys()
        if before.get(step) != after.get(step)
        and (is_file(before.get(step)) or is_file(after.get(step)))
    ]
    replaced = [step for step in changed if is_file(before.get(step))]
    if replaced:
        _DELETE_DOCUMENT.many(
            connection, [{"w_application": application_id, "w_step": s} for s in replaced]
        )
    added = [
        _document(application_id, step, after[step]) for step in changed if is_file(after.get(step))
    ]
    if added:
        _INSERT_DOCUMENT.many(connection, added)
    if before.get(PRODUCTS, []) != after.get(PRODUCTS, []):
        _DELETE_PRODUCTS.rowcount(connection, {"w_application": application_id})
        listed = _products(application_id, after.get(PRODUCTS, []))
        if listed:
            _INSERT_PRODUCT.many(connection, listed)
    return plain_answers(after)


# Prebuilt inserts with explicit timestamps (the models' defaults are Python-side), as in
# ``bot.db.repo``: no unit-of-work flush on the hot path.
_INSERT_DOCUMENT = Prepared(insert(Document))
_INSERT_PRODUCT = Prepared(insert(Product))
_DELETE_DOCUMENT = Prepared(
    delete(Document).where(
        col(Document.application_id) == bindparam("w_application"),
        col(Document.step) == bindparam("w_step"),
    )
)
_DELETE_PRODUCTS = Prepared(
    delete(Product).where(col(Product.application_id) == bindparam("w_application"))
)


def _document(application_id: int, step: str, data: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "application_id": application_id,
        "step": step,
        "file_id": str(data["file_id"]),
        "file_unique_id": str(data.get("file_unique_id", "")),
        "kind": str(data.get("kind", "document")),
        "mime_type": str(data.get("mime_type", "application/octet-stream")),
        "size": int(data.get("size") or 0),
        "file_name": str(data.get("file_name") or ""),
        "created_at": utcnow(),
    }


def _products(application_id: int, products: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    now = utcnow()
    return [
        {
            "application_id": application_id,
            "position": position,
            "title": str(data["title"]),
            "price": str(data["price"]),
            "currency": str(data["currency"]),
            "images": [str(image) for image in data.get("images", ())],
            "package_cm": None if data.get("package_cm") is None else list(data["package_cm"]),
            "weight_kg": None if data.get("weight_kg") is None else str(data["weight_kg"]),
            "created_at": now,
        }
        for position, data in enumerate(products)
    ]


def _product_dict(product: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "title": product["title"],
        "price": product["price"],
        "currency": product["currency"],
        "images": list(product["images"]),
        "package_cm": None if product["package_cm"] is None else list(product["package_cm"]),
        "weight_kg": product["weight_kg"],
    }
