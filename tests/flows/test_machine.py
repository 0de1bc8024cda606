"""The shared state machines: one per track, built from the track's data, safe to share."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Mapping
from typing import Any

import pytest

from flows.machine import FlowMachine, machine_for
from flows.products import RULES
from flows.progress import Progress
from flows.steps import StepContext
from flows.tracks import INTAKE, TRACKS

ALL_TRACKS = tuple(TRACKS)
CLOSING = ("review", "submitted", "approved", "rejected")


def context(
    track: str = "uk_business",
    answers: Mapping[str, Any] | None = None,
    **rules: Any,
) -> StepContext:
    return StepContext(
        answers=answers or {}, rules=rules, products=RULES[track], today=dt.date(2026, 3, 2)
    )


def fired(
    trigger: str, track: str | None, state: str, ctx: StepContext | None = None
) -> tuple[bool, str]:
    """(whether ``trigger`` moved a fresh progress at ``state``, where it ended)."""
    progress = Progress(track, state)
    moved = machine_for(track).fire(trigger, progress, ctx or context())
    return moved, progress.state


# --- built once, from the data -----------------------------------------------------


@pytest.mark.parametrize("track", [*ALL_TRACKS, None])
def test_each_machine_is_built_once_and_shared(track: str | None) -> None:
    assert machine_for(track) is machine_for(track)


def test_every_track_has_its_own_machine() -> None:
    machines = {id(machine_for(track)) for track in (*ALL_TRACKS, None)}
    assert len(machines) == len(ALL_TRACKS) + 1


@pytest.mark.parametrize("track", ALL_TRACKS)
def test_track_states_are_the_intake_then_the_tracks_steps_then_review_and_decisions(
    track: str,
) -> None:
    expected = ("language", "market", "track", *(s.id for s in TRACKS[track]), *CLOSING)
    machine = machine_for(track)
    assert machine.states == expected
    assert tuple(machine.machine.states) == expected


def test_intake_machine_has_only_the_intake_steps() -> None:
    assert machine_for(None).states == tuple(step.id for step in INTAKE)


def test_machine_built_from_new_step_data_follows_that_data() -> None:
    machine = FlowMachine(INTAKE[:2], closing=None)
    progress = Progress(None, "language")
    assert machine.states == ("language", "market")
    assert machine.fire("answer", progress, context())
    assert progress.state == "market"


# --- firing ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("trigger", "state"),
    [
        ("answer", "phone"),  # moves
        ("submit", "phone"),  # declared, but not from here
        ("back", "language"),  # nothing before the first step
        ("approve", "review"),
    ],
)
def test_shared_machine_holds_no_seller_after_a_trigger(trigger: str, state: str) -> None:
    machine = machine_for("uk_business")
    machine.fire(trigger, Progress("uk_business", state), context())
    assert not any(isinstance(model, Progress) for model in machine.machine.models)


@pytest.mark.parametrize(
    ("trigger", "state"),
    [
        ("submit", "phone"),
        ("approve", "review"),
        ("reject", "products"),
        ("reopen", "submitted"),
        ("back", "language"),
        ("answer", "submitted"),
    ],
)
def test_refused_trigger_returns_false_and_leaves_the_state(trigger: str, state: str) -> None:
    assert fired(trigger, "uk_business", state) == (False, state)


def test_trigger_the_intake_does_not_declare_is_refused_like_any_other() -> None:
    assert fired("submit", None, "track") == (False, "track")


@pytest.mark.parametrize(
    ("trigger", "state", "after"),
    [
        ("submit", "review", "submitted"),
        ("approve", "submitted", "approved"),
        ("reject", "submitted", "rejected"),
        ("reopen", "rejected", "review"),
        ("back", "review", "products"),
        ("answer", "products", "review"),
    ],
)
def test_review_and_decisions_follow_the_products_step(
    trigger: str, state: str, after: str
) -> None:
    assert fired(trigger, "id_business", state) == (True, after)


# --- optional steps ----------------------------------------------------------------


def test_company_confirm_is_asked_when_companies_house_gave_a_registered_name() -> None:
    found = context(answers={"company_registered_name": "ACME TRADING LTD"})
    assert fired("answer", "uk_business", "company_number", found) == (True, "company_confirm")


def test_company_confirm_is_skipped_when_no_registered_name_is_known() -> None:
    assert fired("answer", "uk_business", "company_number") == (True, "incorporation_date")


def test_uk_cross_border_seller_is_asked_an_invite_code_by_default() -> None:
    assert fired("answer", "uk_crossborder", "legal_rep_id") == (True, "invite_code")


def test_cohort_without_invite_codes_goes_from_legal_rep_id_straight_to_phone() -> None:
    no_codes = context("uk_crossborder", require_invite_code=False)
    assert fired("answer", "uk_crossborder", "legal_rep_id", no_codes) == (True, "phone")


def test_cohort_skip_steps_rule_removes_a_step() -> None:
    no_email = context("uk_crossborder", skip_steps=("email",))
    assert fired("answer", "uk_crossborder", "phone", no_email) == (True, "products")


@pytest.mark.parametrize(
    ("track", "state", "ctx", "previous"),
    [
        ("uk_business", "incorporation_date", context(), "company_number"),
        (
            "uk_business",
            "incorporation_date",
            context(answers={"company_registered_name": "ACME TRADING LTD"}),
            "company_confirm",
        ),
        ("uk_crossborder", "phone", context(require_invite_code=False), "legal_rep_id"),
        ("uk_crossborder", "products", context(skip_steps=("email", "phone")), "invite_code"),
        ("id_business", "review", context(skip_steps=("products",)), "phone"),
    ],
)
def test_back_skips_steps_that_do_not_apply(
    track: str, state: str, ctx: StepContext, previous: str
) -> None:
    assert fired("back", track, state, ctx) == (True, previous)


def test_back_from_a_tracks_first_step_returns_to_the_track_choice() -> None:
    assert fired("back", "id_individual", "nik") == (True, "track")


# --- one machine, many threads -----------------------------------------------------


def test_concurrent_triggers_on_one_machine_move_every_seller_to_its_own_next_step() -> None:
    machine = machine_for("uk_crossborder")
    with_codes, without_codes = (
        context("uk_crossborder"),
        context("uk_crossborder", require_invite_code=False),
    )
    threads, per_thread = 8, 200
    sellers = [
        [Progress("uk_crossborder", "legal_rep_id") for _ in range(per_thread)]
        for _ in range(threads)
    ]
    start = threading.Barrier(threads)
    failures: list[BaseException] = []

    def run(index: int) -> None:
        try:
            start.wait()
            for n, progress in enumerate(sellers[index]):
                ctx = with_codes if (index + n) % 2 else without_codes
                assert machine.fire("answer", progress, ctx)
        except BaseException as error:  # surfaced below: a thread's assert is silent
            failures.append(error)

    workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert failures == []
    states = [[progress.state for progress in row] for row in sellers]
    expected = [
        ["invite_code" if (index + n) % 2 else "phone" for n in range(per_thread)]
        for index in range(threads)
    ]
    assert states == expected
    assert not any(isinstance(model, Progress) for model in machine.machine.models)
