"""50 updates from one seller at once (taps and texts mixed, some delivered twice), in one
process: the result equals a serial replay of the same updates, and equals a serial run
without the repeated deliveries, so each accepted answer is applied exactly once.

On both databases (the ``engine`` fixture): per-seller ordering is the update processor's,
the database lock and the version check are each backend's own.
"""

from __future__ import annotations

import random
from typing import Any

from sqlalchemy import Engine

from bot.tags import tag_of
from tests.reliability.driver import Driver

ANSWERS = {"language": "en", "market": "uk", "track": "uk_individual"}


def _photo(driver: Driver, name: str) -> dict[str, Any]:
    driver.api.add_file(name, b"\xff\xd8\xff photo")
    return {"photo": [{"file_id": name, "file_unique_id": name[-8:], "width": 1280,
                       "height": 960, "file_size": 180_000}]}  # fmt: skip


def _pdf(driver: Driver, name: str) -> dict[str, Any]:
    driver.api.add_file(name, b"%PDF-1.4 proof")
    return {"document": {"file_id": name, "file_unique_id": name[-8:], "file_name": "bill.pdf",
                         "mime_type": "application/pdf", "file_size": 14}}  # fmt: skip


def sequence(driver: Driver, user_id: int, *, repeats: bool) -> list[dict[str, Any]]:
    """The same 50 updates for any seller: a walk with refusals, stale taps and repeats."""
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
            update = driver.message(user_id, _pdf(driver, value))
        else:
            update = driver.message(user_id, _photo(driver, value))
        updates.append(update)
    while len(updates) < 50:  # texts and taps at steps long gone, then repeated deliveries
        if repeats and len(updates) % 2:
            updates.append(rng.choice(updates[:30]))
        else:
            updates.append(driver.callback(user_id, f"a|phone@{tag}|x"))
    return updates


def test_fifty_concurrent_updates_equal_a_serial_replay(engine: Engine) -> None:
    driver = Driver(engine)
    try:
        concurrent, serial, once = 1_111, 2_222, 3_333
        for user_id in (concurrent, serial, once):
            driver.seller_at(user_id, "uk_individual", "id_document", ANSWERS)
        driver.push(*sequence(driver, concurrent, repeats=True))
        for update in sequence(driver, serial, repeats=True):
            driver.push(update)
        accepted = 0
        for update in sequence(driver, once, repeats=False):
            before = driver.state(once)[2]
            driver.push(update)
            accepted += driver.state(once)[2] != before
        result = driver.state(concurrent)
        assert result == driver.state(serial)
        assert result == driver.state(once)  # a repeated delivery changed nothing
        state, answers, version, _track, _locale, steps = result
        assert state == "review" and len(answers["products"]) == 2
        assert version - 1 == accepted  # every accepted answer written once, none twice
        assert len(steps) >= 5 and steps[-1] == ("products", "review")
    finally:
        driver.close()
