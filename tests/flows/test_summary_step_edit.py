"""From the summary, "Edit" lets the seller pick one answer, change it, and come back.

Before, "Edit" went one step back, so fixing the company name meant /back eight times.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pytest

from flows.answers import ChoiceAnswer, FileAnswer, TextAnswer
from flows.engine import advance, prompt, prompt_key
from flows.errors import StaleAnswer
from flows.machine import EDGE_KINDS, JUMP, MAIN, machine_for
from flows.products import RULES
from flows.progress import EDITING, REDO, CompanyCheck, Progress
from flows.steps import StepContext
from flows.tracks import TRACKS

if TYPE_CHECKING:
    from tests.flows.conftest import FakeLookups, NewSeller


def test_edit_lists_every_answered_step_with_its_summary_label(new_seller: NewSeller) -> None:
    seller = new_seller("uk_crossborder", at="review")
    seller.tap("edit")
    shown = prompt(seller.progress, seller.env)
    assert (shown.key, shown.say[0].msgid) == ("review.edit", "ask_edit_which")
    expected = [step.id for step in TRACKS["uk_crossborder"]]
    assert [choice.value for choice in shown.choices] == [*expected, "summary"]
    labels = {step.id: step.label for step in TRACKS["uk_crossborder"]}
    assert all(c.label == labels[c.value] for c in shown.choices if c.value != "summary")


def test_a_picked_answer_is_asked_again_and_the_next_answer_returns_to_the_summary(
    new_seller: NewSeller,
) -> None:
    seller = new_seller("uk_crossborder", at="review")
    before = dict(seller.answers)
    seller.tap("edit")
    seller.tap("company_name")
    assert seller.state == "company_name"
    seller.type("深圳市星辰云帆贸易有限公司")
    assert seller.state == "review"  # not uscc, business_licence, … again
    assert seller.answers["company_name"] == "深圳市星辰云帆贸易有限公司"
    changed = {k: v for k, v in seller.answers.items() if before.get(k) != v}
    assert changed == {"company_name": "深圳市星辰云帆贸易有限公司"}  # no marker left behind
    assert prompt(seller.progress, seller.env).key == "review"


def test_back_to_summary_from_the_list_changes_nothing(new_seller: NewSeller) -> None:
    seller = new_seller("id_individual", at="review")
    before = seller.progress.copy()
    seller.tap("edit")
    seller.tap("summary")
    assert seller.progress == before


def test_back_from_the_list_of_answers_shows_the_summary_again(new_seller: NewSeller) -> None:
    seller = new_seller("id_individual", at="review")
    before = seller.progress.copy()
    seller.tap("edit")
    seller.back()
    assert seller.progress == before
    seller.back()
    assert seller.state == "products"


def test_a_new_company_number_asks_the_name_confirmation_again_then_returns(
    new_seller: NewSeller, lookups: FakeLookups
) -> None:
    seller = new_seller("uk_business", at="review")
    lookups.companies["SC654321"] = CompanyCheck("found", "OTHER TRADING LTD", "active")
    seller.tap("edit")
    seller.tap("company_number")
    seller.type("SC654321")
    assert seller.state == "company_confirm"  # the new number names another company
    seller.tap("yes")
    assert seller.state == "review"
    assert seller.answers["company_registered_name"] == "OTHER TRADING LTD"


def test_an_old_summary_button_after_the_list_is_stale(new_seller: NewSeller) -> None:
    seller = new_seller("uk_individual", at="review")
    seller.tap("edit")
    with pytest.raises(StaleAnswer):
        advance(seller.progress, ChoiceAnswer("review", "submit"), seller.env)
    seller.tap("phone")
    with pytest.raises(StaleAnswer):  # the list's button, once the seller jumped
        advance(seller.progress, ChoiceAnswer("review.edit", "address_proof"), seller.env)


def test_a_step_not_in_the_list_cannot_be_jumped_to(new_seller: NewSeller) -> None:
    seller = new_seller("uk_individual", at="review")
    seller.tap("edit")
    for value in ("market", "submitted", "company_name"):  # intake, a state, another track's
        with pytest.raises(StaleAnswer):
            advance(seller.progress, ChoiceAnswer("review.edit", value), seller.env)


def test_a_refused_answer_on_the_picked_step_stays_there(new_seller: NewSeller) -> None:
    seller = new_seller("uk_individual", at="review")
    seller.tap("edit")
    seller.tap("phone")
    outcome = seller.refused(TextAnswer("07700 900123"))
    assert outcome.error is not None and outcome.error.code == "error_uk_mobile_range"
    seller.type("07400 654321")
    assert (seller.state, seller.answers["phone"]) == ("review", "+447400654321")


def test_products_picked_from_the_summary_return_when_done(new_seller: NewSeller) -> None:
    seller = new_seller("uk_individual", at="review")
    seller.tap("edit")
    seller.tap("products")
    seller.add_product()
    assert prompt_key(seller.progress) == "products"
    seller.tap("done")
    assert seller.state == "review" and len(seller.answers["products"]) == 2


def test_back_from_a_picked_step_then_answering_still_returns_to_the_summary(
    new_seller: NewSeller,
) -> None:
    seller = new_seller("uk_individual", at="review")
    seller.tap("edit")
    seller.tap("address_proof")
    seller.back()
    assert seller.state == "selfie_with_id"
    seller.send(FileAnswer("photo-x", "u-photo-x", "photo", "image/jpeg", 180_000, "", 800, 600))
    assert seller.state == "review"


# --- the machine: jumps declared as data, apart from the main path --------------------


@pytest.mark.parametrize("track", list(TRACKS))
def test_jump_goes_from_review_to_each_of_the_tracks_steps_only(track: str) -> None:
    machine = machine_for(track)
    event = machine.machine.events["jump"]
    assert list(event.transitions) == ["review"]
    assert [t.dest for t in event.transitions["review"]] == [s.id for s in TRACKS[track]]


def test_resume_skips_answered_steps_and_lands_on_review() -> None:
    track = "uk_individual"
    answers = {"id_document": {}, "selfie_with_id": {}, "address_proof": {}, "phone": "+44"}
    context = StepContext(answers, {}, RULES[track], dt.date(2026, 3, 2))
    progress = Progress(track, "selfie_with_id")
    assert machine_for(track).fire("resume", progress, context)
    assert progress.state == "products"  # the first step still unanswered
    answers["products"] = []
    progress = Progress(track, "selfie_with_id")
    assert machine_for(track).fire("resume", progress, context)
    assert progress.state == "review"


def test_every_trigger_is_named_as_main_back_jump_or_decision() -> None:
    for track in TRACKS:
        assert set(machine_for(track).machine.events) <= set(EDGE_KINDS)
    assert EDGE_KINDS["answer"] == MAIN and EDGE_KINDS["jump"] == EDGE_KINDS["resume"] == JUMP


def test_after_a_rejection_each_step_asked_again_leads_to_the_next_then_the_summary(
    new_seller: NewSeller,
) -> None:
    seller = new_seller("uk_crossborder", at="review")
    # what a rejection for the company name and the phone leaves (decisions.decide)
    seller.progress.state = "company_name"
    seller.progress.answers.update({EDITING: True, REDO: ["phone"]})
    seller.type("深圳市星辰云帆贸易有限公司")
    assert seller.state == "phone"  # not the summary: the phone was rejected too
    seller.type("07400 123456")
    assert seller.state == "review"
    assert EDITING not in seller.answers and REDO not in seller.answers
