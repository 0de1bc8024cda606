"""Reading fields off OCR text: only what a typed answer would pass, and nothing doubtful."""

from __future__ import annotations

from stdnum.cn import uscc as stdnum_uscc

from flows.documents import Proposal, TextLine, propose, rows

CODE = "91110000802100433B"
LICENCE = [
    "统一社会信用代码",
    CODE,
    "营 业 执 照",
    "名 称   深圳市星辰云帆贸易有限公司       注册资本 人民币100万元",
    "类  型  有限责任公司(自然人独资)         成立日期 2019年03月14日",
    "法定代表人 王小明              营业期限 2019年03月14日至长期",
]
KTP = [
    "PROVINSI DKI JAKARTA",
    "KOTA JAKARTA SELATAN",
    "NIK : 3174055012900001",
    "Nama : SITI RAHMAWATI",
    "Tempat/Tgl Lahir : JAKARTA, 10-12-1990",
    "Jenis Kelamin : PEREMPUAN   Gol. Darah : O",
]


def _wrong_check(code: str) -> str:
    right = stdnum_uscc.calc_check_digit(code)
    return code[:-1] + ("1" if right != "1" else "2")


def test_a_licence_reading_proposes_the_code_the_company_and_its_representative() -> None:
    assert propose("licence", LICENCE) == Proposal(
        "licence",
        {
            "uscc": CODE,
            "company_name": "深圳市星辰云帆贸易有限公司",
            "legal_representative": "王小明",
        },
    )


def test_a_code_with_a_wrong_check_character_is_never_proposed() -> None:
    lines = [_wrong_check(CODE) if line == CODE else line for line in LICENCE]
    assert "uscc" not in propose("licence", lines).fields


def test_letters_a_code_never_holds_spaces_and_full_width_are_read_as_meant() -> None:
    misread = "９１１１OOOO 8O21OO433B"  # full-width digits, O for 0, a space inside
    assert propose("licence", ["统一社会信用代码", misread]).fields["uscc"] == CODE


def test_a_look_alike_both_readings_of_which_a_code_may_hold_is_not_guessed() -> None:
    # B and 8 may both stand in a USCC: "…4338" fails the check and is not "repaired"
    assert "uscc" not in propose("licence", ["91110000802100433" + "8"]).fields


def test_two_different_valid_codes_propose_neither() -> None:
    other = "91440300MA5F" + "00000"
    other += stdnum_uscc.calc_check_digit(other)
    assert "uscc" not in propose("licence", [CODE, other]).fields


def test_a_row_with_the_next_column_keeps_only_the_company_name() -> None:
    lines = ["名称 西藏自治区隆云家居用品有限公司2011年07月18日"]
    assert propose("licence", lines).fields["company_name"] == "西藏自治区隆云家居用品有限公司"


def test_a_long_company_name_wrapped_onto_a_second_row_is_joined_back() -> None:
    lines = [
        "名称  新疆维吾尔自治区泰东母婴用品有限  注册资本  人民币50万元",
        "公司",
        "成立日期  2023年11月15日",
    ]
    assert (
        propose("licence", lines).fields["company_name"] == "新疆维吾尔自治区泰东母婴用品有限公司"
    )


def test_half_a_company_name_is_never_proposed() -> None:
    for lines in (
        ["名称  新疆维吾尔自治区泰东母婴用品有限  注册资本  人民币50万元", "成立日期  2023年"],
        ["名称  宁夏回族自治区鑫远母婴用品有限公"],
    ):
        assert "company_name" not in propose("licence", lines).fields


def test_a_ktp_reading_proposes_the_nik() -> None:
    assert propose("ktp", KTP) == Proposal("ktp", {"nik": "3174055012900001"})


def test_look_alike_letters_in_a_nik_are_read_as_digits() -> None:
    lines = [line.replace("3174055012900001", "3I74O55Ol29OOOO1") for line in KTP]
    assert propose("ktp", lines).fields["nik"] == "3174055012900001"


def test_a_nik_that_disagrees_with_the_birth_date_or_sex_printed_beside_it_is_dropped() -> None:
    other_day = [line.replace("10-12-1990", "11-12-1990") for line in KTP]
    a_man = [line.replace("PEREMPUAN", "LAKI-LAKI") for line in KTP]
    other_province = [line.replace("DKI JAKARTA", "PAPUA BARAT") for line in KTP]
    for lines in (other_day, a_man, other_province):
        assert "nik" not in propose("ktp", lines).fields


def test_sixteen_digits_that_are_no_nik_are_not_proposed() -> None:
    lines = [line.replace("3174055012900001", "3174059912900001") for line in KTP]  # day 99
    assert "nik" not in propose("ktp", lines).fields


def test_phrases_in_boxes_are_joined_into_rows_left_to_right() -> None:
    boxed = [
        TextLine("深圳市星辰云帆贸易有限公司", (300, 102, 700, 138)),
        TextLine("名称", (100, 100, 160, 136)),
        TextLine("法定代表人", (100, 160, 260, 196)),
        TextLine("王小明", (300, 161, 400, 197)),
    ]
    assert rows(boxed) == ["名称  深圳市星辰云帆贸易有限公司", "法定代表人  王小明"]


def test_nothing_read_proposes_nothing() -> None:
    assert propose("licence", []) == Proposal("licence", {})
    assert propose("ktp", ["", "   "]) == Proposal("ktp", {})
