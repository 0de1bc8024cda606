"""The flow engine: ``advance``, ``go_back``, ``prompt``, ``prompt_key`` and ``active_steps``.

Sellers are walked with real, valid identifiers (``conftest.SCRIPTS``); every refused
answer is checked to leave the seller's progress exactly as it was.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from flows.answers import Answer, ChoiceAnswer, FileAnswer, TextAnswer
from flows.bulk import BulkResult, parse_product_file
from flows.engine import active_steps, advance, prompt, prompt_key
from flows.errors import StaleAnswer
from flows.products import RULES
from flows.progress import CompanyCheck, Progress, Say
from flows.steps import InputKind
from flows.tracks import INTAKE, TRACKS, find_step, track_steps

if TYPE_CHECKING:
    from tests.flows.conftest import FakeLookups, NewSeller

ALL_TRACKS = tuple(TRACKS)
MB = 1024 * 1024

PRODUCT_FILES = {
    "GBP": (
        b"title,price,image_urls,length_cm,width_cm,height_cm,weight_kg\n"
        b"Linen Tea Towel Set of 3,8.50,https://example.com/towel.jpg,30,20,3,0.3\n"
    ),
    "IDR": (
        b"title,price,image_urls\n"
        b"Sambal Bawang Pedas Homemade 250 gram,35000,https://example.com/sambal.jpg\n"
    ),
}

UK_PHONE, ID_PHONE = "+447400123456", "+6281234567890"
EXPECTED_ANSWERS: dict[str, dict[str, Any]] = {
    "uk_business": {
        "market": "uk",
        "company_name": "ACME Trading Ltd",
        "company_number": "SC123456",
        "company_registered_name": "ACME TRADING LTD",
        "company_confirm": "yes",
        "incorporation_date": "2019-03-14",
        "phone": UK_PHONE,
    },
    "uk_individual": {"market": "uk", "phone": UK_PHONE},
    "uk_crossborder": {
        "market": "uk",
        "company_name": "Shenzhen Acme Trading Co., Ltd.",
        "uscc": "91110000802100433B",
        "invite_code": "TTS-UK-2026",
        "phone": UK_PHONE,
        "email": "Shop@example.com",
    },
    "id_individual": {
        "market": "id",
        "nik": "3171015708450001",
        "tax_id": "013121660091000",
        "phone": ID_PHONE,
    },
    "id_business": {
        "market": "id",
        "company_name": "PT Maju Bersama Sejahtera",
        "nib": "9120001234567",
        "company_npwp": "0013121660091000",
        "phone": ID_PHONE,
    },
}


def document(file_name: str, mime_type: str, size: int = 250_000) -> FileAnswer:
    return FileAnswer("doc-1", "u-doc-1", "document", mime_type, size, file_name)


# --- whole walks -------------------------------------------------------------------


@pytest.mark.parametrize("track", ALL_TRACKS)
def test_every_track_walks_from_language_to_submitted(track: str, new_seller: NewSeller) -> None:
    seller = new_seller(track, at="products")
    rules = RULES[track]
    seller.add_product()
    bulk = parse_product_file(PRODUCT_FILES[rules.currency], "products.csv", rules)
    assert bulk.errors == ()

    added = seller.send(bulk)
    seller.tap("done")
    assert seller.state == "review"
    submitted = seller.tap("submit")

    assert (seller.progress.track, seller.state) == (track, "submitted")
    assert added.say == (Say("products_added", {"count": 1, "total": 2}),)
    assert submitted.saved == {"submitted": True}
    assert submitted.say == (Say("submitted_next"),)
    expected = {"language": "en", "track": track, **EXPECTED_ANSWERS[track]}
    assert {key: seller.answers[key] for key in expected} == expected
    assert [p["currency"] for p in seller.answers["products"]] == [rules.currency] * 2
    for step in TRACKS[track]:
        if step.kind is InputKind.FILE:
            assert seller.answers[step.id]["file_id"].startswith(("photo-", "doc-"))


@pytest.mark.parametrize("track", ALL_TRACKS)
def test_position_grows_step_by_step_and_review_is_the_last_of_all(
    track: str, new_seller: NewSeller
) -> None:
    seller = new_seller(track, at="submitted")
    shown = [
        (p.key, p.position)
        for p in seller.prompts
        if p.position is not None and p.position_label == "progress_step"
    ]
    total = len(TRACKS[track]) + 1  # every step applies on this walk, then review
    numbers = [n for _, (n, _of) in shown]

    assert numbers == sorted(numbers)  # never a step backwards
    assert sorted(set(numbers)) == list(range(1, total + 1))  # every position shown, none skipped
    assert shown[-1] == ("review", (total, total))
    assert all(n <= of for _, (n, of) in shown)


@pytest.mark.parametrize("track", ALL_TRACKS)
def test_every_prompt_along_the_walk_asks_its_step_with_the_steps_tips(
    track: str, new_seller: NewSeller
) -> None:
    seller = new_seller(track, at="review")
    asked = [p for p in seller.prompts if p.key != "review" and "." not in p.key]
    assert asked, "no step prompts recorded"
    for shown in asked:
        step = find_step(track, shown.key)
        assert step is not None
        assert shown.say[0].msgid == step.ask
        assert shown.tips == step.tips_for(seller.answers)
        assert shown.kind is step.kind


# --- refused answers change nothing ------------------------------------------------


@pytest.mark.parametrize(
    ("track", "state", "answer", "code"),
    [
        ("uk_business", "market", TextAnswer("UK"), "error_use_buttons"),
        ("uk_business", "track", ChoiceAnswer("track", "ltd"), "error_use_buttons"),
        ("uk_business", "company_name", TextAnswer("!"), "error_company_name"),
        ("uk_business", "company_number", TextAnswer("SC12345"), "error_ch_number"),
        ("uk_business", "company_confirm", TextAnswer("yes"), "error_use_buttons"),
        ("uk_business", "incorporation_date", TextAnswer("14/03/2099"), "error_date_future"),
        ("uk_business", "incorporation_date", TextAnswer("sometime"), "error_date_format"),
        (
            "uk_business",
            "incorporation_certificate",
            document("products.csv", "text/csv"),
            "error_file_type_pdf",
        ),
        ("uk_business", "incorporation_certificate", TextAnswer("sent"), "error_expected_file"),
        ("uk_business", "phone", TextAnswer("+86 138 0013 8000"), "error_uk_mobile_foreign"),
        ("uk_business", "phone", TextAnswer("020 7946 0000"), "error_uk_mobile"),
        ("uk_business", "phone", BulkResult(), "error_expected_text"),
        (
            "uk_individual",
            "selfie_with_id",
            document("me.pdf", "application/pdf"),
            "error_file_type_photo",
        ),
        ("uk_crossborder", "uscc", TextAnswer("91110000802100433C"), "error_uscc_check"),
        ("uk_crossborder", "invite_code", TextAnswer("07400 123456"), "error_invite_code_format"),
        ("uk_crossborder", "email", TextAnswer("shop@"), "error_email"),
        ("id_individual", "nik", TextAnswer("3171013208450001"), "error_nik_date"),  # day 32
        ("id_individual", "tax_id", TextAnswer("01.312.166.1-091.000"), "error_tax_id"),
        (
            "id_individual",
            "ktp_photo",
            document("ktp.pdf", "application/pdf"),
            "error_file_type_photo",
        ),
        ("id_individual", "phone", TextAnswer("07400 123456"), "error_id_mobile"),
        ("id_business", "nib", TextAnswer("912000123456"), "error_nib"),
        ("id_business", "company_npwp", TextAnswer("0013121661091000"), "error_npwp"),
        ("id_business", "products", TextAnswer("done"), "error_products_use_buttons"),
        ("id_business", "review", TextAnswer("submit"), "error_use_buttons"),
    ],
)
def test_wrong_answer_is_refused_with_its_code_and_changes_nothing(
    track: str, state: str, answer: Answer | BulkResult, code: str, new_seller: NewSeller
) -> None:
    error = new_seller(track, at=state).refused(answer).error
    assert error is not None
    assert error.code == code


@pytest.mark.parametrize(
    ("track", "state"),
    [("uk_business", "incorporation_certificate"), ("id_business", "representative_ktp")],
)
def test_file_over_the_download_limit_is_refused(
    track: str, state: str, new_seller: NewSeller
) -> None:
    seller = new_seller(track, at=state)
    too_big = FileAnswer("big", "u-big", "photo", "image/jpeg", 20 * MB + 1, "", 4000, 3000)

    error = seller.refused(too_big).error

    assert error is not None
    assert (error.code, dict(error.params)) == ("error_file_too_large", {"max_mb": 20})


def test_file_at_the_limit_is_taken(new_seller: NewSeller) -> None:
    seller = new_seller("uk_business", at="incorporation_certificate")
    seller.send(document("certificate.pdf", "application/pdf", size=20 * MB))
    assert seller.state == "representative_id"


def test_image_sent_as_a_document_counts_as_a_photo(new_seller: NewSeller) -> None:
    seller = new_seller("id_individual", at="ktp_photo")
    seller.send(document("ktp.png", "image/png"))
    assert seller.answers["ktp_photo"]["mime_type"] == "image/png"


def test_button_of_an_earlier_step_is_a_stale_answer(new_seller: NewSeller) -> None:
    seller = new_seller("uk_business", at="track")
    before = seller.progress.copy()
    with pytest.raises(StaleAnswer):
        advance(seller.progress, ChoiceAnswer("market", "id"), seller.env)
    assert seller.progress == before


def test_review_button_pressed_at_the_products_step_is_stale(new_seller: NewSeller) -> None:
    seller = new_seller("id_individual", at="products")
    with pytest.raises(StaleAnswer):
        advance(seller.progress, ChoiceAnswer("review", "submit"), seller.env)


# --- the intake --------------------------------------------------------------------


def test_language_is_asked_first_with_every_language(new_seller: NewSeller) -> None:
    asked = prompt(new_seller().progress, new_seller().env)
    assert (asked.key, asked.kind) == ("language", InputKind.CHOICE)
    assert [c.value for c in asked.choices] == ["zh_Hans", "en", "id"]
    assert (asked.position, asked.position_label) == ((1, 3), "progress_intake")


@pytest.mark.parametrize(
    ("market", "tracks"),
    [
        ("uk", ["uk_business", "uk_individual", "uk_crossborder"]),
        ("id", ["id_individual", "id_business"]),
    ],
)
def test_track_choices_are_the_chosen_markets_tracks(
    market: str, tracks: list[str], new_seller: NewSeller
) -> None:
    seller = new_seller()
    seller.tap("en")
    seller.tap(market)
    assert [c.value for c in seller.prompts[-1].choices] == tracks


def test_indonesian_market_then_a_uk_track_is_refused(new_seller: NewSeller) -> None:
    seller = new_seller()
    seller.tap("id")  # language
    seller.tap("id")  # market
    error = seller.refused(ChoiceAnswer("track", "uk_crossborder")).error
    assert error is not None
    assert error.code == "error_use_buttons"
    assert seller.progress.track is None


def test_choosing_a_track_sets_it_and_moves_to_its_first_step(new_seller: NewSeller) -> None:
    seller = new_seller("id_business", at="track")
    outcome = seller.tap("id_business")
    assert (seller.progress.track, seller.state) == ("id_business", "company_name")
    assert outcome.saved == {"track": "id_business"}


# --- invite codes ------------------------------------------------------------------


def test_uk_cross_border_seller_without_invite_code_cannot_reach_phone_step(
    new_seller: NewSeller,
) -> None:
    seller = new_seller("uk_crossborder", at="invite_code")
    seller.refused(TextAnswer("07400 123456"))
    seller.refused(ChoiceAnswer("invite_code", "skip"))
    assert seller.state == "invite_code"


def test_invite_code_is_redeemed_once_even_when_entered_again_after_going_back(
    new_seller: NewSeller, lookups: FakeLookups
) -> None:
    seller = new_seller("uk_crossborder", at="invite_code")
    seller.type("TTS-UK-2026")
    seller.back()
    assert seller.state == "invite_code"
    seller.type("tts-uk-2026")

    assert seller.state == "phone"
    assert lookups.redeemed == [("TTS-UK-2026", "uk")]


def test_invite_code_that_cannot_be_redeemed_refuses_the_answer(
    new_seller: NewSeller, lookups: FakeLookups
) -> None:
    lookups.refused_codes["TTS-UK-2025"] = "error_invite_code_expired"
    seller = new_seller("uk_crossborder", at="invite_code")

    error = seller.refused(TextAnswer("TTS-UK-2025")).error

    assert error is not None
    assert error.code == "error_invite_code_expired"
    assert lookups.redeemed == [("TTS-UK-2025", "uk")]


def test_badly_formed_invite_code_is_never_looked_up(
    new_seller: NewSeller, lookups: FakeLookups
) -> None:
    seller = new_seller("uk_crossborder", at="invite_code")
    seller.refused(TextAnswer("TTS UK 2026!"))
    assert lookups.redeemed == []


def test_cohort_without_invite_codes_never_asks_or_redeems_one(
    new_seller: NewSeller, lookups: FakeLookups
) -> None:
    seller = new_seller("uk_crossborder", at="legal_rep_id", rules={"require_invite_code": False})
    seller.send(FileAnswer("p", "u-p", "photo", "image/jpeg", 90_000, "", 1280, 960))

    assert seller.state == "phone"
    assert "invite_code" not in [s.id for s in active_steps(seller.progress, seller.env)]
    assert lookups.redeemed == []


# --- Companies House ---------------------------------------------------------------


def test_active_company_found_asks_to_confirm_its_registered_name(
    new_seller: NewSeller,
) -> None:
    seller = new_seller("uk_business", at="company_number")
    seller.type("SC123456")

    asked = seller.prompts[-1]
    assert seller.state == "company_confirm"
    assert asked.say == (Say("ask_company_confirm", {"name": "ACME TRADING LTD"}),)
    assert [c.value for c in asked.choices] == ["yes", "no"]
    assert seller.answers["company_registered_name"] == "ACME TRADING LTD"


def test_denying_the_registered_name_returns_to_the_number_and_forgets_the_name(
    new_seller: NewSeller,
) -> None:
    seller = new_seller("uk_business", at="company_confirm")

    outcome = seller.tap("no")

    assert seller.state == "company_number"
    assert "company_registered_name" not in seller.answers
    assert outcome.saved == {"company_confirm": None}


def test_short_england_and_wales_number_is_looked_up_padded_to_eight_digits(
    new_seller: NewSeller, lookups: FakeLookups
) -> None:
    seller = new_seller("uk_business", at="company_number")
    seller.type("1234567")
    assert lookups.company_calls == ["01234567"]


@pytest.mark.parametrize(
    ("check", "code", "params"),
    [
        (CompanyCheck("not_found"), "error_ch_not_found", {"number": "SC123456"}),
        (
            CompanyCheck("found", "ACME TRADING LTD", "dissolved"),
            "error_ch_not_active",
            {"status": "dissolved"},
        ),
    ],
)
def test_company_unknown_or_not_active_is_refused(
    check: CompanyCheck,
    code: str,
    params: dict[str, str],
    new_seller: NewSeller,
    lookups: FakeLookups,
) -> None:
    lookups.companies["SC123456"] = check
    seller = new_seller("uk_business", at="company_number")

    error = seller.refused(TextAnswer("SC123456")).error

    assert error is not None
    assert (error.code, dict(error.params)) == (code, params)


def test_unknown_number_after_going_back_from_the_confirm_step_changes_nothing(
    new_seller: NewSeller, lookups: FakeLookups
) -> None:
    lookups.companies["SC654321"] = CompanyCheck("not_found")
    seller = new_seller("uk_business", at="company_confirm")
    seller.back()
    assert seller.answers["company_registered_name"] == "ACME TRADING LTD"

    seller.refused(TextAnswer("SC654321"))

    assert seller.answers["company_registered_name"] == "ACME TRADING LTD"


def test_companies_house_unavailable_takes_the_number_with_a_notice_and_no_confirm(
    new_seller: NewSeller, lookups: FakeLookups
) -> None:
    lookups.companies["SC123456"] = CompanyCheck("unavailable")
    seller = new_seller("uk_business", at="company_number")

    outcome = seller.type("SC123456")

    assert outcome.say == (Say("notice_ch_unavailable"),)
    assert outcome.saved == {"company_number": "SC123456"}
    assert seller.state == "incorporation_date"
    assert "company_registered_name" not in seller.answers


def test_companies_house_check_skipped_checks_the_format_only(
    new_seller: NewSeller, lookups: FakeLookups
) -> None:
    lookups.companies["NI654321"] = CompanyCheck("skipped")
    seller = new_seller("uk_business", at="company_number")

    seller.refused(TextAnswer("NI65432"))
    outcome = seller.type("ni 654321")

    assert outcome.say == ()
    assert seller.state == "incorporation_date"
    assert lookups.company_calls == ["NI654321"]


def test_back_from_the_date_skips_the_confirm_step_when_no_name_was_found(
    new_seller: NewSeller, lookups: FakeLookups
) -> None:
    lookups.companies["SC123456"] = CompanyCheck("unavailable")
    seller = new_seller("uk_business", at="incorporation_date")
    seller.back()
    assert seller.state == "company_number"


# --- going back --------------------------------------------------------------------


def test_going_back_through_the_intake_forgets_the_track_but_keeps_the_answers(
    new_seller: NewSeller,
) -> None:
    seller = new_seller("uk_crossborder", at="uscc")
    seller.back()
    assert (seller.state, seller.progress.track) == ("company_name", "uk_crossborder")
    seller.back()
    assert (seller.state, seller.progress.track) == ("track", "uk_crossborder")
    seller.back()
    assert (seller.state, seller.progress.track) == ("market", None)
    seller.back()
    assert (seller.state, seller.progress.track) == ("language", None)
    assert seller.answers["company_name"] == "Shenzhen Acme Trading Co., Ltd."

    error = seller.refused_back().error
    assert error is not None
    assert error.code == "error_nothing_before"


def test_track_choice_after_going_back_to_it_starts_the_new_track(
    new_seller: NewSeller,
) -> None:
    seller = new_seller("uk_business", at="company_name")
    seller.back()
    seller.tap("uk_individual")
    assert (seller.progress.track, seller.state) == ("uk_individual", "id_document")


def test_review_edit_can_pick_the_products_step_and_come_back(new_seller: NewSeller) -> None:
    seller = new_seller("id_individual", at="review")
    seller.tap("edit")
    assert (seller.state, prompt_key(seller.progress)) == ("review", "review.edit")
    seller.tap("products")
    assert seller.state == "products"
    seller.tap("done")
    assert seller.state == "review"


def test_back_from_review_returns_to_the_products_step(new_seller: NewSeller) -> None:
    seller = new_seller("uk_individual", at="review")
    seller.back()
    assert seller.state == "products"


# --- review and after ---------------------------------------------------------------


@pytest.mark.parametrize("track", ALL_TRACKS)
def test_review_offers_submit_and_edit_as_the_last_position(
    track: str, new_seller: NewSeller
) -> None:
    seller = new_seller(track, at="review")
    asked = prompt(seller.progress, seller.env)
    total = len(active_steps(seller.progress, seller.env)) + 1
    assert (asked.key, asked.say) == ("review", (Say("ask_review"),))
    assert [c.value for c in asked.choices] == ["submit", "edit"]
    assert asked.position == (total, total)


def test_nothing_can_be_answered_after_submission(new_seller: NewSeller) -> None:
    seller = new_seller("id_business", at="submitted")

    for answer in (TextAnswer("hello"), ChoiceAnswer("submitted", "edit")):
        error = seller.refused(answer).error
        assert error is not None
        assert error.code == "error_already_submitted"
    error = seller.refused_back().error
    assert error is not None
    assert error.code == "error_already_submitted"


@pytest.mark.parametrize("state", ["submitted", "approved", "rejected"])
def test_after_submission_the_prompt_tells_the_status(state: str, new_seller: NewSeller) -> None:
    progress = Progress("uk_business", state)
    asked = prompt(progress, new_seller().env)
    assert (asked.key, asked.kind, asked.choices) == (state, None, ())
    assert asked.say == (Say(f"status_{state}"),)


# --- active steps and prompt keys --------------------------------------------------


def test_no_steps_are_active_before_a_track_is_chosen(new_seller: NewSeller) -> None:
    seller = new_seller("uk_business", at="track")
    assert active_steps(seller.progress, seller.env) == ()


def test_cohort_skip_steps_rule_removes_the_step_from_the_walk_and_the_count(
    new_seller: NewSeller,
) -> None:
    seller = new_seller("uk_crossborder", at="phone", rules={"skip_steps": ("email",)})
    seller.type("07400 123456")

    assert seller.state == "products"
    ids = [s.id for s in active_steps(seller.progress, seller.env)]
    assert "email" not in ids
    assert seller.prompts[-1].position == (len(ids), len(ids) + 1)


def test_prompt_key_is_the_state_outside_the_products_step(new_seller: NewSeller) -> None:
    seller = new_seller("id_business", at="nib")
    assert prompt_key(seller.progress) == "nib"


# --- known bugs --------------------------------------------------------------------


def test_nik_with_a_birth_day_above_71_is_refused(new_seller: NewSeller) -> None:
    seller = new_seller("id_individual", at="nik")
    error = seller.refused(TextAnswer("3171019908450001")).error  # day 99
    assert error is not None
    assert error.code == "error_nik_date"


def test_products_of_an_abandoned_track_do_not_count_on_the_new_track(
    new_seller: NewSeller,
) -> None:
    seller = new_seller("uk_business", at="products")
    seller.add_product(price="500")
    seller.tap("done")
    while seller.state != "track":
        seller.back()
    seller.tap("uk_crossborder")
    seller.walk("uk_crossborder", until="products")

    assert "done" not in [c.value for c in seller.prompts[-1].choices]
    assert seller.prompts[-1].say[0].params["count"] == 0


def test_step_ids_are_unique_in_every_track_so_a_step_is_found_by_its_id() -> None:
    for track in (None, *TRACKS):
        steps = INTAKE if track is None else track_steps(track)
        ids = [step.id for step in steps]
        assert len(ids) == len(set(ids)), track
        assert all(find_step(track, step.id) is step for step in steps)
