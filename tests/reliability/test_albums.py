"""A photo album answers the step it was sent at, and only that one (issue 18, item 6).

Telegram sends an album's files as separate messages sharing a ``media_group_id``. Before:
ten photos at the ID-document step filled ID document, selfie and proof of address,
jumped to the phone step, then got "Please type your answer as text" seven times; at the
product images step the tenth photo got that text too. Now a one-file step takes the
album's first file and the seller is told once that the rest was skipped; the images step
takes the album's photos up to its limit, and the one over it is told about once.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from bot.platform.i18n import Translator
from bot.sellers.tags import tag_of
from tests.reliability.driver import Driver
from tests.reliability.one_seller import ANSWERS, PHOTO

ALBUM_SELLER, SINGLE_SELLER = 6_300_001, 6_300_002
t = Translator("en")


def _album(driver: Driver, user_id: int, count: int) -> list[dict[str, Any]]:
    updates = []
    for n in range(count):
        file_id = f"album-{user_id}-{n}"
        driver.api.add_file(file_id, PHOTO)
        size = {"file_id": file_id, "file_unique_id": file_id[-8:], "width": 1280,
                "height": 960, "file_size": 180_000}  # fmt: skip
        updates.append(driver.message(user_id, {"photo": [size], "media_group_id": "g-1"}))
    return updates


def test_an_album_at_a_one_file_step_answers_that_step_only(engine: Engine) -> None:
    driver = Driver(engine)
    try:
        for user_id in (ALBUM_SELLER, SINGLE_SELLER):
            driver.seller_at(user_id, "uk_individual", "id_document", ANSWERS)
        driver.push(*_album(driver, ALBUM_SELLER, 10))
        driver.push(_album(driver, SINGLE_SELLER, 1)[0])

        album_state, single_state = driver.state(ALBUM_SELLER), driver.state(SINGLE_SELLER)
        assert album_state[0] == single_state[0] != "id_document"  # one step on, no further
        assert album_state[1]["id_document"]["file_id"] == f"album-{ALBUM_SELLER}-0"
        replies = [m.text for m in driver.replies(ALBUM_SELLER)]
        assert replies[0] == driver.replies(SINGLE_SELLER)[0].text
        assert len(replies) == 2 and t("album_rest_skipped") in replies[1]
        assert not any(t("error_expected_text") in text for text in replies)
    finally:
        driver.close()


def test_an_album_at_the_product_images_step_is_one_answer(engine: Engine) -> None:
    driver = Driver(engine)
    try:
        driver.seller_at(ALBUM_SELLER, "uk_individual", "products", ANSWERS)
        tag = tag_of(driver.application_id(ALBUM_SELLER))
        driver.push(driver.callback(ALBUM_SELLER, f"a|products@{tag}|add"))
        driver.push(driver.message(ALBUM_SELLER, {"text": "Wireless Earbuds 5.3"}))
        driver.push(driver.message(ALBUM_SELLER, {"text": "£12.99"}))
        before = len(driver.replies(ALBUM_SELLER))
        driver.push(*_album(driver, ALBUM_SELLER, 10))

        draft = driver.state(ALBUM_SELLER)[1]["_draft"]
        assert len(draft["images"]) == 9 and draft["field"] != "images"  # full: next field
        replies = [m.text for m in driver.replies(ALBUM_SELLER)[before:]]
        assert not any(t("error_expected_text") in text for text in replies)
        assert sum(t("album_rest_skipped") in text for text in replies) == 1
    finally:
        driver.close()
