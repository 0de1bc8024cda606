"""Concepts: the words of one meaning across Chinese, English and Indonesian.

BM25 only meets words it has seen: "邀请码" and "invite code" share no letter, nor do
"declined" and "rejected". ``glossary.toml`` lists, per concept, the words and phrases
sellers use for it in the three languages; a text containing any of them gets the
concept's term (``k:invite_code``), so a question meets an entry written in another
language, or in other words. A provider's entry written in one language is then still
found by sellers asking in the other two (bench/bench_questions.py measures it).

Latin phrases match as whole words (longest first, so "shop name" is not also "shop");
Chinese ones match anywhere, since Chinese has no spaces.
"""

from __future__ import annotations

import re
import tomllib
from importlib import resources

__all__ = ["concepts"]


def _load() -> tuple[re.Pattern[str], dict[str, str], tuple[tuple[str, str], ...]]:
    data = tomllib.loads(
        resources.files(__package__).joinpath("glossary.toml").read_text(encoding="utf-8")
    )
    latin: dict[str, str] = {}
    han: list[tuple[str, str]] = []
    for concept, phrases in data["concepts"].items():
        for phrase in phrases:
            if phrase.isascii():
                latin[phrase] = concept
            else:
                han.append((phrase, concept))
    alternatives = "|".join(re.escape(p) for p in sorted(latin, key=len, reverse=True))
    pattern = re.compile(rf"(?<![0-9a-z])(?:{alternatives})(?![0-9a-z])")
    return pattern, latin, tuple(han)


_LATIN_PATTERN, _LATIN, _HAN = _load()


def concepts(folded: str) -> set[str]:
    """The concepts named in ``folded`` (NFKC-normalized, case-folded text)."""
    folded = " ".join(folded.split())  # "invite  code" as typed is "invite code"
    found = {_LATIN[phrase] for phrase in _LATIN_PATTERN.findall(folded)}
    found.update(concept for phrase, concept in _HAN if phrase in folded)
    return found
