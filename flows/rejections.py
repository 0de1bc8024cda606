"""Review (审核) as data: the common rejection reasons, and where each sends the seller back.

A reason names the steps it may concern; for each chosen reason the earliest of them, in
the seller's track order and asked by their track, is asked again. The seller goes back to
the first of those steps, keeping every answer, and the others wait in ``REDO`` so that
fixing one leads to the next before the summary (``flows.summary_step.forward``). A
free-text reason concerns no step: the seller returns to the summary, where they can pick
what to change.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flows.steps import N_, StepContext
from flows.tracks import REVIEW, TRACKS

_COMPANY = ("company_name", "uscc", "company_number", "nib")
_DOCUMENTS = (
    "business_licence",
    "incorporation_certificate",
    "legal_rep_id",
    "representative_id",
    "id_document",
    "selfie_with_id",
    "address_proof",
    "ktp_photo",
    "representative_ktp",
)


@dataclass(frozen=True)
class RejectionReason:
    """One common rejection: its message ids (admin's button, seller's sentence) and steps."""

    code: str
    button: str
    explanation: str
    steps: tuple[str, ...]


REASONS: tuple[RejectionReason, ...] = (
    RejectionReason(
        "name",
        N_("reason_button_name"),
        N_("reason_name"),
        (*_COMPANY, "id_document", "ktp_photo", "nik"),
    ),
    RejectionReason(
        "scope",
        N_("reason_button_scope"),
        N_("reason_scope"),
        ("business_licence", "products"),
    ),
    RejectionReason("expired", N_("reason_button_expired"), N_("reason_expired"), _DOCUMENTS),
    RejectionReason("blurry", N_("reason_button_blurry"), N_("reason_blurry"), _DOCUMENTS),
    RejectionReason("file_type", N_("reason_button_file_type"), N_("reason_file_type"), _DOCUMENTS),
    RejectionReason("phone", N_("reason_button_phone"), N_("reason_phone"), ("phone", "email")),
    RejectionReason("products", N_("reason_button_products"), N_("reason_products"), ("products",)),
)
REASONS_BY_CODE = {reason.code: reason for reason in REASONS}
ANSWER_KEY = "rejection_reasons"
"""Where the last rejection's reason codes are kept in the application's answers (the
funnel's top reasons count them; exports show them as a column)."""
MAX_FREE_TEXT = 500


def steps_to_redo(track: str, codes: Iterable[str], context: StepContext) -> tuple[str, ...]:
    """The steps a rejection asks again, one per reason (its earliest), in track order."""
    asked = [step.id for step in TRACKS[track] if step.applies(context)]
    chosen = set()
    for code in codes:
        concerned = REASONS_BY_CODE[code].steps
        first = next((step for step in asked if step in concerned), None)
        if first is not None:
            chosen.add(first)
    return tuple(step for step in asked if step in chosen)


def return_step(track: str, codes: Iterable[str], context: StepContext) -> str:
    """The step a rejected seller goes back to (``review`` when no step is concerned)."""
    redo = steps_to_redo(track, codes, context)
    return redo[0] if redo else REVIEW


def reasons_for(track: str, context: StepContext) -> tuple[RejectionReason, ...]:
    """The reasons that concern a step of this track (offered to the reviewing admin)."""
    asked = {step.id for step in TRACKS[track] if step.applies(context)}
    return tuple(reason for reason in REASONS if asked.intersection(reason.steps))
