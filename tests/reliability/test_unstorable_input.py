"""Input neither database can store is refused at the edge, the same on both (issue 18,
items 10 and 13).

Before: on PostgreSQL a NUL in ``/start`` or in a document's name was an unhandled
``psycopg.DataError`` (SQLite stored it), and an id past 64 bits an ``OverflowError`` or
``DataError`` in the seller read. Now each is stopped before any handler reads or writes:
the seller gets one localized sentence (nothing for an id past 64 bits: there is nobody to
answer), no handler raises, and no table changes.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine

from bot.platform.i18n import Translator
from tests.reliability.driver import Driver
from tests.reliability.one_seller import ANSWERS

SELLER = 6_000_001
DOCUMENT = {
    "file_id": "f1",
    "file_unique_id": "u1",
    "file_name": "x\x00.pdf",
    "mime_type": "application/pdf",
    "file_size": 10,
}
UNSTORABLE: dict[str, dict[str, Any]] = {
    "start-with-nul": {"text": "/start \u202e\x00"},
    "text-with-nul": {"text": "Acme\x00 Ltd"},
    "document-named-with-nul": {"document": DOCUMENT},
    "caption-with-nul": {"document": {**DOCUMENT, "file_name": "x.pdf"}, "caption": "\x00"},
}


@pytest.mark.parametrize("content", UNSTORABLE.values(), ids=UNSTORABLE.keys())
def test_text_a_database_cannot_store_is_refused_with_one_sentence(
    engine: Engine, content: dict[str, Any]
) -> None:
    driver = Driver(engine)
    try:
        driver.seller_at(SELLER, "uk_individual", "id_document", ANSWERS)
        before = driver.fingerprint()
        driver.push(driver.message(SELLER, content, language="zh-hans"))
        assert driver.fingerprint() == before
        [reply] = driver.replies(SELLER)
        assert reply.text == Translator("en")("error_unstorable_text")  # the seller chose en
    finally:
        driver.close()


def test_a_tap_carrying_a_nul_is_refused(engine: Engine) -> None:
    driver = Driver(engine)
    try:
        driver.seller_at(SELLER, "uk_individual", "id_document", ANSWERS)
        before = driver.fingerprint()
        driver.push(driver.callback(SELLER, "a|id_document|\x00"))
        assert driver.fingerprint() == before
        assert [r.text for r in driver.replies(SELLER)] == [
            Translator("en")("error_unstorable_text")
        ]
    finally:
        driver.close()


@pytest.mark.parametrize("where", ["update_id", "chat", "from"])
def test_an_id_past_64_bits_is_dropped_unanswered(engine: Engine, where: str) -> None:
    driver = Driver(engine)
    try:
        before = driver.fingerprint()
        update = driver.message(SELLER, {"text": "/start"})
        if where == "update_id":
            update["update_id"] = 2**70
        else:
            update["message"][where] = {**update["message"][where], "id": 2**70}
        driver.push(update)
        assert driver.fingerprint() == before
        assert driver.by_chat == {}
    finally:
        driver.close()
