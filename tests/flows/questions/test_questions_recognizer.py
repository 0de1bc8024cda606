"""``is_question``: questions in three languages, and the answers that look like them."""

from __future__ import annotations

import pytest

from flows.questions import is_question


@pytest.mark.parametrize(
    "text",
    [
        "invite code?",
        "邀请码？",  # full-width question mark
        "UK phone 一定要吗",
        "审核结果出来了没",
        "为什么被驳回",
        "邀请码找谁要",
        "要上传几张图片",
        "what is the price cap",
        "do I need a UK number",
        "is +86 phone ok for the shop",
        "switch language please how",
        "my invite code says expired what now",
        "I don't understand this step",
        "apakah perlu NPWP",
        "bisakah pakai NIK",
        "kode undangan wajib ga kak",
        "cara ganti bahasa",
        "kok belum ada kabar",
    ],
)
def test_questions_in_each_language_are_recognized(text: str) -> None:
    assert is_question(text, "en")


@pytest.mark.parametrize(
    "text",
    [
        "Can Do Trading Ltd",  # starts like a question, names a company
        "广州哪吒科技有限公司",  # 哪吒 is a name, not 哪
        "PT Apa Adanya Sejahtera",
        "可以",  # "OK" in Chinese
        "boleh",  # "OK" in Indonesian
        "bisa",
        "没有",
        "No problem",
        "y",
        "",
        "   ",
        "91110000802100433B",
        "+44 7911 123456",
        "Phone Case for iPhone 15 Pro",
    ],
)
def test_answers_that_look_like_questions_are_not_questions(text: str) -> None:
    assert not is_question(text, "en")


def test_a_question_mark_wins_over_a_company_name() -> None:
    assert is_question("ACME TRADING LTD?", "en")


def test_the_sellers_locale_adds_its_own_tag_words() -> None:
    assert is_question("COD bisa untuk semua wilayah tidak", "id")
    assert not is_question("COD bisa untuk semua wilayah tidak", "en")
