"""Rejection reasons send the seller back to the first step they concern."""

from __future__ import annotations

import datetime as dt

import pytest

from flows.products import RULES
from flows.rejections import REASONS, REASONS_BY_CODE, reasons_for, return_step, steps_to_redo
from flows.steps import StepContext
from flows.tracks import REVIEW, TRACKS


def context(track: str, **rules: object) -> StepContext:
    return StepContext(answers={}, rules=rules, products=RULES[track], today=dt.date(2026, 12, 1))


def test_a_licence_and_a_phone_problem_go_back_to_the_licence_first() -> None:
    track = "uk_crossborder"
    assert return_step(track, ["phone", "scope"], context(track)) == "business_licence"


def test_a_name_mismatch_goes_back_to_the_company_name() -> None:
    assert return_step("uk_crossborder", ["name"], context("uk_crossborder")) == ("company_name")
    assert return_step("id_individual", ["name"], context("id_individual")) == "nik"


def test_no_step_concerned_means_back_to_the_summary() -> None:
    assert return_step("uk_individual", [], context("uk_individual")) == REVIEW


def test_a_step_the_cohort_skips_is_never_the_way_back() -> None:
    ctx = context("uk_crossborder", skip_steps=["invite_code"])
    assert return_step("uk_crossborder", ["phone"], ctx) == "phone"


@pytest.mark.parametrize("track", list(TRACKS))
def test_every_track_is_offered_reasons_that_concern_its_steps(track: str) -> None:
    offered = reasons_for(track, context(track))
    assert offered
    for reason in offered:
        assert return_step(track, [reason.code], context(track)) in {s.id for s in TRACKS[track]}


def test_reason_codes_are_unique_and_short_enough_for_callback_data() -> None:
    assert len(REASONS_BY_CODE) == len(REASONS)
    assert all(len(reason.code) <= 12 for reason in REASONS)


def test_each_reason_asks_its_own_step_again_in_track_order() -> None:
    track = "uk_crossborder"
    assert steps_to_redo(track, ["phone", "name"], context(track)) == ("company_name", "phone")
    assert steps_to_redo(track, [], context(track)) == ()
