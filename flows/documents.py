"""Turn what OCR read off a licence or a KTP into the answers a seller would type.

The reader (``bot/documents``) hands over text lines; this module finds the labelled
fields and returns a :class:`Proposal`. A code is proposed only when it passes the very
validator a typed answer meets (:mod:`flows.validators`), and only when the reading is
unambiguous. OCR mixes up ``O``/``0``, ``I``/``1``, ``Z``/``2``, ``S``/``5``, ``B``/``8``
and friends: where only one of the two may stand (a NIK holds digits only; a USCC never
holds ``I``, ``O``, ``Z``, ``S`` or ``V``, and its first eight are digits) the look-alike
is replaced; where both may, nothing is guessed. A KTP's NIK must also agree with what
the card prints beside it (the date of birth, the sex, the province): sixteen digits have
no check digit, so the card's own words are the check. Two different valid readings of
one field propose neither. A wrong proposal costs the seller more than none.

Nothing here saves anything; the flow offers a proposal and saves it only on a tap.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from stdnum import numdb

from flows import validators
from flows.errors import ValidationError
from flows.normalize import clean_text

__all__ = ["FIELDS", "DocumentKind", "Proposal", "TextLine", "complete", "propose", "rows"]

DocumentKind = Literal["licence", "ktp"]

#: What a reading of each kind may propose, by step id.
FIELDS: dict[DocumentKind, frozenset[str]] = {
    "licence": frozenset({"uscc", "company_name", "legal_representative"}),
    # Not the KTP's name: RapidOCR drops the narrow space between two of its words one time
    # in three on these photos ("SITISETIAWAN"), and a wrong name is worse than none.
    "ktp": frozenset({"nik"}),
}


@dataclass(frozen=True)
class TextLine:
    """One line OCR read, with its box ``(left, top, right, bottom)`` in pixels when known."""

    text: str
    box: tuple[float, float, float, float] | None = None


@dataclass(frozen=True)
class Proposal:
    """Answers read off a document, keyed by step id (``uscc``, ``company_name``, ``nik``…).

    Every value is already in the canonical spelling the step's validator returns.
    """

    kind: DocumentKind
    fields: dict[str, str] = field(default_factory=dict)


# Look-alikes OCR confuses, as (read, meant). Digit positions only take digits.
_AS_DIGIT = str.maketrans("OoQDUIl|!iZzSsBbGTgq", "00000111111225586679")
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# Letters a USCC never holds (I, O, Z, S, V) and what they were surely meant to be.
_USCC_FORCED = str.maketrans("IOZSV", "1025U")

_CJK = re.compile(r"[\u3400-\u9fff]")
_LABEL_END = re.compile(r"^[\s:：;.,、|]+")


def rows(lines: Sequence[TextLine]) -> list[str]:
    """Lines that share a row joined left to right (two spaces between them), top to bottom.

    Engines that return one box per phrase (RapidOCR) split ``名称`` from its value; the
    boxes must be level (the reader turns a tilted photo's boxes back). Lines without a box
    are kept as they are, in order.
    """
    boxed = [line for line in lines if line.box is not None]
    if not boxed:
        return [line.text for line in lines]
    items = []
    for line in boxed:
        left, top, _, bottom = line.box  # type: ignore[misc]
        items.append(((top + bottom) / 2, left, bottom - top, line.text))
    items.sort()
    grouped: list[list[tuple[float, float, float, str]]] = []
    for item in items:
        if grouped and abs(item[0] - _mean_y(grouped[-1])) < 0.5 * min(item[2], grouped[-1][0][2]):
            grouped[-1].append(item)
        else:
            grouped.append([item])
    return ["  ".join(text for _, _, _, text in sorted(row, key=lambda i: i[1])) for row in grouped]


def _mean_y(row: list[tuple[float, float, float, str]]) -> float:
    return sum(item[0] for item in row) / len(row)


def propose(kind: DocumentKind, lines: Sequence[TextLine] | Sequence[str]) -> Proposal:
    """The answers ``lines`` support for a ``kind`` document (possibly none)."""
    texts = rows([TextLine(x) if isinstance(x, str) else x for x in lines])
    texts = [clean_text(text) for text in texts]
    found = _licence(texts) if kind == "licence" else _ktp(texts)
    return Proposal(kind, {key: value for key, value in found.items() if value})


def complete(kind: DocumentKind, lines: Sequence[TextLine]) -> bool:
    """Whether reading further down the page could not change the proposal.

    Lets the reader stop early: the fields sit at the top of both documents. A licence is
    done once its three fields are found; a KTP once its sex is read (the row below the
    date of birth, the last thing the NIK is checked against, below the name).
    """
    if kind == "ktp":
        return any(re.search("LAKI|PEREMPUAN", line.text.upper()) for line in lines)
    return FIELDS[kind] <= propose(kind, lines).fields.keys()


# --- the licence ------------------------------------------------------------------------

_LICENCE_LABELS = ("注册资本", "成立日期", "营业期限", "住所", "类型", "经营范围", "登记机关")


# What a firm's name ends with: its form (…有限公司, …厂, …合伙企业…). A name read without
# one was cut short, most often where a long name wraps onto a second line.
_NAME_ENDINGS = ("公司", "厂", "店", "中心", "企业", "部", "社", "行", "所", "场", "馆", "院")


def _licence(texts: list[str]) -> dict[str, str | None]:
    texts = _unwrapped(texts, "名称")
    return {
        "uscc": _unique(c for text in texts for c in _uscc_candidates(text)),
        "company_name": _after_label(texts, "名称", _company_name),
        "legal_representative": _after_label(texts, "法定代表人", _person_zh),
    }


def _uscc_candidates(text: str) -> Iterable[str]:
    """Each valid USCC in ``text``: a run of exactly 18 code characters, look-alikes fixed.

    Only letters a USCC never holds are replaced (``O`` → ``0`` and so on): a swap between
    two characters a code may hold (``8``/``B``) would pass the check one time in 31 and
    propose another firm's code, so such a reading is dropped instead. Column gaps (two
    spaces or more) end a run; a single space inside it is OCR's.
    """
    for piece in re.split(r"\s{2,}", text):
        run = re.sub(r"[\s\-]", "", piece).upper().translate(_USCC_FORCED)
        for match in re.finditer(
            f"(?<![{_USCC_ALPHABET}])[{_USCC_ALPHABET}]{{18}}(?![{_USCC_ALPHABET}])", run
        ):
            code = match.group()[:8].translate(_AS_DIGIT) + match.group()[8:]
            if _valid(validators.uscc, code):
                yield code


def _unwrapped(texts: list[str], label: str) -> list[str]:
    """``texts`` with a value that wrapped onto the next row joined back after its label.

    A licence prints a long company name on two lines, the second under the first; the
    value is joined with the next row's first column only when it was cut short (no firm's
    form at its end) and the join ends with one.
    """
    pattern = re.compile(r"\s*".join(map(re.escape, label)))
    for i, text in enumerate(texts[:-1]):
        match = pattern.search(text)
        if match is None:
            continue
        value = _cut_at_labels(_LABEL_END.sub("", text[match.end() :]))
        following = _cut_at_labels(texts[i + 1])
        if (
            value
            and following
            and following == re.split(r"\s{2,}", texts[i + 1].strip())[0]  # no label before it
            and not value.endswith(_NAME_ENDINGS)
            and (value + following).replace(" ", "").endswith(_NAME_ENDINGS)
        ):
            joined = list(texts)
            joined[i] = text[: match.end()] + text[match.end() :].replace(
                value, value + following, 1
            )
            return joined
        return texts
    return texts


def _company_name(value: str) -> str | None:
    value = _cut_at_labels(value).replace(" ", "")
    if "公司" in value:  # what a row's next column adds after the name (a date, a sum)
        value = value[: value.rindex("公司") + 2]
    if not value.endswith(_NAME_ENDINGS):  # cut short: never half a name
        return None
    if len(_CJK.findall(value)) < 4 or not _valid(validators.company_name, value):
        return None
    return validators.company_name(value)


def _person_zh(value: str) -> str | None:
    match = re.match(r"[\u3400-\u9fff·]{2,6}", _cut_at_labels(value).replace(" ", ""))
    return match.group() if match else None


def _cut_at_labels(value: str) -> str:
    """The value alone: the next column's label and what follows it are cut off."""
    value = re.split(r"\s{2,}", value.strip())[0]
    for label in _LICENCE_LABELS:
        value = value.split(label)[0]
    return value.strip()


# --- the KTP ----------------------------------------------------------------------------


def _ktp(texts: list[str]) -> dict[str, str | None]:
    nik = _after_label(texts, "NIK", _nik)
    if nik is None:  # the label misread: any line holding sixteen digits
        nik = _unique(n for text in texts if (n := _nik(text)) is not None)
    if nik is not None and not _agrees_with_card(nik, texts):
        nik = None
    return {"nik": nik}


def _nik(value: str) -> str | None:
    run = re.sub(r"[\s.:;]", "", value)
    for match in re.finditer(r"[0-9OoQDUIl|!iZzSsBbGTgq]{16,}", run):
        digits = match.group().translate(_AS_DIGIT)
        if len(digits) == 16 and _valid(validators.nik, digits):
            return digits
    return None


def _agrees_with_card(nik: str, texts: list[str]) -> bool:
    """Whether the NIK's date, sex and province agree with what the card says, where read."""
    joined = "\n".join(texts).upper()
    day = int(nik[6:8])
    female, day = day > 40, day % 40
    if (born := re.search(r"(\d{2})\s*[-./]\s*(\d{2})\s*[-./]\s*\d{2}(\d{2})", joined)) and (
        (int(born[1]), int(born[2]), int(born[3])) != (day, int(nik[8:10]), int(nik[10:12]))
    ):
        return False
    if ("PEREMPUAN" in joined and not female) or ("LAKI" in joined and female):
        return False
    province = re.search(r"PROVINSI\s*([A-Z .]+)", joined)
    expected = str(numdb.get("id/loc").info(nik[:2])[0][1].get("name_id", "")).upper()
    return not (province and expected) or _shares_a_word(province[1], expected)


def _shares_a_word(read: str, expected: str) -> bool:
    """Whether a word of the province's name is in the card's header, give or take a letter.

    The card abbreviates ("DKI JAKARTA" for Daerah Khusus Ibukota Jakarta) and OCR may
    drop the space between words, so one distinctive word in common is agreement; none at
    all is a different province.
    """
    names = [
        name
        for name in expected.split()
        if len(name) >= 4 and name not in ("DAERAH", "KHUSUS", "ISTIMEWA", "IBUKOTA")
    ]
    squeezed = read.replace(" ", "")
    words = [word for word in re.split(r"[\s.]+", read) if len(word) >= 4]
    return any(name in squeezed for name in names) or any(
        difflib.SequenceMatcher(None, word, name).ratio() >= 0.8 for name in names for word in words
    )


# --- shared -----------------------------------------------------------------------------


def _after_label(texts: list[str], label: str, parse: Callable[[str], str | None]) -> str | None:
    """The first line holding ``label`` (letters may be spaced) parsed by ``parse``."""
    spaced = r"\s*".join(map(re.escape, label))
    pattern = re.compile(spaced, re.IGNORECASE)
    for i, text in enumerate(texts):
        if match := pattern.search(text):
            value = _LABEL_END.sub("", text[match.end() :])
            if value and (parsed := parse(value)) is not None:
                return parsed
            if not value and i + 1 < len(texts) and (parsed := parse(texts[i + 1])):
                return parsed  # the value landed on a row of its own
    return None


def _unique(candidates: Iterable[str]) -> str | None:
    """The one value ``candidates`` agree on; None for none or for two that disagree."""
    found = set(candidates)
    return found.pop() if len(found) == 1 else None


def _valid(validator: Callable[[str], object], raw: str) -> bool:
    try:
        validator(raw)
    except ValidationError:
        return False
    return True
