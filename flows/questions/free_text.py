"""A question typed where any text is a valid answer (a company name, a product title).

At most steps a question is simply no valid answer ("需要英国手机号吗？" is no phone
number), so ``is_question`` decides the rest. A step that takes free text accepts a
question as well, and a company may well be called "How Foods", "Who Gives A Crap" or
"什么值得买": there, taking an answer for a question costs the seller a step, and taking
a question for an answer costs them one ``/back``. So a free-text answer is a question
only when ``is_question`` says so *and* it carries a mark no name carries: a question
mark, a final Chinese question particle (吗, 呢), a question word at its very end
("NPWP itu apa", "then what"), or a question's opening no name starts with ("do I",
"how do", "apakah", "请问", "怎么").
"""

from __future__ import annotations

import re
import unicodedata

from flows.questions.recognizer import is_question

__all__ = ["asks_over_free_text"]

_MARKS = re.compile(
    "|".join(
        (
            r"[?？]",
            r"[吗嗎呢]\W*$",
            r"\b(?:what|why|how|when|where|apa|gimana|bagaimana|berapa|kapan|kenapa|mana|"
            r"siapa|ga|gak|nggak|ngga|enggak)\W*$",
            r"^(?:do|does|can|could|should|will|would|is|are|must)\s+(?:i|we|you|my|it)\s+\S+",
            r"^(?:how|what|where|when|why|which)\s+(?:do|does|can|should|is|are|to|long|much|"
            r"many)\b",
            r"^(?:apakah|bagaimana|gimana|berapa|kenapa|mengapa|bisakah|bolehkah|perlukah|"
            r"haruskah|mau tanya|tolong|mohon)\b",
            r"^(?:请问|请教|怎么|怎样|如何|为什么|为啥|是否|能不能|可不可以|需不需要|要不要)",
            r"怎么|咋|多久|多少|几[个天家位次年月号种件条]|哪[里些儿个]|(?<!^)什么|[么啊吧]\W*$",
            r"\b(?:how do|how to|how can|how long|how much|how many|do i|can i|should i|"
            r"what now|what next|what do|who do|who can|is that|is it ok)\b",
            r"^(?:whats|what s|is (?:the|a|an|my|there)|am i|can (?:one|a|the|buyers))\b",
            r"\b(?:berapa|brp|gimana|bagaimana|kenapa|dimana|di mana|yang mana|apa (?:aja|saja))\b",
            r"\b(?:apa|mana|ga|gak|nggak)\W*(?:ya|kak|min|sih|dong|nanti)?\W*$",
            r"\b(?:kak|min|gan|sis)\W*$",
        )
    )
)


def asks_over_free_text(text: str, locale: str) -> bool:
    """Whether ``text``, typed at a step that would take it, is a question all the same."""
    folded = unicodedata.normalize("NFKC", text).casefold().strip()
    return is_question(text, locale) and bool(_MARKS.search(folded))
