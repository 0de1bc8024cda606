"""Find the FAQ entries that answer a seller's question: BM25 over words and n-grams.

Each entry is one document: its question variants in every language and its keywords,
plus its answers at ``ANSWER_WEIGHT`` (BM25F's weighted term frequency: an answer names
things a seller asks about, "BB guns", "giffgaff", but less reliably than a question),
all turned into terms by ``flows.questions.tokens``. A question is scored with Okapi BM25
(Lucene's variant) through an inverted index, so it costs time in proportion to its
terms' postings, not to the number of entries.

Why not a library: ``bm25s`` (measured on the question terms: the same top-3 accuracy, no
per-kind weights, 0.27 ms against 0.24 ms a query at 500 entries) brings NumPy and SciPy
into the domain for the dozen lines of ``Matcher.__init__`` and ``Matcher.scores``;
``rank-bm25`` is unmaintained and scores every document for every term.

A raw BM25 score has no scale, so it is divided by the score a document holding every
term of the question would get: 1.0 means every term matched; terms no entry has (an
off-topic question) pull it down. Below ``THRESHOLD`` an entry is no good match; an entry
far behind the best one (``RELATIVE``) is not shown beside it.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from flows.questions.entries import Entry
from flows.questions.tokens import KIND_WEIGHTS, terms

__all__ = ["RELATIVE", "THRESHOLD", "Match", "Matcher", "match"]

THRESHOLD = 0.12
"""The least normalized score of an entry worth showing (tuned on the labelled set, where
the right entries score 0.27 or more for 95 % of questions, off-topic ones 0.11 at most
but one)."""
RELATIVE = 0.3
"""An entry scoring less than this share of the best one is not shown beside it."""
LIMIT = 3
ANSWER_WEIGHT = 0.3
"""How much a term in an answer counts against one in a question or keyword."""
CONCEPT_SHARE = 0.4
"""How much matching the question's concepts alone counts against matching all its terms."""
_K1 = 1.2
_B = 0.5  # documents differ in length mostly by how many variants they have, not topic


@dataclass(frozen=True)
class Match:
    """An entry that may answer the question, with its title and answer in the locale."""

    entry: Entry
    score: float  # 0..1: the share of the question's weight the entry matched
    question: str
    answer: str


class Matcher:
    """An index of a fixed set of entries; build it once per set, ask it many times."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        self.entries: tuple[Entry, ...] = tuple(entries)
        documents = [_document(entry) for entry in self.entries]
        count = len(documents)
        average = sum(sum(d.values()) for d in documents) / count if count else 1.0
        frequencies: Counter[str] = Counter()
        for document in documents:
            frequencies.update(set(document))
        self._unknown_idf = _idf(count, 0)
        self._idf = {term: _idf(count, df) for term, df in frequencies.items()}
        # A posting holds the term's whole BM25 contribution to one entry (kind weight ×
        # idf × the term-frequency part), so a question only adds numbers up.
        self._postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for number, document in enumerate(documents):
            norm = _K1 * (1 - _B + _B * sum(document.values()) / average)
            for term, tf in document.items():
                weight = KIND_WEIGHTS[term[0]] * self._idf[term]
                self._postings[term].append((number, weight * tf * (_K1 + 1) / (tf + norm)))

    def match(self, text: str, locale: str, *, limit: int = LIMIT) -> list[Match]:
        """The best entries for ``text``, best first: at most ``limit``, none below the
        threshold, none far behind the best (an empty list: no good match)."""
        scores = self.scores(text)
        ranked = heapq.nlargest(limit, scores.items(), key=lambda item: item[1])
        if not ranked or ranked[0][1] < THRESHOLD:
            return []
        floor = max(THRESHOLD, RELATIVE * ranked[0][1])
        shown = [(self.entries[n], score) for n, score in ranked if score >= floor]
        return [Match(e, score, e.title(locale), e.answer(locale)) for e, score in shown]

    def scores(self, text: str) -> dict[int, float]:
        """Each matching entry's position and normalized score (0..1), in no order.

        The score is the better of two shares: of all the question's terms, and (times
        ``CONCEPT_SHARE``) of its concepts alone. A Chinese question against an entry
        written only in English matches concepts but none of its characters, which would
        otherwise sink it below the threshold however well it matches.
        """
        asked = set(terms(text))
        best = best_concepts = 0.0  # what an entry holding every term would score
        for term in asked:
            most = KIND_WEIGHTS[term[0]] * self._idf.get(term, self._unknown_idf) * (_K1 + 1)
            best += most
            if term[0] == "k":
                best_concepts += most
        if not best:
            return {}
        raw: dict[int, float] = defaultdict(float)
        raw_concepts: dict[int, float] = defaultdict(float)
        for term in asked & self._postings.keys():
            postings = self._postings[term]
            for number, contribution in postings:
                raw[number] += contribution
            if term[0] == "k":
                for number, contribution in postings:
                    raw_concepts[number] += contribution
        concept_scale = CONCEPT_SHARE / best_concepts if best_concepts else 0.0
        return {
            number: max(score / best, raw_concepts.get(number, 0.0) * concept_scale)
            for number, score in raw.items()
        }


def match(text: str, entries: Sequence[Entry], locale: str) -> list[Match]:
    """The best one to three entries for ``text`` (see ``Matcher.match``).

    The index of a set of entries is built once and kept (the last few sets), so calling
    this per message is cheap as long as the caller passes the same entries.
    """
    return _matcher(tuple(entries)).match(text, locale)


@lru_cache(maxsize=32)
def _matcher(entries: tuple[Entry, ...]) -> Matcher:
    return Matcher(entries)


def _document(entry: Entry) -> dict[str, float]:
    """How often each term occurs in the entry: in its questions and keywords, and, worth
    ``ANSWER_WEIGHT`` each, in its answers (BM25F's weighted term frequency)."""
    found: dict[str, float] = defaultdict(float)
    for text in (*(q for variants in entry.questions.values() for q in variants), *entry.keywords):
        for term in terms(text):
            found[term] += 1
    for answer in entry.answers.values():
        for term in terms(answer):
            found[term] += ANSWER_WEIGHT
    return found


def _idf(documents: int, frequency: int) -> float:
    """Lucene's BM25 idf: never negative, even for a term most documents have."""
    return math.log(1 + (documents - frequency + 0.5) / (frequency + 0.5))
