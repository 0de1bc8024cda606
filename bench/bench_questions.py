"""Questions: how well the recognizer and the FAQ matcher do on the labelled set, and how fast.

Figures (issue 22's targets in brackets):
- top-1 and top-3 accuracy per language: the expected entry first / among the answers shown
  (top-3 ≥ 0.85), each question matched against its market's built-in entries; and
  top-3 on the held-out questions, written after the tuning and never tuned on;
- top-3 across languages: each entry reduced to one language (questions and answer, no
  keywords, as a provider may write it), asked by the labelled questions of the others;
- the false-question rate: answers and greetings taken as questions (≤ 0.05), and the
  share of labelled questions recognized as questions;
- the share of off-topic questions that get "no good match";
- the time per match with 500 entries (≤ 5 ms): the built-in entries padded with entries
  made by recombining their own questions, so the padding shares their words and the
  postings are as long as a large real FAQ's. Baseline: the same questions against the
  built-in UK entries alone, so the ratio says what 500 entries cost. The index
  build for 500 entries is printed too (done once per entry set, then cached).

``BENCH_SHORT=1`` times fewer rounds.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence

from bench import results
from bench.timing import per_call
from flows.questions import Entry, Matcher, entries_for, is_question, match
from tests.flows.questions.labelled import HELD_OUT, NOT_QUESTIONS, QUESTIONS, UNANSWERABLE

ENTRIES = 500
LOCALES = ("en", "zh_Hans", "id")


def padded(entries: Sequence[Entry], count: int, *, seed: int = 22) -> tuple[Entry, ...]:
    """``entries`` and made-up ones up to ``count``: each mixes words of two real entries."""
    rng = random.Random(seed)
    made: list[Entry] = []
    for number in range(count - len(entries)):
        first, second = rng.sample(list(entries), 2)
        questions = {}
        for locale in LOCALES:
            words = [
                word
                for source in (first, second)
                for variant in source.questions.get(locale, ())
                for word in (variant.split() if locale != "zh_Hans" else list(variant))
            ]
            rng.shuffle(words)
            joiner = "" if locale == "zh_Hans" else " "
            questions[locale] = (joiner.join(words[:8]), joiner.join(words[8:16]))
        made.append(Entry(f"made_{number}", "both", questions, {"en": "made up"}))
    return (*entries, *made)


def accuracy() -> None:
    """Top-1 / top-3 per language, false questions, no match for off-topic questions."""
    matchers = {market: Matcher(entries_for(market)) for market in ("uk", "id")}
    for locale in LOCALES:
        asked = [q for q in QUESTIONS if q.locale == locale]
        shown = [[m.entry.id for m in matchers[q.market].match(q.text, locale)] for q in asked]
        top1 = sum(ids[:1] == [q.expected] for q, ids in zip(asked, shown, strict=True))
        top3 = sum(q.expected in ids for q, ids in zip(asked, shown, strict=True))
        results.emit(
            f"questions: top-1 accuracy, {locale} ({len(asked)})", top1 / len(asked), "share"
        )
        results.emit(
            f"questions: top-3 accuracy, {locale} (target ≥ 0.85)", top3 / len(asked), "share"
        )
    held = sum(
        q.expected in [m.entry.id for m in matchers[q.market].match(q.text, q.locale)]
        for q in HELD_OUT
    )
    results.emit(
        f"questions: top-3 accuracy, held out ({len(HELD_OUT)})", held / len(HELD_OUT), "share"
    )
    recognized = sum(is_question(q.text, q.locale) for q in QUESTIONS) / len(QUESTIONS)
    results.emit("questions: labelled questions read as questions", recognized, "share")
    held_recognized = sum(is_question(q.text, q.locale) for q in HELD_OUT) / len(HELD_OUT)
    results.emit("questions: held-out questions read as questions", held_recognized, "share")
    false = sum(is_question(text, locale) for locale, text in NOT_QUESTIONS) / len(NOT_QUESTIONS)
    results.emit(
        f"questions: false-question rate ({len(NOT_QUESTIONS)}, target ≤ 0.05)", false, "share"
    )
    quiet = sum(not matchers[q.market].match(q.text, q.locale) for q in UNANSWERABLE)
    results.emit("questions: off-topic questions with no match", quiet / len(UNANSWERABLE), "share")


def one_language(entries: Sequence[Entry], locale: str) -> tuple[Entry, ...]:
    """``entries`` as written in ``locale`` alone, without keywords."""
    return tuple(
        Entry(e.id, e.market, {locale: e.questions[locale]}, {locale: e.answers[locale]})
        for e in entries
    )


def across_languages() -> None:
    """Top-3 when the entries are in one language and the questions in the other two."""
    for written in LOCALES:
        matchers = {m: Matcher(one_language(entries_for(m), written)) for m in ("uk", "id")}
        asked = [q for q in (*QUESTIONS, *HELD_OUT) if q.locale != written]
        found = sum(
            q.expected in [m.entry.id for m in matchers[q.market].match(q.text, q.locale)]
            for q in asked
        )
        results.emit(
            f"questions: top-3, entries only in {written}, asked in the others",
            found / len(asked),
            "share",
        )


def speed(*, short: bool) -> None:
    """Milliseconds per ``match`` call at 500 entries, against the built-in entries alone.

    Through ``match`` itself, as the bot calls it: finding the kept index of an entry set
    (hashing its entries) is part of each call; building it is timed apart, once.
    """
    builtin = entries_for("uk")
    large = padded(builtin, ENTRIES)
    start = time.perf_counter()
    match("", large, "en")
    build = time.perf_counter() - start
    match("", builtin, "en")
    texts = [q.text for q in QUESTIONS]
    rounds = 1 if short else 5

    def per_match(entries: Sequence[Entry]) -> float:
        return per_call(lambda: _match_all(entries, texts), calls=rounds) / len(texts)

    baseline = per_match(builtin)
    results.emit(
        f"questions: match at {ENTRIES} entries (target ≤ 5 ms)",
        per_match(large) * 1e3,
        "ms",
        baseline * 1e3,
    )
    results.emit(f"questions: index build for {ENTRIES} entries", build * 1e3, "ms")


def _match_all(entries: Sequence[Entry], texts: Sequence[str]) -> None:
    for text in texts:
        match(text, entries, "en")


def main(*, short: bool = False) -> None:
    print("\nquestions: recognizer and FAQ matcher on the labelled set", flush=True)
    accuracy()
    across_languages()
    speed(short=short)


if __name__ == "__main__":
    main(short=results.short())
