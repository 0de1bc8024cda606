"""``Progress.copy`` shares nothing a flow step could change with the progress it copied."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flows.progress import Progress


def test_a_copy_is_independent_at_every_depth() -> None:
    answers = {
        "company_name": "深圳市星河贸易有限公司",
        "licence": {"file_id": "f1", "size": 10},
        "products": [{"title": "Earbuds", "images": ["p1"], "price": Decimal("12.99")}],
        "when": dt.date(2026, 12, 7),
        "tags": {"a", "b"},  # not JSON-shaped: deep-copied all the same
    }
    stored = Progress("uk_crossborder", "review", answers)
    moved = stored.copy()
    assert moved == stored
    moved.answers["licence"]["size"] = 11
    moved.answers["products"][0]["images"].append("p2")
    moved.answers["products"].append({"title": "Cable"})
    moved.answers["tags"].add("c")
    moved.answers["phone"] = "+447400123456"
    assert stored.answers["licence"] == {"file_id": "f1", "size": 10}
    assert stored.answers["products"] == [
        {"title": "Earbuds", "images": ["p1"], "price": Decimal("12.99")}
    ]
    assert stored.answers["tags"] == {"a", "b"} and "phone" not in stored.answers
