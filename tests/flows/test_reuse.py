"""Reused company answers (``/new`` for the same company) are replayed through validation."""

from __future__ import annotations

import datetime as dt

from flows.answers import ChoiceAnswer
from flows.engine import advance
from flows.progress import FlowEnv, Progress
from flows.reuse import REUSED, fast_forward
from tests.flows.conftest import FakeLookups

ENV = FlowEnv(lookups=FakeLookups(), today=dt.date(2026, 12, 1))
NAME, USCC = "深圳市星河贸易有限公司", "91110000802100433B"


def _at_track(**answers: object) -> Progress:
    base = {"language": "en", "market": "uk", **answers}
    return Progress(None, "track", base)


def test_every_reused_text_step_is_answered_again_and_noted() -> None:
    progress = _at_track(company_name=NAME, uscc=USCC, **{REUSED: ["company_name", "uscc"]})
    outcome = fast_forward(advance(progress, ChoiceAnswer("track", "uk_crossborder"), ENV), ENV)
    assert outcome.progress.state == "business_licence"
    assert REUSED not in outcome.progress.answers
    assert outcome.saved["uscc"] == USCC
    assert [say.msgid for say in outcome.say][-1] == "notice_answers_reused"
    assert outcome.say[-1].params == {"count": 2}


def test_a_reused_value_the_step_refuses_stops_there_and_is_asked() -> None:
    progress = _at_track(company_name=NAME, uscc="not a uscc", **{REUSED: ["company_name", "uscc"]})
    outcome = fast_forward(advance(progress, ChoiceAnswer("track", "uk_crossborder"), ENV), ENV)
    assert outcome.progress.state == "uscc"
    assert outcome.progress.answers[REUSED] == ["uscc"]


def test_without_reused_answers_nothing_changes() -> None:
    progress = _at_track(company_name=NAME)
    plain = advance(progress, ChoiceAnswer("track", "uk_crossborder"), ENV)
    assert fast_forward(plain, ENV) is plain
    assert plain.progress.state == "company_name"
