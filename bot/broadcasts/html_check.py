"""Telegram HTML checked before anything is queued, so a broadcast never fails per recipient.

Telegram refuses the whole message ("can't parse entities") for an unknown or unbalanced
tag, a bare ``<`` or ``&``, or a text over its limit; the limit counts the *visible* text
(tags removed, entities decoded) in UTF-16 code units: 4,096 for a message, 1,024 for a
photo's or a document's caption.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from flows.errors import ValidationError

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
ALLOWED = {
    "b": (),
    "i": (),
    "u": (),
    "s": (),
    "a": ("href",),
    "code": ("class",),
    "pre": (),
    "tg-spoiler": (),
    "blockquote": ("expandable",),
}
"""Tag → the attributes it may carry (the brief's list; Telegram knows a few more)."""
ENTITIES = {"lt", "gt", "amp", "quot"}
LINK = re.compile(r"^(https?://[^\s\"'<>]+|tg://\S+)$", re.IGNORECASE)


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.open: list[str] = []
        self.visible: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED:
            raise ValidationError("error_html_tag", tag=tag)
        for name, value in attrs:
            if name not in ALLOWED[tag]:
                raise ValidationError("error_html_attribute", tag=tag, attribute=name)
            if name == "href" and not LINK.match(value or ""):
                raise ValidationError("error_html_link", link=value or "")
        if tag == "a" and not any(name == "href" for name, _ in attrs):
            raise ValidationError("error_html_link", link="")
        self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raise ValidationError("error_html_tag", tag=f"{tag}/")

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            raise ValidationError("error_html_unbalanced", tag=tag)
        self.open.pop()

    def handle_data(self, data: str) -> None:
        if "<" in data:
            raise ValidationError("error_html_bare")
        self.visible.append(data)

    def handle_entityref(self, name: str) -> None:
        if name not in ENTITIES:
            raise ValidationError("error_html_entity", entity=f"&{name};")
        self.visible.append(html.unescape(f"&{name};"))

    def handle_charref(self, name: str) -> None:
        self.visible.append(html.unescape(f"&#{name};"))

    def unknown_decl(self, data: str) -> None:
        raise ValidationError("error_html_bare")

    def handle_comment(self, data: str) -> None:
        raise ValidationError("error_html_bare")


def visible_length(text: str) -> int:
    """Telegram's length: UTF-16 code units of the text without its tags."""
    checker = _Checker()
    checker.feed(text)
    checker.close()
    return len("".join(checker.visible).encode("utf-16-le")) // 2


BARE_AMPERSAND = re.compile(r"&(?![a-zA-Z]+;|#\d+;|#x[0-9a-fA-F]+;)")
"""An ``&`` that starts no entity: Telegram refuses it, the admin meant the character."""


def check_html(text: str, *, caption: bool = False) -> str:
    """``text`` as Telegram will take it as HTML (a bare ``&`` escaped);
    ``ValidationError`` names what is wrong."""
    if not text.strip():
        raise ValidationError("error_html_empty")
    text = BARE_AMPERSAND.sub("&amp;", text)  # "Q&A" means what it says: escape, not refuse
    checker = _Checker()
    checker.feed(text)
    checker.close()
    if checker.rawdata:  # an unfinished tag at the end ("<b")
        raise ValidationError("error_html_bare")
    if checker.open:
        raise ValidationError("error_html_unclosed", tag=checker.open[-1])
    limit = CAPTION_LIMIT if caption else TEXT_LIMIT
    length = len("".join(checker.visible).encode("utf-16-le")) // 2
    if length > limit:
        raise ValidationError("error_html_too_long", length=length, limit=limit)
    return text
