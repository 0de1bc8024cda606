"""Names of states and triggers in the reader's language, shared by the pictures and charts."""

from __future__ import annotations

from collections.abc import Mapping

from bot.platform.i18n import Translator
from flows.steps import N_
from flows.tracks import (
    APPROVED,
    REJECTED,
    REVIEW,
    SUBMITTED,
    TRACK_NAMES,
    TRACKS,
    find_step,
    track_steps,
)

STATE_NAMES: Mapping[str, str] = {
    "language": N_("flow_state_language"),
    "company_confirm": N_("flow_state_company_confirm"),
    REVIEW: N_("flow_state_review"),
    SUBMITTED: N_("flow_state_submitted"),
    APPROVED: N_("flow_state_approved"),
    REJECTED: N_("flow_state_rejected"),
}
"""States without a summary label of their own (steps use their ``label``)."""

TRIGGER_NAMES: Mapping[str, str] = {
    "submit": N_("flow_trigger_submit"),
    "approve": N_("flow_trigger_approve"),
    "reject": N_("flow_trigger_reject"),
    "reopen": N_("flow_trigger_reopen"),
}
"""Triggers worth a word on their edge; one not listed is shown by its own name."""


def state_label(track: str | None, state: str, t: Translator) -> str:
    """A state's name: the step's summary label, else the state's own, else the label of a
    step of that name in any track, else its id."""
    step = find_step(track, state)
    if step is not None and step.label:
        return t(step.label)
    msgid = STATE_NAMES.get(state)
    if msgid:
        return t(msgid)
    label = _ANY_TRACK_LABELS.get(state)  # a step named without its track (audit, rules)
    return t(label) if label else state


_ANY_TRACK_LABELS: Mapping[str, str] = {
    step.id: step.label for track in TRACKS for step in track_steps(track) if step.label
}


def trigger_label(trigger: str, t: Translator) -> str:
    msgid = TRIGGER_NAMES.get(trigger)
    return t(msgid) if msgid else trigger


def track_label(track: str | None, t: Translator) -> str:
    return t(TRACK_NAMES[track]) if track else t("flow_intake")
