"""Guessing invite codes is slowed down: five wrong in ten minutes per seller, thirty per
cohort, then a wait."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from bot.providers.codes import store as codes
from bot.providers.codes.guard import MAX_WRONG, WINDOW, guesser_id, redeem_guarded
from flows.errors import ValidationError

NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
SELLER, OTHER = 4242, 4343


def _guesser(user: int) -> str:
    return guesser_id(b"test key", user)


def attempt(engine: Engine, code: str, *, at: dt.datetime, user: int = SELLER) -> str:
    """The error code of one try ("" when the code was redeemed), committed like an update."""
    with Session(engine) as session:
        try:
            redeem_guarded(
                session.connection(),
                code=code,
                market="uk",
                guesser=_guesser(user),
                cohort_id=None,
                now=at,
            )
            result = ""
        except ValidationError as error:
            result = error.code
        session.commit()
        return result


def test_five_wrong_codes_make_the_seller_wait_even_for_a_right_one(engine: Engine) -> None:
    with Session(engine) as session:
        codes.add_invite_code(session, code="TTS-REAL-CODE", market="uk", max_uses=None)
        session.commit()
    tries = [
        attempt(engine, f"WRONG-{n}", at=NOW + dt.timedelta(seconds=n)) for n in range(MAX_WRONG)
    ]
    assert tries == ["error_invite_code_not_valid"] * MAX_WRONG
    with pytest.raises(ValidationError) as refused, Session(engine) as session:
        redeem_guarded(
            session.connection(),
            code="TTS-REAL-CODE",
            market="uk",
            guesser=_guesser(SELLER),
            cohort_id=None,
            now=NOW + dt.timedelta(minutes=1),
        )
    assert refused.value.code == "error_invite_code_slow_down"
    assert refused.value.params == {"minutes": 9}
    # another seller is not slowed down by this one's guesses
    assert attempt(engine, "TTS-REAL-CODE", at=NOW + dt.timedelta(minutes=1), user=OTHER) == ""
    # once the first wrong try leaves the window, the seller may try again
    assert attempt(engine, "TTS-REAL-CODE", at=NOW + WINDOW + dt.timedelta(seconds=1)) == ""


def test_a_right_code_is_not_counted_as_a_wrong_try(engine: Engine) -> None:
    with Session(engine) as session:
        codes.add_invite_code(session, code="TTS-MANY-USES", market="uk", max_uses=None)
        session.commit()
    for n in range(MAX_WRONG * 2):
        assert attempt(engine, "TTS-MANY-USES", at=NOW + dt.timedelta(seconds=n)) == ""
