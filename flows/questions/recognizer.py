"""Tell a question from an answer, in Chinese, English and Indonesian, without a model.

A seller mid-flow types either an answer to the current step (a company name, a number,
"yes", a product title, a greeting) or a question. The bot checks "is it a valid answer"
first; this module decides the rest, so it must not take answers for questions: a
company called "Can Do Trading Ltd" or "哪吒科技有限公司" is no question, "可以" and
"boleh" alone mean "OK". The cues, strongest first:

1. a question mark, ASCII or full-width (？);
2. Chinese: a final particle (吗, 呢, 么) or an interrogative word (什么, 怎么, 为什么,
   多少, 哪, 是否, 能不能, 可以…吗, 有没有, 几天 …);
3. English: a leading question word (what, how, why …) or an auxiliary followed by a
   subject ("do I", "is it", "can we"), or "how to" / "tell me" anywhere;
4. Indonesian: a question word anywhere (apa, bagaimana, berapa, kapan, kenapa, mengapa,
   dimana …), a question word with -kah (apakah, bisakah, perlukah), or a leading "bisa" /
   "boleh" / "perlu" / "harus" with more words after it, or a final "ga" / "nggak" /
   "tidak" tag ("perlu kode undangan ga").

A text that names a company ("… Ltd", "PT …", "…有限公司") is an answer unless it carries a
question mark. Every language's cues apply whatever the seller's locale, because sellers
mix languages; the locale only adds its own tag words (see ``_TAGS``).
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["is_question"]

_CHINESE_WORDS = re.compile(
    r"什么|什麼|啥|怎么|怎麼|怎样|怎樣|咋|为什么|為什麼|为何|多少|多久|多长|几天|几个|几家|"
    r"哪(?!吒)|是否|能否|可否|能不能|可不可以|要不要|需不需要|用不用|有没有|是不是|会不会|"
    r"行不行|对不对|如何|请问|谁|几[个张天家位次年月号种件条岁]|^可以.+[吗嘛]|^能.+[吗嘛]"
)
_CHINESE_FINAL = re.compile(r"(?:[吗嗎呢么麼嘛]|.了没有?)[\s!！。.~～]*$")

_EN_LEADING = re.compile(
    r"^(?:what|whats|wat|how|why|when|where|which|who|whom|whose|hw)\b"
    r"|^(?:do|does|did|is|are|was|were|can|could|would|should|will|shall|may|must|am|have|"
    r"has)\s+\S+\s+\S+"
    r"|\b(?:what|why|how)(?:\s+(?:now|then|so))?$"
)
_EN_ANYWHERE = re.compile(
    r"\b(?:how to|how do|how long|how much|how many|tell me|wondering|any idea|"
    r"i want to know|i would like to know|is it possible|do i need|what is|what are|"
    r"what if|what about|is that|is it|is this|can i|do i|should i|could i|will it|does it|"
    r"can we|do we|or not|any update|any news)\b"
)
_ID_WORDS = re.compile(
    r"\b(?:apa|apakah|apaan|bagaimana|gimana|gmn|gmana|berapa|brp|kapan|kenapa|knp|napa|"
    r"mengapa|dimana|di mana|mana|siapa|yang mana)\b"
    r"|\bkok\b|\b(?:ada|benar|bisa|boleh|dapat|harus|masih|perlu|sudah|wajib)kah\b"
)
_ID_LEADING = re.compile(
    r"^(?:bisa|boleh|perlu|harus|wajib|mau tanya|tanya|cara)\s+\S+|\bcaranya\b"
    r"|\b(?:bisa|boleh|perlu|harus|wajib|ada|mau)\b.*\b(?:ga|gak|nggak|ngga|enggak|engga|gk)\b"
)
_TAGS = {
    "id": re.compile(r"\b(?:ga|gak|nggak|ngga|enggak|tidak|tdk|kah|nggk|gk)\s*$"),
    "en": re.compile(r"\b(?:right|or not)\s*$"),
    "zh_Hans": re.compile(r"[吧][\s!！。.~～]*$"),
}
# A seller describing a problem asks for help, whatever the grammar.
_TROUBLE = re.compile(
    r"\b(?:not working|doesn t work|does not work|not accepted|rejected|refused|invalid|"
    r"error|(?:a|my|have|having|got|any) problems?|stuck|help me|need help|"
    r"don t understand|ditolak|gagal|tidak bisa|ga bisa|gak bisa|nggak bisa|bingung|"
    r"masalah|dibantu|bantu)\b|不行|不通过|没通过|被拒|驳回|报错|错误|无效|失败|不懂"
)
_COMPANY = re.compile(
    r"(?:\b(?:ltd|limited|llp|plc|inc|corp|co|tbk|gmbh)\.?$)|(?:^(?:pt|cv)\s)"
    r"|(?:有限公司|有限责任公司|股份公司|公司|厂|商行|工作室)$"
)


def is_question(text: str, locale: str) -> bool:
    """Whether ``text`` reads as a question in Chinese, English or Indonesian."""
    folded = unicodedata.normalize("NFKC", text).casefold().strip()
    if not folded:
        return False
    if "?" in folded:
        return True
    if _COMPANY.search(folded):
        return False
    if _CHINESE_FINAL.search(folded) or _CHINESE_WORDS.search(folded):
        return True
    words = " ".join(re.findall(r"[^\W_]+", folded))
    if _EN_LEADING.search(words) or _EN_ANYWHERE.search(words):
        return True
    if _ID_WORDS.search(words) or _ID_LEADING.search(words):
        return True
    if _TROUBLE.search(words) and (len(words.split()) > 1 or len(folded) > 3):
        return True
    tag = _TAGS.get(locale)
    return bool(tag and len(words.split()) > 1 and tag.search(words))
