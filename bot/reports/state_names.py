"""Names of states and triggers in the reader's language, shared by the pictures and charts."""

from __future__ import annotations

from collections.abc import Mapping

from bot.platform.i18n import Translator
from flows.steps import N_
from flows.tracks import APPROVED, REJECTED, REVIEW, SUBMITTED, TRACK_NAMES, find_step

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
    """A state's name: the step's summary label, else the state's own, else its id."""
    step = find_step(track, state)
    if step is not None and step.label:
        return t(step.label)
    msgid = STATE_NAMES.get(state)
    return t(msgid) if msgid else state


def trigger_label(trigger: str, t: Translator) -> str:
    msgid = TRIGGER_NAMES.get(trigger)
    return t(msgid) if msgid else trigger


def track_label(track: str | None, t: Translator) -> str:
    return t(TRACK_NAMES[track]) if track else t("flow_intake")
