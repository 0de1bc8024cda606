"""Forged, stale, replayed and foreign callback data for every button the bot makes.

Seller buttons (answers ``a|``, ``lang|``, ``restart|``, ``new|``, the applications'
switch buttons ``app|``) and admin buttons (``adm_c|``, ``adm_g|``, ``adm_audit|``): data
the bot did not issue to this user, for this message, now, changes nothing in the
database (every table, clocks aside) and raises nothing. A genuine tap is honoured once:
pressed again, or delivered again, it changes nothing more. On both databases.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.db.models import Admin, Cohort, Provider
from bot.sellers.tags import tag_of
from tests.reliability.driver import Driver

SELLER, OTHER, OWNER_A, OWNER_B = 5_101, 5_202, 5_303, 5_404
ANSWERS = {"language": "en", "market": "uk", "track": "uk_crossborder"}


@pytest.fixture
def driver(engine: Engine) -> Iterator[Driver]:
    driver = Driver(engine)
    driver.seller_at(SELLER, "uk_crossborder", "uscc", ANSWERS)
    driver.seller_at(OTHER, "uk_crossborder", "phone", ANSWERS)
    with Session(engine) as session:
        for owner, name in ((OWNER_A, "Agency A"), (OWNER_B, "Agency B")):
            provider = Provider(name=name)
            session.add(provider)
            session.flush()
            assert provider.id is not None
            session.add(Admin(provider_id=provider.id, telegram_user_id=owner, role="owner"))
            session.add(Cohort(provider_id=provider.id, market="uk", name=f"{name} UK",
                               join_token=f"join-{owner}"))  # fmt: skip
        session.commit()
    yield driver
    driver.close()


def _forged(driver: Driver) -> list[tuple[int, str]]:
    mine, theirs = driver.application_id(SELLER), driver.application_id(OTHER)
    tag, foreign = tag_of(mine), tag_of(theirs)
    with Session(driver.engine) as session:
        cohorts = list(session.exec(select(Cohort.id).order_by(col(Cohort.id))))
    cohort_a = cohorts[0]
    seller_taps = [
        f"a|uscc@{tag}|anything",  # a text step has no choices
        f"a|market@{tag}|id",  # stale: a step already answered
        f"a|track@{tag}|uk_business",
        f"a|phone@{foreign}|x",  # foreign: the other seller's application
        f"a|phone@{tag}|x",  # a step not yet reached
        "a|market|uk",  # untagged, from before tags
        f"a|uscc@{tag_of(999_999)}|x",  # an application that does not exist
        "a|||", "a|market@!!|uk", "a|" + "x" * 60,
        "lang|set|xx", "lang|get|en", "lang|set|", "lang|set|zh_Hans|extra",
        "restart|forged-nonce|yes", "restart||yes", "restart|x|maybe",
        "new|pick|nothing", "new||",
        f"app|to|{theirs}", "app|to|999999", "app|to|-1", "app|to|abc", f"app|to|{mine}x",
        # admin buttons pressed by a seller who is no admin at all
        f"adm_c|arch|{cohort_a}", f"adm_c|inv|{cohort_a}", f"adm_c|qr|{cohort_a}",
        "adm_g|link|1", "adm_audit|page|2", "adm_c|arch|x", "adm_audit|page|-5",
    ]  # fmt: skip
    admin_taps = [
        (OWNER_B, f"adm_c|arch|{cohort_a}"),  # foreign: another provider's cohort
        (OWNER_B, f"adm_c|inv|{cohort_a}"),
        (OWNER_B, "adm_c|arch|999999"),
        (OWNER_B, "adm_g|link|999999"),
        (OWNER_A, "adm_c|arch|"),
        (OWNER_A, "adm_c|zzz|1"),
        (OWNER_A, "adm_audit|page|abc"),
    ]
    return [(SELLER, data) for data in seller_taps] + admin_taps


def test_forged_stale_and_foreign_buttons_change_nothing(driver: Driver) -> None:
    before = driver.fingerprint()
    for user_id, data in _forged(driver):
        for message_id in (1, 999_999):
            driver.push(driver.callback(user_id, data, message_id=message_id))
        assert driver.fingerprint() == before, f"{data!r} from {user_id} changed the database"


def test_a_genuine_tap_is_honoured_once(driver: Driver) -> None:
    user_id = 5_505
    driver.seller_at(user_id, "uk_crossborder", "market", {"language": "en"})
    tap = driver.callback(user_id, f"a|market@{tag_of(driver.application_id(user_id))}|uk")
    driver.push(tap)
    after_first = driver.fingerprint()
    driver.push(tap)  # the same update delivered again
    driver.push({**tap, "update_id": driver.next_update_id()})  # the button pressed again
    assert driver.fingerprint() == after_first


def test_a_restart_confirmation_is_honoured_once_and_only_by_its_seller(driver: Driver) -> None:
    driver.push(driver.message(SELLER, {"text": "/restart"}))
    yes = next(
        data
        for message in reversed(driver.replies(SELLER))
        for _label, data in message.buttons
        if data.startswith("restart|") and data.endswith("|yes")
    )
    asked = next(m for m in reversed(driver.replies(SELLER)) if m.buttons).message_id
    before = driver.fingerprint()
    driver.push(driver.callback(OTHER, yes, message_id=asked))  # someone else's confirmation
    driver.push(driver.callback(SELLER, yes, message_id=asked + 1))  # from another message
    assert driver.fingerprint() == before
    driver.push(driver.callback(SELLER, yes, message_id=asked))
    restarted = driver.fingerprint()
    assert restarted != before
    driver.push(driver.callback(SELLER, yes, message_id=asked))  # replayed
    assert driver.fingerprint() == restarted
