"""Turn what a phone keyboard typed into plain text before any rule looks at it.

Sellers answer from Chinese, English and Indonesian input methods. The same number
arrives as ``07911 123456``, ``０７９１１　１２３４５６`` (full-width digits and an
ideographic space from a Chinese IME), ``0812—3456—7890`` (a Chinese IME's dash) or
``01。234。567。8－901`` (its full stop and full-width hyphen). Text copied out of chat
apps and PDFs also carries invisible zero-width characters. Validators compare
against ASCII rules, so they first pass the answer through these helpers.

Everything here is pure and total: any string in, a string out, nothing refused.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "SEPARATORS",
    "clean_text",
    "compact",
    "strip_separators",
    "unify_dashes",
    "without_lone_surrogates",
]

# Invisible characters that copy-and-paste brings along; NFKC keeps them.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))

# Dashes that NFKC leaves alone: hyphen, non-breaking hyphen (NFKC turns it into the
# hyphen), figure dash, en and em dash (a Chinese IME's "-" key), horizontal bar, minus.
_DASHES = "\u2010\u2012\u2013\u2014\u2015\u2212"
_TO_HYPHEN_MINUS = str.maketrans(dict.fromkeys(_DASHES, "-"))

#: What people put between groups of digits, after NFKC: ASCII punctuation, the dashes
#: above, and Chinese punctuation NFKC keeps (ideographic full stop and comma, middle dots).
SEPARATORS = frozenset("-./()," + _DASHES + "\u3002\u3001\u00b7\u30fb")


def clean_text(raw: str) -> str:
    """NFKC-normalize, drop invisible characters, collapse whitespace runs, strip.

    NFKC folds full-width ASCII (``０``, ``Ａ``, ``＋``, ``＠``, ``－``) and the
    ideographic space into their ASCII forms, so later rules only see one spelling.
    """
    text = unicodedata.normalize("NFKC", raw).translate(_INVISIBLE)
    return " ".join(text.split())


def strip_separators(text: str) -> str:
    """Remove whitespace and every character in :data:`SEPARATORS`."""
    return "".join(c for c in text if c not in SEPARATORS and not c.isspace())


def compact(raw: str) -> str:
    """:func:`clean_text` then :func:`strip_separators`: the bare characters of a number."""
    return strip_separators(clean_text(raw))


def unify_dashes(text: str) -> str:
    """Replace the dash look-alikes with ``-`` (for codes where a dash is significant)."""
    return text.translate(_TO_HYPHEN_MINUS)


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def without_lone_surrogates(raw: str) -> str:
    """``raw`` with each lone surrogate (JSON may carry ``"\\ud800"``; no encoding can
    store or send it) replaced by U+FFFD, the replacement character."""
    return _LONE_SURROGATE.sub("\ufffd", raw)
