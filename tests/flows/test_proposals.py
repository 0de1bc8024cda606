"""A licence or KTP photo sent first: kept for its step, read, offered, used with one tap."""

from __future__ import annotations

import datetime as dt

import pytest

from flows.answers import ChoiceAnswer, FileAnswer, TextAnswer
from flows.engine import advance, go_back
from flows.errors import StaleAnswer
from flows.progress import FlowEnv, Progress
from flows.proposals import AHEAD, PROPOSAL, READ, offer, use_value
from tests.flows.conftest import FakeLookups

ENV = FlowEnv(lookups=FakeLookups(), today=dt.date(2026, 12, 1))
NAME, USCC = "深圳市星河贸易有限公司", "91110000802100433B"
PHOTO = FileAnswer("licence-1", "u-licence-1", "photo", "image/jpeg", 180_000, "", 1280, 960)


def _at(state: str, track: str = "uk_crossborder", **answers: object) -> Progress:
    market = "uk" if track.startswith("uk") else "id"
    return Progress(track, state, {"language": "en", "market": market, "track": track, **answers})


def _offered(progress: Progress, fields: dict[str, str]) -> Progress:
    offered = progress.copy()
    offered.answers[PROPOSAL] = {"id": "abc", "fields": offer(progress, fields, ENV)}
    return offered


def test_a_licence_photo_at_the_company_name_step_is_kept_for_its_own_step_and_read() -> None:
    outcome = advance(_at("company_name"), PHOTO, ENV)
    assert outcome.accepted and outcome.actions == (READ,)
    assert outcome.progress.state == "company_name"  # still asked, unless the offer is used
    assert outcome.progress.answers["business_licence"]["file_id"] == "licence-1"
    assert outcome.progress.answers[AHEAD] == ["business_licence"]


def test_a_photo_where_no_document_answers_the_step_is_refused_as_before() -> None:
    for progress in (
        _at("company_name", "uk_business"),
        _at("phone"),
        _at("tax_id", "id_individual"),
    ):
        assert not advance(progress, PHOTO, ENV).accepted


def test_typing_after_the_early_photo_skips_the_licence_step() -> None:
    progress = advance(_at("company_name"), PHOTO, ENV).progress
    progress = advance(progress, TextAnswer(NAME), ENV).progress
    progress = advance(progress, TextAnswer(USCC), ENV).progress
    assert progress.state == "legal_rep_id"
    assert AHEAD not in progress.answers


def test_only_valid_fields_of_unanswered_steps_are_offered() -> None:
    fields = {"company_name": NAME, "uscc": USCC, "legal_representative": "王伟"}
    assert offer(_at("company_name"), fields, ENV) == {"company_name": NAME, "uscc": USCC}
    assert offer(_at("uscc", company_name=NAME), fields, ENV) == {"uscc": USCC}
    wrong_check = {"company_name": NAME, "uscc": USCC[:-1] + "C"}
    assert offer(_at("company_name"), wrong_check, ENV) == {"company_name": NAME}
    # nothing for the step the seller is on: no offer at all (its button would be theirs)
    assert offer(_at("company_name"), {"uscc": USCC}, ENV) == {}


def test_one_tap_saves_every_offered_field_and_moves_to_the_next_unanswered_step() -> None:
    progress = advance(_at("company_name"), PHOTO, ENV).progress
    progress = _offered(progress, {"company_name": NAME, "uscc": USCC})
    outcome = advance(progress, ChoiceAnswer("company_name", use_value({"id": "abc"})), ENV)
    assert outcome.accepted
    assert outcome.saved == {"company_name": NAME, "uscc": USCC}
    assert outcome.progress.state == "legal_rep_id"
    assert PROPOSAL not in outcome.progress.answers and AHEAD not in outcome.progress.answers
    with pytest.raises(StaleAnswer):  # the same tap again: its step is behind
        advance(outcome.progress, ChoiceAnswer("company_name", "use.abc"), ENV)


def test_typing_drops_the_offer_so_its_button_cannot_overwrite_later() -> None:
    progress = _offered(advance(_at("company_name"), PHOTO, ENV).progress, {"company_name": NAME})
    typed = advance(progress, TextAnswer("深圳市另一家贸易有限公司"), ENV).progress
    assert PROPOSAL not in typed.answers
    back = go_back(typed, ENV).progress
    assert back.state == "company_name"
    with pytest.raises(StaleAnswer):
        advance(back, ChoiceAnswer("company_name", "use.abc"), ENV)
    assert typed.answers["company_name"] == "深圳市另一家贸易有限公司"


def test_a_refused_typed_answer_keeps_the_offer() -> None:
    progress = _offered(advance(_at("company_name"), PHOTO, ENV).progress, {"company_name": NAME})
    refused = advance(progress, TextAnswer("x"), ENV)
    assert not refused.accepted
    assert refused.progress.answers[PROPOSAL]["fields"] == {"company_name": NAME}


def test_a_ktp_photo_at_the_nik_step_offers_the_nik() -> None:
    nik = "3171015708450001"
    progress = advance(_at("nik", "id_individual"), PHOTO, ENV).progress
    assert progress.answers[AHEAD] == ["ktp_photo"]
    progress = _offered(progress, {"nik": nik})
    outcome = advance(progress, ChoiceAnswer("nik", "use.abc"), ENV)
    assert outcome.saved == {"nik": nik}
    assert outcome.progress.state == "tax_id"
    tax = advance(outcome.progress, TextAnswer("01.312.166.0-091.000"), ENV)
    assert tax.progress.state == "phone"  # the KTP photo, sent first, is not asked again
