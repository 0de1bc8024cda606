"""``match``: the best one to three entries, scored 0..1, or nothing when none fits."""

from __future__ import annotations

from flows.questions import Entry, Matcher, entries_for, match
from flows.questions.matcher import THRESHOLD


def _entry(entry_id: str, en: str, zh: str = "", keywords: tuple[str, ...] = ()) -> Entry:
    questions = {"en": (en,), "zh_Hans": (zh,) if zh else ()}
    answers = {"en": f"answer {entry_id}", "zh_Hans": f"回答 {entry_id}"}
    return Entry(entry_id, "both", questions, answers, keywords)


ENTRIES = (
    _entry("phone", "Do I need a UK phone number?", "需要英国手机号吗", ("+44",)),
    _entry("invite", "Where do I get an invite code?", "邀请码在哪里拿"),
    _entry("price", "What is the price cap?", "价格上限是多少"),
)


def test_a_chinese_question_finds_the_entry_asked_in_english_too() -> None:
    found = match("英国手机号一定要吗", ENTRIES, "zh_Hans")
    assert found[0].entry.id == "phone"


def test_an_english_question_with_typos_finds_its_entry() -> None:
    assert match("wher to get invte code", ENTRIES, "en")[0].entry.id == "invite"


def test_the_answer_and_title_come_in_the_sellers_language() -> None:
    best = match("price cap", ENTRIES, "zh_Hans")[0]
    assert best.answer == "回答 price"
    assert best.question == "价格上限是多少"


def test_a_locale_an_entry_lacks_falls_back_to_english() -> None:
    assert match("price cap", ENTRIES, "id")[0].answer == "answer price"


def test_an_off_topic_question_gets_no_match() -> None:
    assert match("what's the weather in london tomorrow", ENTRIES, "en") == []


def test_scores_are_shares_between_0_and_1_best_first() -> None:
    found = match("UK phone number +44", ENTRIES, "en")
    scores = [m.score for m in found]
    assert scores == sorted(scores, reverse=True)
    assert all(THRESHOLD <= s <= 1 for s in scores)


def test_at_most_three_entries_are_shown() -> None:
    assert len(match("phone invite code price cap", ENTRIES, "en")) <= 3


def test_no_entries_and_no_text_give_no_match() -> None:
    assert match("invite code", (), "en") == []
    assert match("", ENTRIES, "en") == []


def test_an_index_is_built_once_per_set_of_entries() -> None:
    entries = entries_for("uk")
    match("invite code", entries, "en")
    matcher = Matcher(entries)
    assert matcher.match("invite code", "en") == match("invite code", list(entries), "en")


def test_a_providers_entry_is_found_like_a_builtin_one() -> None:
    own = _entry("warehouse", "Do you have a UK warehouse?", "有英国海外仓吗")
    found = match("海外仓有吗", (*ENTRIES, own), "zh_Hans")
    assert found[0].entry.id == "warehouse"


def test_an_entry_written_in_english_alone_is_found_from_chinese_and_indonesian() -> None:
    only_english = (
        Entry("refund", "both", {"en": ("How do refunds work?",)}, {"en": "Refunds: …"}),
        Entry("cod", "both", {"en": ("Can buyers pay cash on delivery?",)}, {"en": "COD: …"}),
        Entry("tax", "both", {"en": ("Which tax is withheld?",)}, {"en": "Tax: …"}),
    )
    assert match("可以货到付款吗", only_english, "zh_Hans")[0].entry.id == "cod"
    assert match("potongan pajak berapa", only_english, "id")[0].entry.id == "tax"
