"""``terms``: one list of terms for Chinese without spaces, English and Indonesian."""

from __future__ import annotations

from flows.questions.tokens import terms


def test_chinese_becomes_bigrams_and_characters_without_a_segmenter() -> None:
    found = terms("英国手机号")
    assert {"b:英国", "b:手机", "b:机号", "c:英", "c:号"} <= set(found)


def test_a_typo_keeps_most_trigrams_of_the_word() -> None:
    right = {t for t in terms("invite") if t.startswith("g:")}
    typo = {t for t in terms("invte") if t.startswith("g:")}
    assert len(right & typo) >= 2


def test_function_words_and_particles_say_nothing_about_the_topic() -> None:
    assert terms("how do I") == []
    assert terms("apakah saya") == []
    assert "c:吗" not in terms("需要吗")


def test_full_width_letters_and_case_are_folded() -> None:
    assert "w:npwp" in terms("ＮＰＷＰ")
    assert terms("COD") == terms("cod")


def test_mixed_chinese_and_english_keep_both_scripts() -> None:
    found = terms("UK phone 一定要吗")
    assert "w:uk" in found and "w:phone" in found and "b:一定" in found


def test_anything_gives_a_list() -> None:
    assert terms("") == []
    assert terms("🙂 ?? ##") == []
