"""What each identifier validator accepts, how it writes the value back, and what it refuses.

Identifiers are real ones, or built to the real rules (check characters computed, NIK
regions that exist); the refused ones break exactly one rule each.
"""

from __future__ import annotations

import ast
import datetime
import inspect
from collections.abc import Callable

import phonenumbers
import pytest

from flows import validators
from flows.errors import ValidationError


def refused_code(validate: Callable[[str], object], raw: str) -> str:
    with pytest.raises(ValidationError) as refused:
        validate(raw)
    return refused.value.code


# --- company name -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("  Acme   Widgets Ltd ", "Acme Widgets Ltd"),
        ("ＡＣＭＥ　ＬＴＤ", "ACME LTD"),
        ("深圳市某某科技有限公司", "深圳市某某科技有限公司"),
        ("PT Budi Jaya Abadi", "PT Budi Jaya Abadi"),
        ("3M", "3M"),
        ("x" * 160, "x" * 160),
    ],
)
def test_company_name_is_stored_with_whitespace_collapsed(typed: str, stored: str) -> None:
    assert validators.company_name(typed) == stored


@pytest.mark.parametrize("typed", ["", "   ", "A", "　Ａ　", "--", "。。", "x" * 161])
def test_company_name_too_short_too_long_or_without_letters_is_refused(typed: str) -> None:
    assert refused_code(validators.company_name, typed) == "error_company_name"


# --- Companies House number ---------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("03977902", "03977902"),  # Google UK Limited, England & Wales
        ("3977902", "03977902"),  # leading zero dropped, as often printed
        ("445790", "00445790"),
        ("SC123456", "SC123456"),  # Scotland
        ("sc 123456", "SC123456"),
        ("NI612345", "NI612345"),  # Northern Ireland
        ("R0000123", "R0000123"),  # Northern Ireland, before partition
        ("OC301234", "OC301234"),  # LLPs: England & Wales, Scotland, Northern Ireland
        ("SO301234", "SO301234"),
        ("NC001234", "NC001234"),
        ("LP012345", "LP012345"),  # limited partnerships
        ("SL012345", "SL012345"),
        ("NL000123", "NL000123"),
        ("FC012345", "FC012345"),  # overseas companies
        ("SF000123", "SF000123"),
        ("NF000123", "NF000123"),
        ("OE001234", "OE001234"),
        ("SE000012", "SE000012"),
        ("GE000123", "GE000123"),
        ("AC000123", "AC000123"),
        ("ZC000123", "ZC000123"),
        ("CE012345", "CE012345"),
        ("RC000123", "RC000123"),
        ("IP00525R", "IP00525R"),  # Co-operative Group: society numbers may end in a letter
        ("RS007018", "RS007018"),
        ("ＳＣ１２３４５６", "SC123456"),
        ("SC-123-456", "SC123456"),
    ],
)
def test_companies_house_number_is_stored_as_eight_upper_case_characters(
    typed: str, stored: str
) -> None:
    assert validators.companies_house_number(typed) == stored


@pytest.mark.parametrize("prefix", sorted(validators.COMPANIES_HOUSE_PREFIXES))
def test_every_known_prefix_takes_six_digits(prefix: str) -> None:
    assert validators.companies_house_number(f"{prefix}123456") == f"{prefix}123456"


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "123456789",  # nine digits
        "XX123456",  # unknown prefix
        "BC098765",
        "SC12345",  # prefix with five digits: not padded, a digit is missing
        "SC1234567",
        "SC12345R",  # trailing letter only for society registers
        "S1234567",
        "0123456X",
        "SC 123 45",
    ],
)
def test_companies_house_number_of_wrong_shape_is_refused(typed: str) -> None:
    assert refused_code(validators.companies_house_number, typed) == "error_ch_number"


# --- China USCC ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("91110000802100433B", "91110000802100433B"),
        ("914403001922038216", "914403001922038216"),
        ("91440300708461136T", "91440300708461136T"),
        ("9111 0108 5513 8508 2q", "91110108551385082Q"),  # lower case and spaces
        ("91310000ma1fl4b24g", "91310000MA1FL4B24G"),
        ("９１１１００００８０２１００４３３Ｂ", "91110000802100433B"),
    ],
)
def test_uscc_is_stored_upper_case_without_spaces(typed: str, stored: str) -> None:
    assert validators.uscc(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "9111000080210043B",  # 17 characters
        "A1110000802100433B",  # registration authority must be a digit
        "91110000O02100433B",  # O is not in the code's alphabet
        "",
    ],
)
def test_uscc_of_the_wrong_shape_is_refused(typed: str) -> None:
    assert refused_code(validators.uscc, typed) == "error_uscc"


@pytest.mark.parametrize("typed", ["91110000802100433C", "914403001922038217"])
def test_uscc_with_a_wrong_check_character_is_told_so(typed: str) -> None:
    assert refused_code(validators.uscc, typed) == "error_uscc_check"


# --- Indonesia NIK, NPWP, tax id, NIB ------------------------------------------------

MAN_NIK = "3171011708450001"  # Jakarta Selatan, born 17 August 1945
WOMAN_NIK = "3171015708450001"  # same date: day 17 + 40 = 57


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        (MAN_NIK, MAN_NIK),
        (WOMAN_NIK, WOMAN_NIK),
        ("3273014101900002", "3273014101900002"),  # Bandung, woman born 1 January 1990
        ("3578026512990003", "3578026512990003"),  # Surabaya, woman born 25 December 1999
        ("3171 0117 0845 0001", MAN_NIK),
        ("3171-0117-0845-0001", MAN_NIK),
        ("３１７１０１１７０８４５０００１", MAN_NIK),
    ],
)
def test_nik_of_men_and_women_is_accepted(typed: str, stored: str) -> None:
    assert validators.nik(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "9971011708450001",  # no province 99
        "317101170845000",  # 15 digits
        "31710117084500011",
        "317101170845000A",
        "",
    ],
)
def test_nik_with_impossible_region_or_length_is_refused(typed: str) -> None:
    assert refused_code(validators.nik, typed) == "error_nik"


@pytest.mark.parametrize(
    "typed",
    [
        "3171013208450001",  # day 32
        "3171017208450001",  # woman's day 72 = 32
        "3171019908450001",  # day 99
        "3171010008450001",  # day 0
        "3171014008450001",  # woman's day 40 = 0
        "3171011713450001",  # month 13
        "3171013002450001",  # 30 February
    ],
)
def test_nik_with_an_impossible_date_says_the_date_part_is_wrong(typed: str) -> None:
    assert refused_code(validators.nik, typed) == "error_nik_date"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("01.312.166.0-091.000", "013121660091000"),  # the form printed on the card
        ("013121660091000", "013121660091000"),
        ("01.609.052.4-017.000", "016090524017000"),
        ("01。312。166。0－091。000", "013121660091000"),
        ("0013121660091000", "0013121660091000"),  # since 2024: "0" + the old number
        (MAN_NIK, MAN_NIK),  # since 2024: an individual's NIK
    ],
)
def test_npwp_of_15_or_16_digits_is_stored_as_digits(typed: str, stored: str) -> None:
    assert validators.npwp(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "01.312.166.1-091.000",  # wrong check digit
        "013121661091000",
        "0013121661091000",  # 16 digits, wrong check digit
        "9971011708450001",  # 16 digits but not a NIK
        "01.312.166.0-091.00",  # 14 digits
        "",
    ],
)
def test_npwp_with_wrong_check_digit_or_length_is_refused(typed: str) -> None:
    assert refused_code(validators.npwp, typed) == "error_npwp"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("01.312.166.0-091.000", "013121660091000"),
        (WOMAN_NIK, WOMAN_NIK),
        ("3171 0157 0845 0001", WOMAN_NIK),
    ],
)
def test_individual_tax_id_is_an_npwp_or_a_nik(typed: str, stored: str) -> None:
    assert validators.individual_tax_id(typed) == stored


@pytest.mark.parametrize("typed", ["01.312.166.1-091.000", "3171013208450001", "12345", ""])
def test_individual_tax_id_that_is_neither_is_refused(typed: str) -> None:
    assert refused_code(validators.individual_tax_id, typed) == "error_tax_id"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("9120001842417", "9120001842417"),
        ("9120 0018 4241 7", "9120001842417"),
        ("９１２０００１８４２４１７", "9120001842417"),
    ],
)
def test_nib_is_thirteen_digits(typed: str, stored: str) -> None:
    assert validators.nib(typed) == stored


@pytest.mark.parametrize("typed", ["912000184241", "91200018424170", "912000184241A", ""])
def test_nib_of_other_length_or_with_letters_is_refused(typed: str) -> None:
    assert refused_code(validators.nib, typed) == "error_nib"


# --- phones --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("07400 123456", "+447400123456"),
        ("07911 123456", "+447911123456"),
        ("+44 (0)7911 123456", "+447911123456"),
        ("+44 7911 123456", "+447911123456"),
        ("447911123456", "+447911123456"),
        ("0044 7911 123456", "+447911123456"),
        ("07911-123-456", "+447911123456"),
        ("０７９１１　１２３４５６", "+447911123456"),
        ("＋４４ ７９１１ １２３４５６", "+447911123456"),
    ],
)
def test_uk_mobile_is_stored_in_e164(typed: str, stored: str) -> None:
    assert validators.uk_mobile(typed) == stored


@pytest.mark.parametrize(
    ("typed", "region"),
    [("07781 123456", "GG"), ("07797 123456", "JE"), ("07624 123456", "IM")],
)
def test_crown_dependency_mobiles_are_uk_mobiles(typed: str, region: str) -> None:
    stored = validators.uk_mobile(typed)

    # phonenumbers files these +44 ranges under Guernsey, Jersey and the Isle of Man.
    assert phonenumbers.region_code_for_number(phonenumbers.parse(stored)) == region
    assert stored == "+44" + typed[1:].replace(" ", "")


@pytest.mark.parametrize(
    "typed",
    [
        "020 7946 0000",  # London landline
        "0161 496 0000",  # Manchester landline
        "01481 712345",  # Guernsey landline
        "07911 12345",  # a digit short
        "07911 ABCDEF",
        "",
    ],
)
def test_uk_landline_or_malformed_number_is_refused(typed: str) -> None:
    assert refused_code(validators.uk_mobile, typed) == "error_uk_mobile"


@pytest.mark.parametrize("typed", ["07700 900123", "+44 7700 900123", "07700900000"])
def test_a_uk_mobile_shaped_number_outside_real_ranges_says_so(typed: str) -> None:
    # Ofcom's drama range: it does start with 07, so "it starts with 07" would mislead.
    assert refused_code(validators.uk_mobile, typed) == "error_uk_mobile_range"


@pytest.mark.parametrize(
    "typed",
    [
        "+86 138 0013 8000",
        "0086 138 0013 8000",
        "138 0013 8000",  # mainland mobile typed without +86
        "13800138000",
        "+852 9123 4567",
        "+62 812 3456 7890",
    ],
)
def test_valid_foreign_number_asks_for_a_uk_sim(typed: str) -> None:
    assert refused_code(validators.uk_mobile, typed) == "error_uk_mobile_foreign"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("0812-3456-7890", "+6281234567890"),
        ("0812 3456 7890", "+6281234567890"),
        ("62812 3456 7890", "+6281234567890"),
        ("+62 812 3456 7890", "+6281234567890"),
        ("+62 (0)812 3456 7890", "+6281234567890"),
        ("0857 1234 5678", "+6285712345678"),
        ("0812—3456—7890", "+6281234567890"),
        ("０８１２－３４５６－７８９０", "+6281234567890"),
    ],
)
def test_indonesian_mobile_is_stored_in_e164(typed: str, stored: str) -> None:
    assert validators.id_mobile(typed) == stored


@pytest.mark.parametrize(
    "typed",
    ["021 5795 1234", "+44 7911 123456", "+86 138 0013 8000", "0812 345", "0812 ABCD 7890", ""],
)
def test_indonesian_landline_foreign_or_malformed_number_is_refused(typed: str) -> None:
    assert refused_code(validators.id_mobile, typed) == "error_id_mobile"


# --- e-mail --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Li.Wei@Example.COM", "Li.Wei@example.com"),
        ("  budi@gmail.co.id ", "budi@gmail.co.id"),
        ("seller＠qq。com", "seller@qq.com"),  # Chinese IME: full-width @, ideographic full stop
        ("ｓｅｌｌｅｒ＠ｑｑ．ｃｏｍ", "seller@qq.com"),
    ],
)
def test_email_is_stored_with_lower_case_domain(typed: str, stored: str) -> None:
    assert validators.email(typed) == stored


@pytest.mark.parametrize(
    "typed", ["budi@gmail", "budi.gmail.com", "a..b@example.com", "li wei@qq.com", "@qq.com", ""]
)
def test_malformed_email_is_refused(typed: str) -> None:
    assert refused_code(validators.email, typed) == "error_email"


# --- dates ---------------------------------------------------------------------------

TODAY = datetime.date(2025, 6, 1)
PI_DAY_2019 = datetime.date(2019, 3, 14)


@pytest.mark.parametrize(
    "typed",
    [
        "2019-03-14",
        "2019-3-14",
        "14/03/2019",
        "14/3/2019",
        "14.03.2019",
        "14-03-2019",
        "14 03 2019",
        "2019/3/14",
        "2019.03.14",
        "2019年3月14日",
        "2019 年 3 月 14 日",
        "２０１９年３月１４日",
        "2019年3月14号",
        "14 March 2019",
        "14 Mar 2019",
        "14-Mar-2019",
        "14th March 2019",
        "March 14, 2019",
        "14 MARET 2019",
        "14 Maret 2019",
        "14 Mar. 2019",
        "１４／０３／２０１９",
        "14—03—2019",
    ],
)
def test_past_date_reads_uk_chinese_and_indonesian_spellings(typed: str) -> None:
    assert validators.past_date(typed, today=TODAY) == PI_DAY_2019


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("17 Agustus 1945", datetime.date(1945, 8, 17)),
        ("1 Mei 2020", datetime.date(2020, 5, 1)),
        ("25 Desember 2024", datetime.date(2024, 12, 25)),
        ("3 Okt 2021", datetime.date(2021, 10, 3)),
        ("9 Juni 2022", datetime.date(2022, 6, 9)),
        ("1 Jan 1850", datetime.date(1850, 1, 1)),
        ("01/06/2025", TODAY),
        ("29/02/2024", datetime.date(2024, 2, 29)),
    ],
)
def test_past_date_month_names_and_bounds(typed: str, expected: datetime.date) -> None:
    assert validators.past_date(typed, today=TODAY) == expected


@pytest.mark.parametrize(
    "typed",
    [
        "03/14/2019",  # month first is never read
        "31/02/2019",
        "29/02/2023",
        "14/13/2019",
        "14/03/19",  # two-digit year
        "2019",
        "14 Foo 2019",
        "yesterday",
        "31/12/1849",  # before 1850
        "",
    ],
)
def test_unreadable_or_impossible_date_is_refused(typed: str) -> None:
    with pytest.raises(ValidationError) as refused:
        validators.past_date(typed, today=TODAY)
    assert refused.value.code == "error_date_format"


@pytest.mark.parametrize("typed", ["02/06/2025", "2030-01-01", "1 Januari 2026"])
def test_future_date_is_refused(typed: str) -> None:
    with pytest.raises(ValidationError) as refused:
        validators.past_date(typed, today=TODAY)
    assert refused.value.code == "error_date_future"


# --- invite code ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("ab12-cd34", "AB12-CD34"),
        (" TTS2024UK ", "TTS2024UK"),
        ("ＴＴＳ２０２４", "TTS2024"),
        ("AB12—CD34", "AB12-CD34"),  # em dash from a Chinese IME
        ("ABCD", "ABCD"),
        ("A" * 32, "A" * 32),
    ],
)
def test_invite_code_is_stored_upper_case(typed: str, stored: str) -> None:
    assert validators.invite_code_format(typed) == stored


@pytest.mark.parametrize("typed", ["AB1", "A" * 33, "AB 12", "AB_12", "邀请码1234", ""])
def test_invite_code_of_wrong_length_or_characters_is_refused(typed: str) -> None:
    assert refused_code(validators.invite_code_format, typed) == "error_invite_code_format"


# --- the error codes themselves ------------------------------------------------------


def test_every_error_code_is_a_string_literal_for_the_catalog_extraction() -> None:
    tree = ast.parse(inspect.getsource(validators))
    raised = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "ValidationError"
    ]

    first_arguments = [node.args[0] for node in raised]
    assert all(
        isinstance(arg, ast.Constant) and isinstance(arg.value, str) for arg in first_arguments
    )
    assert {arg.value for arg in first_arguments if isinstance(arg, ast.Constant)} == {
        "error_company_name",
        "error_ch_number",
        "error_uscc",
        "error_uscc_check",
        "error_nik",
        "error_nik_date",
        "error_npwp",
        "error_tax_id",
        "error_nib",
        "error_uk_mobile",
        "error_uk_mobile_foreign",
        "error_uk_mobile_range",
        "error_id_mobile",
        "error_email",
        "error_date_format",
        "error_date_future",
        "error_invite_code_format",
    }
