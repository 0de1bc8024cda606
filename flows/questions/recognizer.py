"""Tell a question from an answer, in Chinese, English and Indonesian, without a model.

A seller mid-flow types either an answer to the current step (a company name, a number,
"yes", a product title, a greeting) or a question. The bot checks "is it a valid answer"
first; this module decides the rest, so it must not take answers for questions: a
company called "Can Do Trading Ltd" or "哪吒科技有限公司" is no question, "可以" and
"boleh" alone mean "OK", "y" means yes. A text is a question when it has:

1. a question mark, ASCII or full-width (？) — even a company name with one;
2. unless it names a company ("… Ltd", "PT …", "…有限公司"), any language's cues below:
   Chinese particles and interrogatives (吗, 呢, 什么, 怎么, 为什么, 多少, 哪, 是否,
   能不能, 可以…吗, 几天 …), English question words and inverted auxiliaries ("what",
   "how to", "do I", "is +86 ok"), Indonesian question words (apa, bagaimana, berapa,
   kapan, kenapa, mengapa, -kah, "bisa … ga"), requests ("please …", "tolong …", "请…"),
   and a problem described ("rejected", "doesn't work", "ditolak", "不通过"): a seller
   who says something fails is asking for help.

Every language's cues apply whatever the seller's locale, because sellers mix languages;
the locale adds only its own end-of-sentence tags ("…, right", "… ga", "…吧"), which
are too common in the other languages' answers to apply to everyone.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["is_question"]

_END = r"[\s!！。.~～]*$"

_CHINESE = re.compile(
    "|".join(
        (
            rf"(?:[吗嗎呢么麼嘛]|.了没有?){_END}",  # final particles; 好了没 "done yet?"
            r"什么|什麼|啥|怎么|怎麼|怎样|怎樣|咋|为什么|為什麼|为何|如何|请问|谁",
            r"多少|多久|多长|几[个张天家位次年月号种件条岁]",
            r"哪(?!吒)",  # 哪吒 is a name
            r"是否|能否|可否|能不能|可不可以|要不要|需不需要|用不用|有没有|是不是|会不会|行不行",
            r"^可以.+[吗嘛]|^能.+[吗嘛]",  # 可以 alone means "OK"
            r"^(?:请|帮我|我要|我想).{3,}",  # requests
        )
    )
)
_ENGLISH = re.compile(
    "|".join(
        (
            r"^(?:what|whats|wat|how|why|when|where|which|who|whom|whose|hw)\b",
            r"^(?:do|does|did|is|are|was|were|can|could|would|should|will|shall|may|must|am|"
            r"have|has)\s+\S+\s+\S+",  # "is +86 phone ok": an auxiliary first, two words on
            r"\b(?:what|why|how)(?:\s+(?:now|then|so|next))?$",
            r"^(?:please|pls|plz|kindly)\s+\S+\s+\S+",
            r"\b(?:how to|how do|how long|how much|how many|tell me|wondering|any idea|"
            r"i want to know|i would like to know|is it possible|what is|what are|what if|"
            r"what about|is that|is it|is this|can i|do i|should i|could i|will it|does it|"
            r"can we|do we|or not|any update|any news|who can|who do|who should|who will)\b",
        )
    )
)
_INDONESIAN = re.compile(
    "|".join(
        (
            r"\b(?:apa|apakah|apaan|bagaimana|gimana|gmn|gmana|berapa|brp|kapan|kenapa|knp|"
            r"napa|mengapa|dimana|di mana|mana|siapa|kok|caranya)\b",
            r"\b(?:ada|benar|bisa|boleh|dapat|harus|masih|perlu|sudah|wajib)kah\b",
            r"^(?:bisa|boleh|perlu|harus|wajib|mau tanya|tanya|cara)\s+\S+",  # not alone: "OK"
            r"^(?:tolong|mohon)\s+\S+\s+\S+",
            r"\b(?:bisa|boleh|perlu|harus|wajib|ada|mau)\b.*\b(?:ga|gak|nggak|ngga|enggak|"
            r"engga|gk)\b",  # "bisa COD ga kak"
        )
    )
)
_TROUBLE = re.compile(
    r"\b(?:not working|doesn t work|does not work|not accepted|rejected|refused|invalid|"
    r"error|(?:a|my|have|having|got|any) problems?|stuck|help me|need help|"
    r"don t understand|ditolak|gagal|tidak bisa|ga bisa|gak bisa|nggak bisa|bingung|"
    r"masalah|dibantu|bantu)\b|不行|不通过|没通过|被拒|驳回|报错|错误|无效|失败|不懂"
)
_TAGS = {
    "en": re.compile(r"\b(?:right|or not)$"),
    "id": re.compile(r"\b(?:ga|gak|nggak|ngga|enggak|tidak|tdk|kah|nggk|gk)$"),
    "zh_Hans": re.compile(rf"吧{_END}"),
}
_COMPANY = re.compile(
    r"\b(?:ltd|limited|llp|plc|inc|corp|co|tbk|gmbh)\.?$|^(?:pt|cv)\s"
    r"|(?:有限公司|有限责任公司|股份公司|公司|厂|商行|工作室)$"
)


def is_question(text: str, locale: str) -> bool:
    """Whether ``text`` reads as a question in Chinese, English or Indonesian."""
    folded = unicodedata.normalize("NFKC", text).casefold().strip()
    if "?" in folded:
        return True
    if not folded or _COMPANY.search(folded):
        return False
    words = " ".join(re.findall(r"[^\W_]+", folded))  # punctuation out: "don't" → "don t"
    if _CHINESE.search(folded) or _ENGLISH.search(words) or _INDONESIAN.search(words):
        return True
    if _TROUBLE.search(words) and (" " in words or len(words) > 3):  # not a bare "不行"
        return True
    tag = _TAGS.get(locale)
    return bool(tag and " " in words and tag.search(words))
