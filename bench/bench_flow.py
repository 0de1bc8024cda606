"""The domain alone: one answer through the shared machine vs a machine per seller.

Baseline: building a ``transitions.Machine`` for the seller on every update (what the
design rules out); measured: ``advance`` with the track's machine built once.
"""

from __future__ import annotations

import datetime as dt

from transitions import Machine

from bench.timing import per_call, report
from flows.answers import TextAnswer
from flows.engine import advance, prompt
from flows.machine import _transitions
from flows.progress import CompanyCheck, FlowEnv, Progress
from flows.tracks import track_steps


class _NoLookups:
    def company(self, number: str) -> CompanyCheck:
        return CompanyCheck("skipped")

    def redeem_invite_code(self, code: str, *, market: str) -> None:
        return None

    def check_unique(self, field: str, value: str) -> None:
        return None


ENV = FlowEnv(lookups=_NoLookups(), today=dt.date(2026, 11, 25))
AT_PHONE = Progress(
    "uk_crossborder", "phone", {"language": "en", "market": "uk", "track": "uk_crossborder"}
)


def _machine_per_seller() -> None:
    steps = track_steps("uk_crossborder")
    states = [s.id for s in steps] + ["review", "submitted", "approved", "rejected"]
    progress = AT_PHONE.copy()
    machine = Machine(
        model=progress,
        states=states,
        initial="phone",
        send_event=True,
        transitions=_transitions(steps, closing="review"),
        auto_transitions=False,
    )
    machine.events["answer"].trigger(progress, context=ENV.context(progress))


def _shared_machine() -> None:
    outcome = advance(AT_PHONE, TextAnswer("07400 123456"), ENV)
    assert outcome.accepted


def _shared_machine_with_prompt() -> None:
    outcome = advance(AT_PHONE, TextAnswer("07400 123456"), ENV)
    prompt(outcome.progress, ENV)


def main() -> None:
    print("flows: one valid answer (UK phone) on the cross-border track")
    baseline = per_call(_machine_per_seller, calls=300)
    report("baseline: Machine() built per seller + trigger", baseline)
    shared = per_call(_shared_machine, calls=2000)
    report("advance(): shared machine, validate + copy + trigger", shared, baseline, "baseline")
    full = per_call(_shared_machine_with_prompt, calls=2000)
    report("advance() + prompt()", full, baseline, "baseline")
