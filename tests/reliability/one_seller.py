"""One seller's 50 updates (a walk with refusals, stale taps and repeated deliveries), shared
by the one-process and the two-process concurrency tests."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from bot.sellers.tags import tag_of
from tests.reliability.driver import Driver

ANSWERS = {"language": "en", "market": "uk", "track": "uk_individual"}


PHOTO = b"\xff\xd8\xff photo"
PDF = b"%PDF-1.4 proof"
AddFile = Callable[[str, bytes], None]


def _photo(add_file: AddFile, name: str) -> dict[str, Any]:
    add_file(name, PHOTO)
    return {"photo": [{"file_id": name, "file_unique_id": name[-8:], "width": 1280,
                       "height": 960, "file_size": 180_000}]}  # fmt: skip


def _pdf(add_file: AddFile, name: str) -> dict[str, Any]:
    add_file(name, PDF)
    return {"document": {"file_id": name, "file_unique_id": name[-8:], "file_name": "bill.pdf",
                         "mime_type": "application/pdf", "file_size": len(PDF)}}  # fmt: skip


def sequence(
    driver: Driver, user_id: int, *, repeats: bool, add_file: AddFile | None = None
) -> list[dict[str, Any]]:
    """The same 50 updates for any seller: a walk with refusals, stale taps and repeats.

    The files the updates carry are stored on the driver's Bot API, and with ``add_file``
    also wherever else the updates will be delivered (e.g. the fake Bot API server).
    """

    def store(file_id: str, data: bytes) -> None:
        driver.api.add_file(file_id, data)
        if add_file is not None:
            add_file(file_id, data)

    tag = tag_of(driver.application_id(user_id))
    walk: list[Any] = [
        ("text", "hello"), ("photo", "passport"), ("tap", f"a|market@{tag}|uk"),
        ("photo", "selfie"), ("text", "not a file"), ("pdf", "council-tax"),
        ("text", "12345"), ("text", "+44 7400 123456"), ("tap", f"a|products@{tag}|done"),
        ("tap", f"a|products@{tag}|add"), ("text", ""), ("text", "Wireless Earbuds 5.3"),
        ("text", "free"), ("text", "£12.99"), ("tap", f"a|products.images@{tag}|images_done"),
        ("photo", "product-1"), ("photo", "product-2"),
        ("tap", f"a|products.images@{tag}|images_done"), ("text", "30 by 20"),
        ("text", "30x20x10"), ("text", "heavy"), ("text", "0.5"),
        ("tap", f"a|products@{tag}|add"), ("text", "Phone Case Silicone"), ("text", "£4.50"),
        ("photo", "product-3"), ("tap", f"a|products.images@{tag}|images_done"),
        ("text", "10x8x2"), ("text", "0.1"), ("tap", f"a|products@{tag}|done"),
    ]  # fmt: skip
    rng = random.Random(11)
    updates: list[dict[str, Any]] = []
    for kind, value in walk:
        if kind == "text":
            update = driver.message(user_id, {"text": value})
        elif kind == "tap":
            update = driver.callback(user_id, value)
        elif kind == "pdf":
            update = driver.message(user_id, _pdf(store, value))
        else:
            update = driver.message(user_id, _photo(store, value))
        updates.append(update)
    while len(updates) < 50:  # texts and taps at steps long gone, then repeated deliveries
        if repeats and len(updates) % 2:
            updates.append(rng.choice(updates[:30]))
        else:
            updates.append(driver.callback(user_id, f"a|phone@{tag}|x"))
    return updates
