"""After Telegram stops hanging, a seller whose reply was lost gets the current question
again, once; a seller whose reply was confirmed gets nothing more (issue 18, item 7).

Before: with sends timing out while a seller answered, the answers were saved, none of the
replies arrived, and after recovery nothing was said: the seller was left in silence
mid-flow. The job round (``sellers.owed.ask_again``) is called directly, as the JobQueue
would every 15 s.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine
from telegram.error import TimedOut

from bot.platform.i18n import Translator
from bot.sellers.owed import ask_again
from bot.transport.context import BotContext
from tests.reliability.driver import Driver
from tests.reliability.one_seller import ANSWERS, PHOTO

LOST, CONFIRMED = 6_400_001, 6_400_002
AGAIN = Translator("en")("reply_asked_again")


class Hanging:
    """Makes every ``sendMessage`` to ``chats`` time out while ``on``."""

    def __init__(self, driver: Driver, chats: set[int]) -> None:
        self.on = False
        self.chats = chats
        original = driver.api.do_request

        async def do_request(url: str, method: str, request_data: Any = None, **kw: Any) -> Any:
            chat = request_data.parameters.get("chat_id") if request_data else None
            if self.on and url.endswith("/sendMessage") and chat in self.chats:
                # sent, no answer: possibly delivered, so it is not sent again
                raise TimedOut("the Bot API is hanging") from httpx.ReadTimeout("hanging")
            return await original(url, method, request_data, **kw)

        driver.api.do_request = do_request  # type: ignore[method-assign]


@pytest.fixture
def driver(engine: Engine) -> Iterator[Driver]:
    driver = Driver(engine)
    for user_id in (LOST, CONFIRMED):
        driver.seller_at(user_id, "uk_individual", "id_document", ANSWERS)
    yield driver
    driver.close()


def _photo(driver: Driver, user_id: int, name: str) -> dict[str, Any]:
    driver.api.add_file(name, PHOTO)
    size = {"file_id": name, "file_unique_id": name[-8:], "width": 1280, "height": 960,
            "file_size": 180_000}  # fmt: skip
    return driver.message(user_id, {"photo": [size]})


def _round(driver: Driver) -> int:
    context = BotContext(driver.app)  # what the JobQueue hands its callback
    return driver.loop.run_until_complete(ask_again(context))


def test_a_seller_whose_replies_were_lost_is_asked_the_current_question_once(
    driver: Driver,
) -> None:
    hanging = Hanging(driver, {LOST})
    hanging.on = True
    driver.push(_photo(driver, LOST, "passport-lost"))  # accepted, its reply lost
    driver.push(driver.message(LOST, {"text": "hello"}))  # refused, its reply lost too
    driver.push(_photo(driver, CONFIRMED, "passport-ok"))
    assert driver.replies(LOST) == []
    assert driver.state(LOST)[0] != "id_document"  # the answer was saved
    assert _round(driver) == 0  # still hanging: nothing sent, still owed
    hanging.on = False

    assert _round(driver) == 1
    [again] = driver.replies(LOST)
    assert again.text.startswith(AGAIN)
    assert again.text.split("\n", 1)[1].strip() in driver.replies(CONFIRMED)[0].text  # the question
    assert _round(driver) == 0 and len(driver.replies(LOST)) == 1  # once
    assert len(driver.replies(CONFIRMED)) == 1  # a confirmed reply is not repeated


def test_a_seller_who_wrote_again_after_recovery_is_not_asked_twice(driver: Driver) -> None:
    hanging = Hanging(driver, {LOST})
    hanging.on = True
    driver.push(_photo(driver, LOST, "passport-lost"))
    hanging.on = False
    driver.push(driver.message(LOST, {"text": "/status"}))  # confirmed: has the question
    assert _round(driver) == 0
    assert not any(m.text.startswith(AGAIN) for m in driver.replies(LOST))
