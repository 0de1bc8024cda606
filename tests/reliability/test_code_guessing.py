"""Guessing invite codes gets nowhere (issue 18, item 8), on both databases.

Before: ``/delete_me`` erased the wrong-code counter (three erasures, 15 guesses instead
of 5), the limit was per account only (50 accounts, 250 guesses in ten minutes), and "used
up" and "doesn't exist" told a guesser which codes exist. Now the counter names a keyed
hash of the guesser, kept through an erasure, a cohort's (here: the market's, outside any
cohort) sellers share a limit, and every unusable code gets the same text.
"""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.db.models import Application, Cohort, InviteCodeFailure, Provider, Seller
from bot.platform.i18n import Translator
from bot.privacy.erasure import erase_seller
from bot.providers.codes import store as codes
from bot.providers.codes.guard import COHORT_MAX_WRONG, MAX_WRONG
from tests.reliability.driver import Driver

ANSWERS = {"language": "en", "market": "uk", "track": "uk_crossborder"}
GUESSER = 6_200_001
t = Translator("en")
NOT_VALID = t("error_invite_code_not_valid")


def _guess(driver: Driver, user_id: int, code: str) -> str:
    before = len(driver.replies(user_id))
    driver.push(driver.message(user_id, {"text": code}))
    return "\n".join(m.text for m in driver.replies(user_id)[before:])


def _at_invite_code(driver: Driver, user_id: int) -> None:
    driver.seller_at(user_id, "uk_crossborder", "invite_code", ANSWERS)


def test_delete_me_does_not_reset_the_wrong_code_count(engine: Engine) -> None:
    driver = Driver(engine)
    try:
        _at_invite_code(driver, GUESSER)
        for n in range(MAX_WRONG):
            assert NOT_VALID in _guess(driver, GUESSER, f"GUESS-{n:04d}")
        with Session(engine) as session:
            seller = session.exec(select(Seller).where(Seller.telegram_user_id == GUESSER)).one()
            erase_seller(session, seller=seller)
            session.commit()
            guessers = session.exec(select(InviteCodeFailure.guesser)).all()
        assert len(guessers) == MAX_WRONG
        assert all(str(GUESSER) not in guesser for guesser in guessers)  # not the id
        _at_invite_code(driver, GUESSER)  # back as a new seller
        reply = _guess(driver, GUESSER, "GUESS-9999")
        assert NOT_VALID not in reply and "Too many wrong invite codes" in reply
    finally:
        driver.close()


def test_many_accounts_share_their_cohorts_limit(engine: Engine) -> None:
    with Session(engine) as session:
        codes.add_invite_code(session, code="TTS-REAL-2026", market="uk", max_uses=None)
        session.commit()
    driver = Driver(engine)
    try:
        accounts = [GUESSER + n for n in range(COHORT_MAX_WRONG // MAX_WRONG + 1)]
        for user_id in accounts:
            _at_invite_code(driver, user_id)
        guesses = 0
        for user_id in accounts[:-1]:
            for n in range(MAX_WRONG):
                assert NOT_VALID in _guess(driver, user_id, f"GUESS-{user_id}-{n}")
                guesses += 1
        assert guesses == COHORT_MAX_WRONG
        fresh = accounts[-1]  # has not guessed yet, but its cohort has, too often
        assert "Too many wrong invite codes" in _guess(driver, fresh, "TTS-REAL-2026")
    finally:
        driver.close()


def test_a_cohorts_guesses_slow_down_its_own_sellers_only(engine: Engine) -> None:
    """The cohort is the one read with the seller: another cohort's sellers, and sellers
    outside any cohort, keep their own counts."""
    with Session(engine) as session:
        codes.add_invite_code(session, code="TTS-REAL-2026", market="uk", max_uses=None)
        provider = Provider(name="Agency")
        session.add(provider)
        session.flush()
        cohorts = [
            Cohort(provider_id=provider.id or 0, market="uk", name=name, join_token=name)
            for name in ("first", "second")
        ]
        session.add_all(cohorts)
        session.commit()
        first, second = (cohort.id for cohort in cohorts)
    driver = Driver(engine)
    try:
        accounts = [GUESSER + n for n in range(COHORT_MAX_WRONG // MAX_WRONG + 1)]
        others = {GUESSER + 100: second, GUESSER + 101: None}
        for user_id in [*accounts, *others]:
            _at_invite_code(driver, user_id)
            _put_in_cohort(engine, user_id, others.get(user_id, first))
        for user_id in accounts[:-1]:
            for n in range(MAX_WRONG):
                assert NOT_VALID in _guess(driver, user_id, f"GUESS-{user_id}-{n}")
        assert "Too many wrong invite codes" in _guess(driver, accounts[-1], "TTS-REAL-2026")
        for user_id in others:  # not slowed down: their code is taken
            assert "Too many wrong invite codes" not in _guess(driver, user_id, "TTS-REAL-2026")
            assert NOT_VALID not in driver.replies(user_id)[-1].text
    finally:
        driver.close()


def _put_in_cohort(engine: Engine, user_id: int, cohort_id: int | None) -> None:
    with Session(engine) as session:
        seller = session.exec(select(Seller).where(Seller.telegram_user_id == user_id)).one()
        application = session.get(Application, seller.current_application_id)
        assert application is not None
        application.cohort_id = cohort_id
        session.add(application)
        session.commit()
