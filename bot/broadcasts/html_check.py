"""Broadcast HTML read the way Telegram reads it, so what passes the check is what Telegram
takes, and a broadcast never fails per recipient with "can't parse entities".

Telegram's HTML parse mode is not a browser's HTML. The Bot API runs tdlib's
``parse_html``: every ``<`` opens a tag; a tag name runs to the next space or ``>`` and must
be one Telegram knows; attributes are ``name=value`` with a quoted value or a name token
(letters, digits, ``.``, ``-``); an end tag is ``</name>`` with nothing but spaces before
the ``>`` (``</>`` closes the innermost tag); entities are ``&lt; &gt; &amp; &quot;`` and
numeric ones. Python's ``html.parser`` is far more lenient: it took ``<?php …?>``,
``<!DOCTYPE html>`` and ``</b foo>`` silently, and each of those broadcasts then failed for
every recipient. So the text is walked by Telegram's grammar here, and refused with a
reason the admin can act on (``error_html_*``, in their language) wherever Telegram would
refuse it. Send is blocked by the same check (``compose.check_ready``).

On top of Telegram's grammar the check refuses what Telegram takes but the admin surely
did not mean: a tag outside the list below, an attribute Telegram would ignore, a link that
is not http(s) or ``tg://``, a named entity other than the four (Telegram shows ``&nbsp;``
as typed), a numeric entity Telegram would not decode. A bare ``&`` (``Q&A``) is sent
escaped: Telegram shows it as typed either way.

The visible length (tags removed, entities decoded) counts UTF-16 code units: at most 4,096
for a message, 1,024 for a photo's or a document's caption. ``tests/fakebotapi`` parses
independently, after tdlib, and the tests send what passes here through it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flows.errors import ValidationError

__all__ = ["CAPTION_LIMIT", "TEXT_LIMIT", "check_html", "visible_length"]

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
ALLOWED: dict[str, tuple[str, ...]] = {
    "b": (),
    "strong": (),
    "i": (),
    "em": (),
    "u": (),
    "ins": (),
    "s": (),
    "strike": (),
    "del": (),
    "tg-spoiler": (),
    "span": ("class",),
    "a": ("href",),
    "code": ("class",),
    "pre": (),
    "blockquote": ("expandable",),
}
"""Tag → the attributes it may carry (Telegram's tags, less ``tg-emoji``: a bot's custom
emoji need a paid username)."""
SPACE = " \t\r\n\v\0"  # tdlib's spaces; NUL ends a C string, so it ends a name too
NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
ENTITY = re.compile(r"&(?:#(\d+)|#x([0-9a-fA-F]+)|([a-zA-Z]+));")
BARE_AMPERSAND = re.compile(r"&(?![a-zA-Z]+;|#\d+;|#x[0-9a-fA-F]+;)")
"""An ``&`` that starts no entity: the admin meant the character."""
SPECIAL = re.compile("[&<]")
NAME_TOKEN = re.compile(r"[A-Za-z0-9.\-]*")
LINK = re.compile(r"^(https?://[^\s\"'<>]+|tg://\S+)$", re.IGNORECASE)


def check_html(text: str, *, caption: bool = False) -> str:
    """``text`` as Telegram will take it as HTML (a bare ``&`` escaped); ``ValidationError``
    names what is wrong."""
    text = BARE_AMPERSAND.sub("&amp;", text)
    visible = _Reader(text).read()
    if not visible.strip():
        raise ValidationError("error_html_empty")
    limit = CAPTION_LIMIT if caption else TEXT_LIMIT
    length = _utf16(visible)
    if length > limit:
        raise ValidationError("error_html_too_long", length=length, limit=limit)
    return text


def visible_length(text: str) -> int:
    """Telegram's length of checked HTML: UTF-16 code units of the text without its tags."""
    return _utf16(_Reader(BARE_AMPERSAND.sub("&amp;", text)).read())


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


@dataclass
class _Reader:
    """One pass over the text: the visible characters, or the first refusal."""

    text: str
    pos: int = 0
    visible: list[str] = field(default_factory=list)
    open: list[str] = field(default_factory=list)

    def at(self, offset: int = 0) -> str:
        index = self.pos + offset
        return self.text[index] if index < len(self.text) else ""

    def read(self) -> str:
        while self.pos < len(self.text):
            char = self.at()
            if char == "&":
                self.entity()
            elif char != "<":
                special = SPECIAL.search(self.text, self.pos)
                end = special.start() if special else len(self.text)
                self.visible.append(self.text[self.pos : end])
                self.pos = end
            elif self.at(1) == "/":
                self.end_tag()
            else:
                self.start_tag()
        if self.open:
            raise ValidationError("error_html_unclosed", tag=self.open[-1])
        return "".join(self.visible)

    def entity(self) -> None:
        match = ENTITY.match(self.text, self.pos)
        assert match is not None  # a bare "&" was escaped before reading
        decimal, hexadecimal, name = match.groups()
        if name is not None:
            if name not in NAMED:
                raise ValidationError("error_html_entity", entity=match.group())
            self.visible.append(NAMED[name])
        else:
            value = int(decimal, 10) if decimal is not None else int(hexadecimal, 16)
            # tdlib decodes at most 10 characters ("&#" and the digits, before ";"), never
            # 0, a surrogate (refused) or U+10FFFF and above (shown as typed)
            if len(match.group()) > 10 or not 0 < value < 0x10FFFF or 0xD800 <= value <= 0xDFFF:
                raise ValidationError("error_html_entity", entity=match.group())
            self.visible.append(chr(value))
        self.pos = match.end()

    def start_tag(self) -> None:
        begin = self.pos
        if self.at(1) in ("!", "?"):  # a comment, a declaration, a processing instruction
            markup = self.text[begin : self.text.find(">", begin) + 1 or begin + 12]
            raise ValidationError("error_html_declaration", markup=markup[:40])
        self.pos += 1
        name = self.name(stop=">")
        if not name or self.pos >= len(self.text):  # "a < b", a "<b" left unfinished
            raise ValidationError("error_html_bare")
        tag = name.lower()
        if tag not in ALLOWED:
            raise ValidationError("error_html_tag", tag=name)
        attributes = self.attributes(tag)
        if tag == "a" and not LINK.match(attributes.get("href", "")):
            raise ValidationError("error_html_link", link=attributes.get("href", ""))
        if tag == "span" and attributes.get("class") != "tg-spoiler":
            raise ValidationError("error_html_span")
        self.open.append(tag)

    def attributes(self, tag: str) -> dict[str, str]:
        found: dict[str, str] = {}
        while True:
            self.skip_spaces()
            if self.at() == ">":
                self.pos += 1
                return found
            if self.at() == "":
                raise ValidationError("error_html_bare")  # a tag left open at the end
            name = self.name(stop="=>")
            if not name:  # "<b =x>"
                raise ValidationError("error_html_attribute_syntax", tag=tag)
            self.skip_spaces()
            if self.at() != "=":
                if (tag, name) != ("blockquote", "expandable"):
                    raise ValidationError("error_html_attribute_syntax", tag=tag)
                value = ""
            else:
                self.pos += 1
                self.skip_spaces()
                value = self.value(tag)
            if name not in ALLOWED[tag]:
                raise ValidationError("error_html_attribute", tag=tag, attribute=name)
            found[name] = value

    def value(self, tag: str) -> str:
        quote = self.at()
        if quote in ("'", '"'):
            end = self.text.find(quote, self.pos + 1)
            if end < 0:
                raise ValidationError("error_html_attribute_syntax", tag=tag)
            raw, self.pos = self.text[self.pos + 1 : end], end + 1
            return ENTITY.sub(lambda m: NAMED.get(m.group(3) or "", m.group()), raw)
        token = NAME_TOKEN.match(self.text, self.pos)
        assert token is not None  # the pattern matches the empty string
        self.pos = token.end()
        if self.at() == "" or (self.at() not in SPACE and self.at() != ">"):
            raise ValidationError("error_html_attribute_syntax", tag=tag)
        return token.group().lower()

    def end_tag(self) -> None:
        begin = self.pos
        self.pos += 2
        name = self.name(stop=">")
        self.skip_spaces()
        if self.at() != ">":  # "</b foo>", or "</b" at the end
            raise ValidationError("error_html_end_tag", markup=self.text[begin : begin + 40])
        self.pos += 1
        tag = name.lower()
        if not self.open or (tag and tag != self.open[-1]):
            raise ValidationError("error_html_unbalanced", tag=name or "")
        self.open.pop()

    def name(self, *, stop: str) -> str:
        begin = self.pos
        while self.pos < len(self.text) and self.text[self.pos] not in SPACE + stop:
            self.pos += 1
        return self.text[begin : self.pos]

    def skip_spaces(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in SPACE[:-1]:  # not NUL
            self.pos += 1
