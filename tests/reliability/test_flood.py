"""One seller flooding the bot does not hold up the others (issue 18, item 4).

Two hundred messages from one seller arrive at once, then one ``/status`` from another
seller. The processing slots are taken after the seller's lock, so the flood holds one slot
and the bystander is answered while the flood is still being worked through (before: after
137 of its replies, when the flood released the 64 slots it held); the flood's backlog is
capped and the flooder is told once that messages were skipped. Order of replies only, no
clocks: the timing figure is ``bench/bench_flood.py``'s, the strict "one slot per seller"
is ``tests/bot/transport/test_ordering.py``'s.
"""

from __future__ import annotations

from sqlalchemy import Engine

from bot.offline.local_api import SentMessage
from bot.platform.i18n import Translator
from bot.transport.ordering import QUEUE_LIMIT
from tests.reliability.driver import Driver

FLOODER, BYSTANDER = 5_000_001, 5_000_002


def test_a_flooding_seller_does_not_hold_up_another_seller(engine: Engine) -> None:
    driver = Driver(engine)
    try:
        driver.push(driver.message(FLOODER, {"text": "/start"}))
        driver.push(driver.message(BYSTANDER, {"text": "/start"}))
        order: list[int] = []

        def sent(message: SentMessage) -> None:
            driver._sent(message)
            order.append(message.chat_id)

        driver.api.on_send = sent
        flood = [driver.message(FLOODER, {"text": f"spam {n}"}) for n in range(200)]
        driver.push(*flood, driver.message(BYSTANDER, {"text": "/status"}))

        assert BYSTANDER in order
        flood_replies = [n for n, chat in enumerate(order) if chat == FLOODER]
        assert order.index(BYSTANDER) < flood_replies[-1]
        assert len(flood_replies) == QUEUE_LIMIT + 1  # the ones handled, and the notice
        notice = Translator("en")("flood_skipped")
        told = [m for m in driver.replies(FLOODER) if m.text == notice]
        assert len(told) == 1
        assert driver.app.update_processor.dropped == 200 - QUEUE_LIMIT  # type: ignore[attr-defined]
    finally:
        driver.close()


def test_a_seller_is_told_again_about_a_later_flood(engine: Engine) -> None:
    driver = Driver(engine)
    try:
        notice = Translator("en")("flood_skipped")
        for _round in range(2):
            driver.push(
                *(driver.message(FLOODER, {"text": "hello"}) for _ in range(QUEUE_LIMIT + 5))
            )
        told = [m for m in driver.replies(FLOODER) if m.text == notice]
        assert len(told) == 2
    finally:
        driver.close()
