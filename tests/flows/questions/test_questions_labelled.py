"""The issue's targets on the labelled set (tests/flows/questions/labelled.py).

Top-3 correct ≥ 85 % per language, non-questions taken as questions ≤ 5 %. The figures
themselves are printed by ``bench/bench_questions.py``; these tests fail when a change to
the recognizer, the terms, the scoring or the built-in FAQ falls below a target.
"""

from __future__ import annotations

from collections import Counter

import pytest

from flows.questions import entries_for, is_question, match
from tests.flows.questions.labelled import HELD_OUT, NOT_QUESTIONS, QUESTIONS, UNANSWERABLE

LOCALES = ("en", "zh_Hans", "id")


def test_the_labelled_set_is_as_large_as_the_issue_asks() -> None:
    per_locale = Counter(question.locale for question in QUESTIONS)
    assert len(QUESTIONS) >= 150
    assert all(per_locale[locale] >= 50 for locale in LOCALES)
    assert len(NOT_QUESTIONS) >= 60


def test_every_label_names_an_entry_of_the_questions_market() -> None:
    unknown = [q for q in QUESTIONS if q.expected not in {e.id for e in entries_for(q.market)}]
    assert unknown == []


@pytest.mark.parametrize("locale", LOCALES)
def test_the_right_entry_is_among_the_answers_shown_for_85_percent(locale: str) -> None:
    asked = [q for q in QUESTIONS if q.locale == locale]
    found = [
        q
        for q in asked
        if q.expected in [m.entry.id for m in match(q.text, entries_for(q.market), q.locale)]
    ]
    assert len(found) / len(asked) >= 0.85


def test_questions_never_tuned_on_still_find_their_entry_mostly() -> None:
    """A floor, not a target: the held-out questions, never tuned on, say how new wording
    fares (0.80 when they were written); this catches a change that makes it worse."""
    found = [
        q
        for q in HELD_OUT
        if q.expected in [m.entry.id for m in match(q.text, entries_for(q.market), q.locale)]
    ]
    assert len(found) / len(HELD_OUT) >= 0.7


def test_labelled_questions_read_as_questions() -> None:
    missed = [q.text for q in QUESTIONS if not is_question(q.text, q.locale)]
    assert len(missed) / len(QUESTIONS) <= 0.05, missed


def test_at_most_5_percent_of_answers_and_greetings_read_as_questions() -> None:
    taken = [text for locale, text in NOT_QUESTIONS if is_question(text, locale)]
    assert len(taken) / len(NOT_QUESTIONS) <= 0.05, taken


def test_most_questions_no_entry_answers_get_no_match() -> None:
    answered = [q.text for q in UNANSWERABLE if match(q.text, entries_for(q.market), q.locale)]
    assert len(answered) <= len(UNANSWERABLE) // 5, answered
