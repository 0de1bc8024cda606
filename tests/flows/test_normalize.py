"""What phone keyboards type, and what the validators get to see."""

from __future__ import annotations

import pytest

from flows.normalize import (
    clean_text,
    compact,
    strip_separators,
    unify_dashes,
    without_lone_surrogates,
)


@pytest.mark.parametrize(
    ("typed", "cleaned"),
    [
        ("０７９１１　１２３４５６", "07911 123456"),  # Chinese IME: full-width digits and space
        ("ＡＣＭＥ　Ｌｔｄ", "ACME Ltd"),
        ("  Toko \t Budi \n Jaya  ", "Toko Budi Jaya"),
        ("\u200bSC123456\ufeff", "SC123456"),  # zero-width characters from copy and paste
        ("li＠qq.com", "li@qq.com"),
        ("＋44", "+44"),
        ("深圳市　某某科技", "深圳市 某某科技"),
        ("", ""),
    ],
)
def test_clean_text_folds_full_width_and_collapses_whitespace(typed: str, cleaned: str) -> None:
    assert clean_text(typed) == cleaned


@pytest.mark.parametrize(
    ("typed", "bare"),
    [
        ("01.312.166.0-091.000", "013121660091000"),
        ("0812-3456-7890", "081234567890"),
        ("0812—3456—7890", "081234567890"),  # em dash: a Chinese IME's "-" key
        ("0812–3456–7890", "081234567890"),  # en dash
        ("01。312。166。0－091。000", "013121660091000"),  # Chinese full stop, full-width hyphen
        ("138、0013、8000", "13800138000"),
        ("138·0013·8000", "13800138000"),
        ("+44 (0)7911 123456", "+4407911123456"),
        ("（020）７９４６ ００００", "02079460000"),
        ("2019/03/14", "20190314"),
        ("138，0013，8000", "13800138000"),
    ],
)
def test_compact_removes_every_separator_a_keyboard_offers(typed: str, bare: str) -> None:
    assert compact(typed) == bare


def test_strip_separators_keeps_letters_digits_and_plus() -> None:
    assert strip_separators("+ab 12-CD") == "+ab12CD"


@pytest.mark.parametrize("dash", ["\u2010", "\u2012", "\u2013", "\u2014", "\u2015", "\u2212", "-"])
def test_unify_dashes_turns_look_alikes_into_hyphen_minus(dash: str) -> None:
    assert unify_dashes(f"AB12{dash}CD34") == "AB12-CD34"


def test_without_lone_surrogates_replaces_them_and_keeps_everything_else() -> None:
    assert without_lone_surrogates("Acme \ud800 Ltd\udfff") == "Acme \ufffd Ltd\ufffd"
    assert without_lone_surrogates("👩‍👩‍👧‍👦 \u202eok") == "👩‍👩‍👧‍👦 \u202eok"
