"""Turn a question in Chinese, English or Indonesian into the terms the matcher counts.

Sellers write without spaces in Chinese, mix Chinese with English ("UK phone 一定要吗"),
and type on phone keyboards (typos, full-width letters). One list of terms serves all three
languages, so a question matches an entry whatever language either was written in:

- Latin words (English, Indonesian, "UK", "COD", "NIK") become a word term (``w:phone``)
  plus character trigrams of the word with its edges marked (``g:#ph``, ``g:pho`` …), so
  "phnoe" or "undagan" still shares most of its trigrams with the right word;
- a run of Chinese characters becomes its character bigrams (``b:手机``, ``b:机号``) and
  its characters (``c:手``), which is how Chinese search engines index text without a
  word segmenter;
- words and phrases of one meaning in any of the three languages ("邀请码", "invite
  code", "kode undangan") add their concept's term (``k:invite_code``, from
  ``flows.questions.glossary``), so a question meets an entry in another language;
- words that every question has ("how", "吗", "apakah") are dropped: they say a text is a
  question (``flows.questions.recognizer``), not which one.

Everything here is pure and total: any string in, a list of terms out.
"""

from __future__ import annotations

import re
import unicodedata

from flows.questions.glossary import concepts

__all__ = ["KIND_WEIGHTS", "terms"]

_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[0-9a-z\u00c0-\u024f]+")

# Function words of the three languages: pronouns, articles, auxiliaries, interrogatives,
# particles and chat fillers ("kak", "min" address the admin in Indonesian chats).
_STOP_WORD_LIST = """
    a an the i me my we our you your it its is are am was were be been do does did doing
    can could would should will shall may might must have has had to of for in on at by
    with from about as and or if so this that these there what whats how why when where
    which who whom whose please pls plz tell know want wanna any anyone someone hi hello
    hey thanks thank ok okay just also still really get got need needs needed
    saya aku gue gw kami kita anda kamu apa apakah bagaimana gimana gmn berapa kapan
    kenapa mengapa knp dimana mana siapa yang di ke dari untuk utk buat ini itu dan atau
    ya yah ga gak nggak ngga enggak tidak tdk bukan kah sih dong deh nih kak kakak min
    mimin admin gan bang sis mas mbak bro halo hai tolong mohon bisakah bolehkah adalah
    ada akan sudah udah belum harus perlu bisa boleh mau ingin pakai pake
"""
_STOP_WORDS = frozenset(_STOP_WORD_LIST.split())
_STOP_CHARS = frozenset("吗呢吧啊呀嘛么的了我你他她是在有和与就都也还请问要能会个这那怎")

KIND_WEIGHTS = {"w": 1.0, "g": 0.3, "b": 1.0, "c": 0.4, "k": 1.0}
"""How much one term of each kind counts: a whole word, a bigram or a concept says more
than a trigram or a single character (tuned on the labelled questions, see
bench/bench_questions.py)."""


def terms(text: str) -> list[str]:
    """The terms of ``text``, in order and repeated as often as they occur, then its
    concepts, once each."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    found: list[str] = []
    for run in _RUN.findall(folded):
        if run[0].isascii() or not _is_han(run[0]):
            found.extend(_latin_terms(run))
        else:
            found.extend(_han_terms(run))
    found.extend(f"k:{concept}" for concept in sorted(concepts(folded)))
    return found


def _is_han(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff"


def _latin_terms(word: str) -> list[str]:
    if word in _STOP_WORDS:
        return []
    found = [f"w:{word}"]
    if len(word) > 3 and not word.isdigit():
        marked = f"#{word}#"
        found.extend(f"g:{marked[i : i + 3]}" for i in range(len(marked) - 2))
    return found


def _han_terms(run: str) -> list[str]:
    found = [f"c:{char}" for char in run if char not in _STOP_CHARS]
    found.extend(
        f"b:{run[i : i + 2]}"
        for i in range(len(run) - 1)
        if not (run[i] in _STOP_CHARS and run[i + 1] in _STOP_CHARS)
    )
    return found
