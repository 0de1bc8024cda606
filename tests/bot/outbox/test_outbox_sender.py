"""The outbox end to end: enqueue, then a sender drains it over HTTP to the fake Bot API.

Every error class Telegram answers with is injected at the fake and must end in the
documented state: 429 retried after ``retry_after``, 403 blocked (and the seller too),
400 failed with its reason, a migrated group resent to its supergroup, timeouts and 5xx
retried with backoff, then failed.
"""

from __future__ import annotations

import time

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.db.models import Broadcast, Cohort, Delivery, Provider, Seller
from bot.outbox import store
from bot.outbox.limiter import Lane, ReplyRateLimiter, SendLimiter
from bot.outbox.service import OutboxService
from bot.outbox.store import Message
from bot.transport.retries import RetryingRateLimiter
from tests.bot.outbox.outbox_helpers import delivered, running_sender, until_done, with_config
from tests.fakebotapi import FakeBotAPI
from tests.fakebotapi.traffic import Faults, Limits, Traffic, busiest_second
from tests.harness import running_bot
from tests.updates import TelegramUser


@pytest.fixture(autouse=True)
def _retry_after_as_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    # PTB 22 warns when it builds a RetryAfter unless opted in; warnings are errors here.
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


def messages(chats: range | list[int], text: str = "<b>News</b> for you") -> list[Message]:
    return [Message(chat_id=chat, text=text) for chat in chats]


def deliveries(engine: Engine, broadcast_id: int) -> dict[int, Delivery]:
    with Session(engine) as session:
        rows = session.exec(select(Delivery).where(col(Delivery.broadcast_id) == broadcast_id))
        return {row.chat_id: row for row in rows}


def add_sellers(engine: Engine, chats: list[int]) -> None:
    with Session(engine) as session, session.begin():
        session.add_all(Seller(telegram_user_id=chat, chat_id=chat) for chat in chats)


def test_enqueue_writes_nothing_when_two_messages_go_to_the_same_chat(engine: Engine) -> None:
    with pytest.raises(IntegrityError):
        store.enqueue(engine, messages([1, 2, 1]))
    with Session(engine) as session:
        assert session.exec(select(Broadcast)).all() == []
        assert session.exec(select(Delivery)).all() == []


def test_enqueue_writes_the_broadcast_and_all_its_deliveries_before_any_send(
    engine: Engine,
) -> None:
    broadcast_id = store.enqueue(engine, messages(range(1, 51)), kind="broadcast", created_by=7)
    assert store.status_counts(engine, broadcast_id) == {"pending": 50}
    with Session(engine) as session:
        broadcast = session.get(Broadcast, broadcast_id)
        assert broadcast is not None
        assert (broadcast.total, broadcast.status, broadcast.created_by) == (50, "queued", 7)


def test_a_broadcast_to_nobody_is_done_at_once(engine: Engine) -> None:
    broadcast_id = store.enqueue(engine, [])
    with Session(engine) as session:
        broadcast = session.get(Broadcast, broadcast_id)
        assert broadcast is not None and broadcast.status == "done"


async def test_a_broadcast_reaches_every_recipient_once_with_its_format_file_and_buttons(
    engine: Engine,
) -> None:
    async with FakeBotAPI() as api:
        api.add_file("AgPhoto1", b"jpeg")
        buttons = [[{"text": "Open", "url": "https://example.com/a"}]]
        texts = [Message(chat_id=chat, text="<b>Hi</b> &amp; welcome", buttons=buttons)
                 for chat in range(100, 140)]  # fmt: skip
        texts.append(Message(chat_id=200, text="<i>caption</i>", photo_file_id="AgPhoto1"))
        broadcast_id = store.enqueue(engine, texts)
        async with running_sender(engine, api) as sender:
            sender.wake()
            done = await until_done(engine, broadcast_id)
    assert (done.sent, done.blocked, done.failed, done.total) == (41, 0, 0, 41)
    assert set(delivered(api).values()) == {1}
    first = api.sent_to(100)[0]
    assert first.params["parse_mode"] == "HTML"
    assert first.inline_keyboard == [[{"text": "Open", "url": "https://example.com/a"}]]
    assert api.sent_to(200)[0].method == "sendPhoto"
    rows = deliveries(engine, broadcast_id)
    assert {row.status for row in rows.values()} == {"sent"}
    assert rows[100].message_id == first.result["message_id"]
    assert all(row.sent_at is not None for row in rows.values())


async def test_429_waits_retry_after_then_sends_once_and_does_not_stop_other_chats(
    engine: Engine,
) -> None:
    async with FakeBotAPI() as api:
        api.fail_next("sendMessage", error_code=429, retry_after=1, chat_id=5)
        broadcast_id = store.enqueue(engine, messages(range(1, 21)))
        async with running_sender(engine, api):
            await until_done(engine, broadcast_id)
    attempts = [call for call in api.calls_to("sendMessage") if call.chat_id == 5]
    assert [call.error_code for call in attempts] == [429, None]
    assert delivered(api)[5] == 1
    others_done = max(api.calls.index(c) for c in api.calls_to("sendMessage") if c.chat_id != 5)
    assert api.calls.index(attempts[1]) > others_done  # the others did not wait for chat 5
    row = deliveries(engine, broadcast_id)[5]
    assert (row.status, row.attempts) == ("sent", 1)  # the 429 is not counted as an attempt


async def test_403_blocks_the_recipient_and_its_seller_and_later_broadcasts_skip_them(
    engine: Engine,
) -> None:
    add_sellers(engine, [11, 12, 13])
    async with FakeBotAPI() as api:
        api.fail_next("sendMessage", error_code=403, chat_id=12)
        first = store.enqueue(engine, messages([11, 12, 13]))
        async with running_sender(engine, api) as sender:
            done = await until_done(engine, first)
            second = store.enqueue(engine, messages([11, 12, 13], "again"))
            sender.wake()
            again = await until_done(engine, second)
    assert (done.sent, done.blocked) == (2, 1)
    assert (again.sent, again.blocked) == (2, 1)
    assert [c.error_code for c in api.calls_to("sendMessage") if c.chat_id == 12] == [403]
    assert deliveries(engine, first)[12].last_error == "Forbidden: bot was blocked by the user"
    with Session(engine) as session:
        blocked = session.exec(select(Seller.chat_id).where(col(Seller.blocked))).all()
    assert blocked == [12]


async def test_400_chat_not_found_fails_with_telegrams_reason_and_is_not_retried(
    engine: Engine,
) -> None:
    async with FakeBotAPI() as api:
        api.fail_next("sendMessage", error_code=400, description="Bad Request: chat not found",
                      chat_id=3)  # fmt: skip
        broadcast_id = store.enqueue(engine, messages([1, 2, 3]))
        async with running_sender(engine, api):
            done = await until_done(engine, broadcast_id)
    assert (done.sent, done.failed) == (2, 1)
    row = deliveries(engine, broadcast_id)[3]
    assert (row.status, row.last_error) == ("failed", "Chat not found")
    assert len([c for c in api.calls_to("sendMessage") if c.chat_id == 3]) == 1


async def test_a_group_migrated_to_a_supergroup_gets_the_message_there_and_the_cohort_follows(
    engine: Engine,
) -> None:
    old, new = -4001, -1_004_001
    with Session(engine) as session, session.begin():
        session.add(Provider(id=1, name="Agency"))
        session.flush()
        session.add(Cohort(provider_id=1, market="uk", name="A", join_token="t", group_chat_id=old))
    async with FakeBotAPI() as api:
        upgraded = "Bad Request: group chat was upgraded to a supergroup chat"
        api.fail_next("sendMessage", error_code=400, migrate_to_chat_id=new, chat_id=old,
                      description=upgraded)  # fmt: skip
        broadcast_id = store.enqueue(engine, messages([old, 1]))
        async with running_sender(engine, api):
            done = await until_done(engine, broadcast_id)
    assert (done.sent, done.failed) == (2, 0)
    assert delivered(api)[new] == 1 and delivered(api)[old] == 0
    assert deliveries(engine, broadcast_id)[new].status == "sent"
    with Session(engine) as session:
        assert session.exec(select(Cohort.group_chat_id)).one() == new


async def test_5xx_is_retried_with_backoff_and_succeeds(engine: Engine) -> None:
    async with FakeBotAPI() as api:
        api.fail_next("sendMessage", error_code=500, chat_id=9, times=2)
        broadcast_id = store.enqueue(engine, messages([9]))
        async with running_sender(engine, api):
            done = await until_done(engine, broadcast_id)
    assert done.sent == 1
    assert [c.error_code for c in api.calls_to("sendMessage")] == [500, 500, None]
    assert deliveries(engine, broadcast_id)[9].attempts == 3


async def test_timeouts_are_retried_a_bounded_number_of_times_then_failed(engine: Engine) -> None:
    async with FakeBotAPI() as api:
        api.traffic = Traffic(faults=Faults(hang_share=1.0, hang_seconds=1.0))
        broadcast_id = store.enqueue(engine, messages([8]))
        async with running_sender(
            engine, api, read_timeout=0.2, config=with_config(max_attempts=3)
        ):
            done = await until_done(engine, broadcast_id)
    assert done.failed == 1
    row = deliveries(engine, broadcast_id)[8]
    assert (row.status, row.attempts) == ("failed", 3)
    assert row.last_error is not None and row.last_error.startswith("TimedOut")
    assert len(api.traffic.arrivals) == 3


async def test_a_cancelled_broadcast_sends_nothing_more_and_a_paused_one_waits(
    engine: Engine,
) -> None:
    async with FakeBotAPI() as api:
        cancelled = store.enqueue(engine, messages(range(1, 11)))
        paused = store.enqueue(engine, messages(range(1, 11), "later"))
        store.set_status(engine, cancelled, "cancelled")
        store.set_status(engine, paused, "paused")
        async with running_sender(engine, api) as sender:
            probe = store.enqueue(engine, messages([99]))
            sender.wake()
            await until_done(engine, probe)
            assert delivered(api) == {99: 1}
            store.set_status(engine, paused, "queued")
            sender.wake()
            await until_done(engine, paused)
    assert store.status_counts(engine, cancelled) == {"pending": 10}
    assert len(delivered(api)) == 11


async def test_notifications_go_before_a_broadcast_already_waiting(engine: Engine) -> None:
    async with FakeBotAPI() as api:
        bulk = store.enqueue(engine, messages(range(1, 31)))
        notice = store.enqueue(engine, messages([500]), kind="notification")
        async with running_sender(engine, api, config=with_config(batch_size=10)):
            await until_done(engine, bulk)
            await until_done(engine, notice)
    order = [call.chat_id for call in api.calls_to("sendMessage")]
    assert order.index(500) < 10


async def test_the_sender_keeps_the_bot_wide_per_chat_and_group_limits_the_fake_enforces(
    engine: Engine,
) -> None:
    chats = [*range(1, 61), -10, -20]
    async with FakeBotAPI() as api:
        api.traffic = Traffic(
            Limits(per_second=40, chat_interval=0.3, chat_tolerance=0.05, group_limit=3,
                   group_window=1.0),
        )  # fmt: skip
        first = store.enqueue(engine, messages(chats))
        second = store.enqueue(engine, messages(chats, "two"))
        third = store.enqueue(engine, messages([-10, -20], "three"))
        fourth = store.enqueue(engine, messages([-10, -20], "four"))
        # 10% under the fake's bot-wide limit: a loaded CI machine delays a task by more
        # than the fake's 50 ms jitter allowance now and then (the pace itself is tested
        # on the limiter's own grant times in test_outbox_limiter.py)
        limiter = SendLimiter(36, chat_interval=0.3, group_limit=3, group_period=1.0)
        started = time.monotonic()
        async with running_sender(engine, api, limiter=limiter):
            for broadcast_id in (first, second, third, fourth):
                await until_done(engine, broadcast_id, timeout=30)
        elapsed = time.monotonic() - started
    assert api.traffic.refusals == {}
    assert busiest_second([t for t, _ in api.traffic.arrivals]) <= 40
    assert set(delivered(api).values()) == {2, 4}
    assert elapsed > 1.0  # 4 sends to a group at 3 per second take more than a second


async def test_a_sellers_reply_goes_out_while_a_broadcast_drains_in_the_same_application(
    engine: Engine,
) -> None:
    seller = TelegramUser(4242, "Ann", "en")
    async with running_bot(engine) as harness:
        app = harness.app
        assert app is not None
        limiter = app.bot_data["outbox_limiter"]
        assert isinstance(app.bot.rate_limiter, RetryingRateLimiter)
        pacing = app.bot.rate_limiter.inner
        assert isinstance(pacing, ReplyRateLimiter)
        assert pacing.limiter is limiter  # one limiter: replies and bulk
        broadcast_id = store.enqueue(engine, messages(range(1, 91)))  # 3 s at 30/s
        service = OutboxService(app, engine)
        service.start()
        try:
            await harness.api.wait_for(lambda call: call.chat_id == 5, timeout=10)
            bulk_before = len(set(delivered(harness.api)) - {seller.id})
            reply = await harness.say(seller, "/start")
            bulk_after = len(set(delivered(harness.api)) - {seller.id})
            done = await until_done(engine, broadcast_id, timeout=30)
        finally:
            await service.stop()
    assert reply  # the seller was answered...
    assert bulk_after - bulk_before <= 15  # ...within half a second of bulk slots
    assert bulk_after < 90  # while the broadcast was still going
    assert done.sent == 90
    assert limiter.granted[Lane.REPLY] >= 1
