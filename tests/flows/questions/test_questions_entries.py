"""FAQ entries as data: the built-in FAQ per market, and a provider's entries on top."""

from __future__ import annotations

import re

import pytest

from flows.questions import Entry, builtin_entries, entries_for, entry_from_dict
from flows.questions.entries import LOCALES

COMMANDS = {"/status", "/back", "/restart", "/new", "/applications", "/language", "/help",
            "/mydata", "/delete_me"}  # fmt: skip
"""The seller's commands bot/routes.py registers."""


def test_every_builtin_entry_asks_and_answers_in_all_three_languages() -> None:
    incomplete = [
        entry.id
        for entry in builtin_entries()
        if set(entry.answers) != set(LOCALES) or set(entry.questions) != set(LOCALES)
    ]
    assert incomplete == []


def test_builtin_ids_are_unique_and_each_market_has_its_own_entries() -> None:
    ids = [entry.id for entry in builtin_entries()]
    assert len(ids) == len(set(ids))
    assert {"uk", "id", "both"} == {entry.market for entry in builtin_entries()}


def test_the_issues_topics_are_covered() -> None:
    ids = {entry.id for entry in builtin_entries()}
    assert {
        "invite_code_required", "invite_code_where", "uk_phone_required", "price_cap_uk",
        "documents_uk", "documents_id", "review_time", "rejected", "cod_id", "whitelist_id",
        "nik", "npwp", "nib", "companies_house_number", "uscc", "bulk_upload", "restart",
        "change_language", "my_data", "delete_data",
    } <= ids  # fmt: skip


def test_answers_name_only_commands_the_bot_has() -> None:
    named = {
        command
        for entry in builtin_entries()
        for answer in entry.answers.values()
        for command in re.findall(r"(?:^|\s)(/[a-z_]+)\b", answer)
    }
    assert named and named <= COMMANDS


def test_answers_keep_the_domain_figures_in_every_language() -> None:
    by_id = {entry.id: entry for entry in builtin_entries()}
    assert all("134" in text for text in by_id["price_cap_uk"].answers.values())
    assert all("+44" in text for text in by_id["uk_phone_required"].answers.values())
    assert all("16" in text for text in by_id["nik"].answers.values())


def test_a_market_sees_its_own_and_the_shared_entries_only() -> None:
    uk = {entry.id for entry in entries_for("uk")}
    assert "price_cap_uk" in uk and "review_time" in uk and "cod_id" not in uk
    assert "cod_id" in {entry.id for entry in entries_for("id")}


def test_a_providers_entry_replaces_the_builtin_one_with_its_id_in_place() -> None:
    own = Entry("review_time", "both", {"en": ("How long is review?",)}, {"en": "3 days."})
    entries = entries_for("uk", [own])
    replaced = [entry for entry in entries if entry.id == "review_time"]
    assert replaced == [own]
    position = [e.id for e in entries_for("uk")].index("review_time")
    assert entries[position] is own


def test_a_providers_new_entry_is_added_and_another_markets_is_left_out() -> None:
    new = Entry("uk_warehouse", "uk", {"en": ("Do you have a warehouse?",)}, {"en": "Yes."})
    indonesian = Entry("cod_id", "id", {"en": ("COD?",)}, {"en": "Ask us."})
    entries = entries_for("uk", [new, indonesian])
    assert entries[-1] == new and indonesian not in entries


def test_an_entry_is_read_from_plain_data_as_a_csv_import_would_give_it() -> None:
    entry = entry_from_dict(
        {
            "id": "hours",
            "market": "both",
            "questions": {"en": "When are you open?"},
            "answers": {"en": " 9 to 5. "},
            "keywords": ["hours"],
        }
    )
    assert entry.questions["en"] == ("When are you open?",)
    assert entry.answer("zh_Hans") == "9 to 5."
    assert entry.title("id") == "When are you open?"


@pytest.mark.parametrize(
    "broken",
    [
        {"id": "x", "market": "fr", "questions": {"en": ["q"]}, "answers": {"en": "a"}},
        {"id": "x", "market": "uk", "questions": {"de": ["q"]}, "answers": {"en": "a"}},
        {"id": "x", "market": "uk", "questions": {"en": []}, "answers": {"en": "a"}},
        {"id": "", "market": "uk", "questions": {"en": ["q"]}, "answers": {"en": "a"}},
        {"id": "x", "market": "uk", "questions": {"en": ["q"]}, "answers": {}},
        {"id": "x", "market": "uk", "questions": {"en": ["  "]}, "answers": {"en": "a"}},
        {"id": "x", "market": "uk", "questions": {"en": ["q"]}, "answers": {"en": " "}},
    ],
)
def test_an_entry_with_an_unknown_market_or_locale_or_nothing_to_say_is_refused(
    broken: dict[str, object],
) -> None:
    with pytest.raises(ValueError):
        entry_from_dict(broken)


def test_a_language_left_empty_is_a_language_the_entry_does_not_have() -> None:
    entry = entry_from_dict(
        {
            "id": "hours",
            "market": "uk",
            "questions": {"en": ["When are you open?", ""], "zh_Hans": [""]},
            "answers": {"en": "9 to 5.", "id": ""},
        }
    )
    assert dict(entry.questions) == {"en": ("When are you open?",)}
    assert dict(entry.answers) == {"en": "9 to 5."}
    assert entry.answer("id") == "9 to 5."


def test_equal_entries_are_equal_and_hash_alike_so_an_index_is_reused() -> None:
    data = {"id": "x", "market": "uk", "questions": {"en": ["q"]}, "answers": {"en": "a"}}
    assert entry_from_dict(data) == entry_from_dict(data)
    assert hash(entry_from_dict(data)) == hash(entry_from_dict(data))
