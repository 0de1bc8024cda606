"""A refused answer delivered twice is answered once (issue 18, item 12).

Telegram may give one update to two webhook workers (the first too slow to answer). The
redelivery record covered only updates that wrote, so a refusal was answered by each
worker: 65 replies where 41 were due. Now every update the seller store answers is
recorded, a refusal too. Two ``Driver``s on one database are the two workers.
"""

from __future__ import annotations

from sqlalchemy import Engine

from tests.reliability.driver import Driver
from tests.reliability.one_seller import ANSWERS

SELLER = 6_100_001


def test_a_refused_answer_given_to_two_workers_is_answered_once(engine: Engine) -> None:
    first, second = Driver(engine), Driver(engine)
    try:
        first.seller_at(SELLER, "uk_individual", "id_document", ANSWERS)
        before = first.state(SELLER)
        refused = first.message(SELLER, {"text": "not a photo"})  # a photo is asked for
        first.push(refused)
        second.push(refused)
        assert len(first.replies(SELLER)) == 1 and second.replies(SELLER) == []
        assert first.state(SELLER) == before
    finally:
        first.close()
        second.close()


def test_a_refused_answer_delivered_twice_at_once_is_answered_once(engine: Engine) -> None:
    driver = Driver(engine)
    try:
        driver.seller_at(SELLER, "uk_individual", "id_document", ANSWERS)
        refused = driver.message(SELLER, {"text": "not a photo"})
        driver.push(refused, refused)
        assert len(driver.replies(SELLER)) == 1
    finally:
        driver.close()


def test_the_same_text_sent_again_as_a_new_message_is_answered_again(engine: Engine) -> None:
    driver = Driver(engine)
    try:
        driver.seller_at(SELLER, "uk_individual", "id_document", ANSWERS)
        driver.push(driver.message(SELLER, {"text": "not a photo"}))
        driver.push(driver.message(SELLER, {"text": "not a photo"}))
        assert len(driver.replies(SELLER)) == 2
    finally:
        driver.close()
