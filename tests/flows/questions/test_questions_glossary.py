"""Concepts: one meaning, three languages, so questions meet entries in other words."""

from __future__ import annotations

import tomllib
from importlib import resources

import pytest

from flows.questions.glossary import concepts


@pytest.mark.parametrize(
    "text", ["invite code", "邀请码多少", "kode undangan saya", "invitation", "invite \n code"]
)
def test_the_invite_code_is_one_concept_in_every_language(text: str) -> None:
    assert "invite_code" in concepts(text)


def test_latin_phrases_match_whole_words_only() -> None:
    assert "uk" not in concepts("ukulele")
    assert "cod" not in concepts("code")
    assert "cod" in concepts("is cod ok")


def test_the_longest_phrase_wins_where_phrases_overlap() -> None:
    assert concepts("can i change the shop name") >= {"shop_name", "change"}
    assert "shop" not in concepts("shop name")


def test_chinese_phrases_match_inside_a_sentence_without_spaces() -> None:
    assert concepts("审核被驳回了怎么办") >= {"review", "rejected"}


def test_synonyms_meet_in_one_concept() -> None:
    assert concepts("declined") == concepts("rejected") == {"rejected"}
    assert "delete" in concepts("please remove my data") & concepts("hapus data saya")


def test_no_phrase_stands_for_two_concepts() -> None:
    text = resources.files("flows.questions").joinpath("glossary.toml").read_text("utf-8")
    phrases = [p for group in tomllib.loads(text)["concepts"].values() for p in group]
    assert sorted(p for p in set(phrases) if phrases.count(p) > 1) == []
    assert all(p == p.casefold().strip() for p in phrases)
