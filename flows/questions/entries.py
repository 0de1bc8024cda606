"""FAQ entries as plain data: the built-in ones per market, and a provider's on top.

An entry is what a seller may ask (question variants per language, plus keywords) and
what to answer (one text per language). The built-in entries live in ``faq/<market>.toml``
(``both.toml`` for what every market shares) because market rules change without a
release; a provider's per-cohort entries use the same ``Entry`` type and replace a
built-in entry with the same id (``entries_for``). Locales are the catalog folder names:
``en``, ``zh_Hans``, ``id``.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

__all__ = ["LOCALES", "MARKETS", "Entry", "builtin_entries", "entries_for", "entry_from_dict"]

LOCALES = ("en", "zh_Hans", "id")
MARKETS = ("uk", "id", "both")
FALLBACK_LOCALE = "en"


@dataclass(frozen=True)
class Entry:
    """One question a seller may ask and its answer, in up to three languages.

    ``market`` is ``"uk"``, ``"id"`` or ``"both"``. ``questions`` maps a locale to the
    ways a seller may ask (the first is the entry's title); ``answers`` maps a locale to
    the answer. Entries are hashable, so a matcher built for a tuple of them is cached.
    """

    id: str
    market: str
    questions: Mapping[str, tuple[str, ...]]
    answers: Mapping[str, str]
    keywords: tuple[str, ...] = ()
    _key: tuple[Any, ...] = field(init=False, repr=False, compare=False)
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.id:
            raise ValueError("a FAQ entry needs an id")
        if self.market not in MARKETS:
            raise ValueError(f"FAQ entry {self.id!r}: market must be one of {MARKETS}")
        unknown = (set(self.questions) | set(self.answers)) - set(LOCALES)
        if unknown:
            raise ValueError(f"FAQ entry {self.id!r}: unknown locale(s) {sorted(unknown)}")
        # An empty text is no text: a CSV row leaves a language's columns empty.
        questions = MappingProxyType(
            {
                k: kept
                for k, v in self.questions.items()
                if (kept := tuple(q for q in v if q.strip()))
            }
        )
        answers = MappingProxyType({k: v for k, v in self.answers.items() if v.strip()})
        if not questions or not answers:
            raise ValueError(f"FAQ entry {self.id!r} needs a question and an answer")
        object.__setattr__(self, "questions", questions)
        object.__setattr__(self, "answers", answers)
        object.__setattr__(self, "keywords", tuple(self.keywords))
        key = (
            self.id,
            self.market,
            tuple(sorted(questions.items())),
            tuple(sorted(answers.items())),
            self.keywords,
        )
        object.__setattr__(self, "_key", key)
        # Kept: ``match`` hashes every entry of a set on each call to find its index.
        object.__setattr__(self, "_hash", hash(key))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Entry) and self._key == other._key

    def __hash__(self) -> int:
        return self._hash

    def answer(self, locale: str) -> str:
        """The answer in ``locale``, else in English, else in any language it has."""
        return _in_locale(self.answers, locale)

    def title(self, locale: str) -> str:
        """The entry's first question in ``locale`` (else English, else any)."""
        return _in_locale({k: v[0] for k, v in self.questions.items()}, locale)

    def serves(self, market: str) -> bool:
        """Whether a seller of ``market`` may be shown this entry (before a seller has
        chosen a market, ``market`` is empty and every entry may be)."""
        return not market or self.market in (market, "both")


def _in_locale(texts: Mapping[str, str], locale: str) -> str:
    for candidate in (locale, FALLBACK_LOCALE, *texts):
        if candidate in texts:
            return texts[candidate]
    raise LookupError("an entry always has an answer")  # pragma: no cover (checked above)


def entry_from_dict(data: Mapping[str, Any], *, market: str | None = None) -> Entry:
    """An entry from plain data (a TOML table, a CSV row turned into a dict, JSON).

    ``market`` fills in the market when the data leaves it out (a file per market).
    A string where a list of questions is expected counts as a one-question list.
    """
    questions = {
        locale: (variants,) if isinstance(variants, str) else tuple(variants)
        for locale, variants in dict(data.get("questions", {})).items()
    }
    return Entry(
        id=str(data["id"]),
        market=str(data.get("market", market)),
        questions=questions,
        answers={locale: str(text).strip() for locale, text in dict(data["answers"]).items()},
        keywords=tuple(str(keyword) for keyword in data.get("keywords", ())),
    )


@cache
def builtin_entries() -> tuple[Entry, ...]:
    """Every built-in entry, of every market, in file order (read once)."""
    folder = resources.files(__package__).joinpath("faq")
    found: list[Entry] = []
    for market in MARKETS:
        data = tomllib.loads(folder.joinpath(f"{market}.toml").read_text(encoding="utf-8"))
        found.extend(entry_from_dict(table, market=market) for table in data["entry"])
    ids = [entry.id for entry in found]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"built-in FAQ ids used twice: {duplicates}")
    return tuple(found)


def entries_for(market: str, overrides: Iterable[Entry] = ()) -> tuple[Entry, ...]:
    """What a seller of ``market`` can be answered from: built-in entries, then a
    provider's, where a provider's entry replaces the built-in one with the same id."""
    own = {entry.id: entry for entry in overrides}
    merged = [own.pop(entry.id, entry) for entry in builtin_entries()] + list(own.values())
    return tuple(entry for entry in merged if entry.serves(market))
