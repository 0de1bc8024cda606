"""Review (审核) as data: the common rejection reasons, and where each sends the seller back.

A reason names the steps it may concern, most specific first; the seller goes back to the
earliest step, in their track's order, that any chosen reason concerns and that their
track asks, keeping every answer. A free-text reason concerns no step: the seller returns
to the summary, where they can pick what to change.
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


def return_step(track: str, codes: Iterable[str], context: StepContext) -> str:
    """The step a rejected seller goes back to (``review`` when no step is concerned)."""
    concerned = {step for code in codes for step in REASONS_BY_CODE[code].steps}
    for step in TRACKS[track]:
        if step.id in concerned and step.applies(context):
            return step.id
    return REVIEW


def reasons_for(track: str, context: StepContext) -> tuple[RejectionReason, ...]:
    """The reasons that concern a step of this track (offered to the reviewing admin)."""
    asked = {step.id for step in TRACKS[track] if step.applies(context)}
    return tuple(reason for reason in REASONS if asked.intersection(reason.steps))
