"""Markets and tracks, declared as data.

Every track starts with the shared intake (language, market, track) and ends with the
review step. Which steps exist, in which order, with which tips, is all here; the
state machines in ``flows/machine.py`` are built from these tuples once.
"""

from __future__ import annotations

from collections.abc import Mapping

from flows import validators
from flows.steps import N_, Choice, FileRule, InputKind, Step, StepContext, plain

LANGUAGES: Mapping[str, str] = {"zh_Hans": "简体中文", "en": "English", "id": "Bahasa Indonesia"}
"""Locale folder name → the language's own name (button labels are never translated)."""

MARKETS: Mapping[str, str] = {"uk": N_("market_uk"), "id": N_("market_id")}
MARKET_OF_TRACK: Mapping[str, str] = {
    "uk_business": "uk",
    "uk_individual": "uk",
    "uk_crossborder": "uk",
    "id_individual": "id",
    "id_business": "id",
}
TRACK_NAMES: Mapping[str, str] = {
    "uk_business": N_("track_uk_business"),
    "uk_individual": N_("track_uk_individual"),
    "uk_crossborder": N_("track_uk_crossborder"),
    "id_individual": N_("track_id_individual"),
    "id_business": N_("track_id_business"),
}

REVIEW = "review"
SUBMITTED = "submitted"
APPROVED = "approved"
REJECTED = "rejected"
FINAL_STATES = (SUBMITTED, APPROVED, REJECTED)


def _date(raw: str, context: StepContext) -> str:
    return validators.past_date(raw, today=context.today).isoformat()


def _invite_code_required(context: StepContext) -> bool:
    return bool(context.rules.get("require_invite_code", True))


def _company_found(context: StepContext) -> bool:
    return bool(context.answers.get("company_registered_name"))


_DOCUMENT = FileRule(photo=True, pdf=True)
_PHOTO_ONLY = FileRule(photo=True, pdf=False)

INTAKE: tuple[Step, ...] = (
    Step(
        "language",
        N_("ask_language"),
        InputKind.CHOICE,
        choices=tuple(Choice(code, name) for code, name in LANGUAGES.items()),
    ),
    Step(
        "market",
        N_("ask_market"),
        InputKind.CHOICE,
        label=N_("label_market"),
        choices=tuple(Choice(code, name) for code, name in MARKETS.items()),
        tips=(N_("tip_market_choice"),),
    ),
    Step(
        "track",
        N_("ask_track"),
        InputKind.CHOICE,
        label=N_("label_track"),
        choices_by_market={
            market: tuple(
                Choice(track, TRACK_NAMES[track])
                for track, track_market in MARKET_OF_TRACK.items()
                if track_market == market
            )
            for market in MARKETS
        },
        tips_by_market={
            "uk": (N_("tip_track_choice"),),  # names the China/HK cross-border track
            "id": (N_("tip_track_choice_id"),),
        },
    ),
)


def _company_name(tips: tuple[str, ...], *, example: str) -> Step:
    return Step(
        "company_name",
        N_("ask_company_name"),
        InputKind.TEXT,
        label=N_("label_company_name"),
        validate=plain(validators.company_name),
        example=example,
        tips=tips,
    )


def _products(tips: tuple[str, ...]) -> Step:
    return Step(
        "products",
        N_("ask_products"),
        InputKind.PRODUCTS,
        label=N_("label_products"),
        tips=tips,
    )


_UK_PHONE = Step(
    "phone",
    N_("ask_uk_phone"),
    InputKind.TEXT,
    label=N_("label_phone"),
    validate=plain(validators.uk_mobile),
    example="07911 123456",
    tips=(N_("tip_uk_phone_unused"),),
)
_ID_PHONE = Step(
    "phone",
    N_("ask_id_phone"),
    InputKind.TEXT,
    label=N_("label_phone"),
    validate=plain(validators.id_mobile),
    example="0812-3456-7890",
    tips=(N_("tip_id_phone_unused"),),
)
_QUALIFICATION_TIPS = (N_("tip_document_clear"), N_("tip_document_format"))

TRACKS: Mapping[str, tuple[Step, ...]] = {
    "uk_business": (
        _company_name((N_("tip_uk_company_name_match"),), example="ACME TRADING LTD"),
        Step(
            "company_number",
            N_("ask_company_number"),
            InputKind.TEXT,
            label=N_("label_company_number"),
            validate=plain(validators.companies_house_number),
            example="SC123456",
            lookup="companies_house",
            resets=("company_confirm",),  # a new number names another company
            tips=(N_("tip_company_number_where"),),
        ),
        Step(
            "company_confirm",
            N_("ask_company_confirm"),
            InputKind.CONFIRM,
            choices=(Choice("yes", N_("button_yes")), Choice("no", N_("button_no"))),
            when=_company_found,
            when_label=N_("when_company_found"),
        ),
        Step(
            "incorporation_date",
            N_("ask_incorporation_date"),
            InputKind.TEXT,
            label=N_("label_incorporation_date"),
            validate=_date,
            example="14/03/2019",
        ),
        Step(
            "incorporation_certificate",
            N_("ask_incorporation_certificate"),
            InputKind.FILE,
            label=N_("label_incorporation_certificate"),
            file=_DOCUMENT,
            tips=_QUALIFICATION_TIPS,
        ),
        Step(
            "representative_id",
            N_("ask_representative_id"),
            InputKind.FILE,
            label=N_("label_representative_id"),
            file=_DOCUMENT,
            tips=(N_("tip_id_not_expired"), N_("tip_document_clear")),
        ),
        _UK_PHONE,
        _products((N_("tip_uk_prohibited"), N_("tip_product_images"))),
    ),
    "uk_individual": (
        Step(
            "id_document",
            N_("ask_id_document"),
            InputKind.FILE,
            label=N_("label_id_document"),
            file=_DOCUMENT,
            tips=(N_("tip_id_not_expired"), N_("tip_document_clear")),
        ),
        Step(
            "selfie_with_id",
            N_("ask_selfie_with_id"),
            InputKind.FILE,
            label=N_("label_selfie_with_id"),
            file=_PHOTO_ONLY,
            tips=(N_("tip_selfie"),),
        ),
        Step(
            "address_proof",
            N_("ask_address_proof"),
            InputKind.FILE,
            label=N_("label_address_proof"),
            file=_DOCUMENT,
            tips=(N_("tip_address_proof_recent"),),
        ),
        _UK_PHONE,
        _products((N_("tip_uk_prohibited"), N_("tip_product_images"))),
    ),
    "uk_crossborder": (
        _company_name(
            (N_("tip_cn_company_name_match"), N_("tip_licence_photo_first")),
            example="深圳市星辰云帆贸易有限公司",
        ),
        Step(
            "uscc",
            N_("ask_uscc"),
            InputKind.TEXT,
            label=N_("label_uscc"),
            validate=plain(validators.uscc),
            example="91110000802100433B",
            tips=(N_("tip_uscc_where"), N_("tip_licence_photo_first")),
        ),
        Step(
            "business_licence",
            N_("ask_business_licence"),
            InputKind.FILE,
            label=N_("label_business_licence"),
            file=_DOCUMENT,
            tips=(N_("tip_licence_scope"), *_QUALIFICATION_TIPS),
            reads="licence",
        ),
        Step(
            "legal_rep_id",
            N_("ask_legal_rep_id"),
            InputKind.FILE,
            label=N_("label_legal_rep_id"),
            file=_DOCUMENT,
            tips=(N_("tip_id_not_expired"), N_("tip_document_clear")),
        ),
        Step(
            "invite_code",
            N_("ask_invite_code"),
            InputKind.TEXT,
            label=N_("label_invite_code"),
            validate=plain(validators.invite_code_format),
            example="XXXX-XXXX",  # a shape: a real code would be refused once used up
            lookup="invite_code",
            when=_invite_code_required,
            when_label=N_("when_invite_code_required"),
            tips=(N_("tip_invite_code_private"),),
        ),
        Step(
            "phone",
            N_("ask_uk_phone_crossborder"),
            InputKind.TEXT,
            label=N_("label_phone"),
            validate=plain(validators.uk_mobile),
            example="07911 123456",
            tips=(N_("tip_uk_sim_order"), N_("tip_uk_sim_keep_alive")),
        ),
        Step(
            "email",
            N_("ask_email"),
            InputKind.TEXT,
            label=N_("label_email"),
            validate=plain(validators.email),
            example="shop@example.com",
            tips=(N_("tip_email_unused"),),
        ),
        _products((N_("tip_crossborder_price_cap"), N_("tip_title_no_chinese"))),
    ),
    "id_individual": (
        Step(
            "nik",
            N_("ask_nik"),
            InputKind.TEXT,
            label=N_("label_nik"),
            validate=plain(validators.nik),
            example="3174055012900001",
            tips=(N_("tip_nik_where"), N_("tip_ktp_photo_first")),
        ),
        Step(
            "tax_id",
            N_("ask_tax_id"),
            InputKind.TEXT,
            label=N_("label_tax_id"),
            validate=plain(validators.individual_tax_id),
            example="01.855.081.4-412.000",
            tips=(N_("tip_tax_pph22"),),
        ),
        Step(
            "ktp_photo",
            N_("ask_ktp_photo"),
            InputKind.FILE,
            label=N_("label_ktp_photo"),
            file=_PHOTO_ONLY,
            tips=(N_("tip_document_clear"),),
            reads="ktp",
        ),
        _ID_PHONE,
        _products((N_("tip_id_whole_rupiah"), N_("tip_id_cod"))),
    ),
    "id_business": (
        _company_name((N_("tip_id_company_name_match"),), example="PT Maju Jaya Abadi"),
        Step(
            "nib",
            N_("ask_nib"),
            InputKind.TEXT,
            label=N_("label_nib"),
            validate=plain(validators.nib),
            example="9120001234567",
            tips=(N_("tip_nib_where"),),
        ),
        Step(
            "company_npwp",
            N_("ask_company_npwp"),
            InputKind.TEXT,
            label=N_("label_company_npwp"),
            validate=plain(validators.npwp),
            example="01.855.081.4-412.000",
        ),
        Step(
            "representative_ktp",
            N_("ask_representative_ktp"),
            InputKind.FILE,
            label=N_("label_representative_ktp"),
            file=_PHOTO_ONLY,
            tips=(N_("tip_document_clear"),),
        ),
        _ID_PHONE,
        _products((N_("tip_id_whole_rupiah"), N_("tip_id_cod"))),
    ),
}


def track_steps(track: str) -> tuple[Step, ...]:
    """The intake followed by the track's own steps (the review step is not a ``Step``)."""
    return INTAKE + TRACKS[track]


_STEPS_BY_ID: dict[str | None, dict[str, Step]] = {
    track: {step.id: step for step in (INTAKE if track is None else track_steps(track))}
    for track in (None, *TRACKS)
}
"""Every step by id, per track (``None``: the intake), built once: the flow asks on every
answer, several times."""


def find_step(track: str | None, step_id: str) -> Step | None:
    """The step called ``step_id`` in a track (or in the intake when no track is chosen)."""
    steps = _STEPS_BY_ID.get(track)
    if steps is None:
        raise KeyError(track)  # as ``TRACKS[track]`` would: an unknown track is a bug
    return steps.get(step_id)
