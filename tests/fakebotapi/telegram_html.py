"""Telegram's HTML parse mode as the Bot API runs it: tdlib's ``parse_html``, step by step.

Written from tdlib's ``td/telegram/MessageEntity.cpp`` (``parse_html``,
``decode_html_entity``) and its tests, byte for byte as that C++ reads a NUL-terminated
UTF-8 string: ``at(i)`` past the end is ``0``, "space" includes NUL. Kept deliberately
unlike the bot's own checker (``bot/broadcasts/html_check.py``): the two are independent
readings of the same rules, so a test that sends through the fake proves the bot's
checker against Telegram's grammar, not against itself.

What it models: every error tdlib reports (unsupported or unclosed tags, attribute syntax,
``<span>`` without ``class="tg-spoiler"``, unexpected, unclosed and unmatched end tags,
unclosed start tags at the end, entities decoding to a lone surrogate), the entities it
decodes (``&lt; &gt; &amp; &quot;`` and numeric, the ``;`` optional; anything else stays as
typed), and the plain text that results. Not modelled: the entities themselves (links,
spoilers…), which never make a request fail.
"""

from __future__ import annotations

__all__ = ["TelegramHTMLError", "plain_text"]

TAGS = frozenset(
    {"a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins", "tg-spoiler", "tg-emoji",
     "span", "pre", "code", "blockquote"}
)  # fmt: skip
NAMED = {b"lt": "<", b"gt": ">", b"amp": "&", b"quot": '"'}
SPACES = frozenset(b" \t\r\n\v\0")


class TelegramHTMLError(ValueError):
    """What Telegram answers after "Bad Request: can't parse entities: "."""


def plain_text(text: str) -> str:
    """The text a user sees, or ``TelegramHTMLError`` with Telegram's reason."""
    return _Parser(text.encode("utf-8", "surrogatepass")).run()


class _Parser:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.out = bytearray()
        self.open: list[str] = []
        self.surrogate = False

    def at(self, i: int) -> int:
        return self.data[i] if i < len(self.data) else 0

    def space(self, i: int) -> bool:
        return self.at(i) in SPACES

    def run(self) -> str:
        i, size = 0, len(self.data)
        while i < size:
            c = self.data[i]
            if c == ord("&"):
                decoded, after = self.entity(i)
                if decoded:
                    self.out += chr(decoded).encode("utf-8", "surrogatepass")
                    i = after
                    continue
            if c != ord("<"):
                self.out.append(c)
                i += 1
                continue
            i = self.end_tag(i) if self.at(i + 1) == ord("/") else self.start_tag(i)
        if self.open:
            raise TelegramHTMLError(
                f'Can\'t find end tag corresponding to start tag "{self.open[-1]}"'
            )
        if self.surrogate:
            raise TelegramHTMLError(
                "Text contains invalid Unicode characters after decoding HTML entities, "
                "check for unmatched surrogate code units"
            )
        return self.out.decode("utf-8")

    def entity(self, pos: int) -> tuple[int, int]:
        """(code point, position after it), or (0, pos): not an entity Telegram decodes."""
        end, value = pos + 1, 0
        if self.at(pos + 1) == ord("#"):
            end += 1
            digits = b"0123456789abcdefABCDEF" if self.at(pos + 2) == ord("x") else b"0123456789"
            base = 16 if self.at(pos + 2) == ord("x") else 10
            end += base == 16
            while self.at(end) and self.at(end) in digits:
                value = value * base + int(chr(self.at(end)), base)
                end += 1
                if value >= 0x10FFFF:
                    return 0, pos
            if value == 0 or end - pos >= 10:
                return 0, pos
            self.surrogate |= 0xD800 <= value <= 0xDFFF
        else:
            while chr(self.at(end)).isascii() and chr(self.at(end)).isalpha():
                end += 1
            named = NAMED.get(self.data[pos + 1 : end])
            if named is None:
                return 0, pos
            value = ord(named)
        return value, end + (self.at(end) == ord(";"))

    def start_tag(self, begin: int) -> int:
        i = begin + 1
        while not self.space(i) and self.at(i) != ord(">"):
            i += 1
        if self.at(i) == 0:
            raise TelegramHTMLError(f"Unclosed start tag at byte offset {begin}")
        name = self.data[begin + 1 : i].decode("utf-8", "replace").lower()
        if name not in TAGS:
            raise TelegramHTMLError(f'Unsupported start tag "{name}" at byte offset {begin}')
        argument = ""
        while self.at(i) != ord(">"):
            while self.at(i) != 0 and self.space(i):
                i += 1
            if self.at(i) == ord(">"):
                break
            name_begin = i
            while not self.space(i) and self.at(i) not in b"=>":  # "expandable>" ends at >
                i += 1
            attribute = self.data[name_begin:i].decode("utf-8", "replace")
            if not attribute:
                raise TelegramHTMLError(
                    f'Empty attribute name in the tag "{name}" at byte offset {begin}'
                )
            while self.at(i) != 0 and self.space(i):
                i += 1
            if self.at(i) != ord("="):
                if name == "blockquote" and attribute == "expandable":
                    continue
                raise TelegramHTMLError(
                    "Expected equal sign in declaration of an attribute of the tag "
                    f'"{name}" at byte offset {begin}'
                )
            i += 1
            while self.at(i) != 0 and self.space(i):
                i += 1
            if self.at(i) == 0:
                raise TelegramHTMLError(f'Unclosed start tag "{name}" at byte offset {begin}')
            value, i = self.attribute_value(i)
            if self.at(i) == 0:
                raise TelegramHTMLError(f"Unclosed start tag at byte offset {begin}")
            if (name, attribute) == ("a", "href") or (name, attribute) == ("tg-emoji", "emoji-id"):
                argument = value
            elif (name, attribute) == ("span", "class") and value.startswith("tg-"):
                argument = value[3:]
        if name == "span" and argument != "spoiler":
            raise TelegramHTMLError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {begin}'
            )
        self.open.append(name)
        return i + 1

    def attribute_value(self, i: int) -> tuple[str, int]:
        quote = self.at(i)
        if quote not in (ord('"'), ord("'")):  # a name token: letters, digits, '.', '-'
            begin = i
            while self.at(i) and ((chr(self.at(i)).isascii() and chr(self.at(i)).isalnum())
                                  or self.at(i) in b".-"):  # fmt: skip
                i += 1
            if not self.space(i) and self.at(i) != ord(">"):
                raise TelegramHTMLError(f"Unexpected end of name token at byte offset {begin}")
            return self.data[begin:i].decode().lower(), i
        value = bytearray()
        i += 1
        while self.at(i) != quote and self.at(i) != 0:
            if self.at(i) == ord("&"):
                decoded, after = self.entity(i)
                if decoded:
                    value += chr(decoded).encode("utf-8", "surrogatepass")
                    i = after
                    continue
            value.append(self.at(i))
            i += 1
        if self.at(i) == quote:
            i += 1
        return value.decode("utf-8", "replace"), i

    def end_tag(self, begin: int) -> int:
        if not self.open:
            raise TelegramHTMLError(f"Unexpected end tag at byte offset {begin}")
        i = begin + 2
        while not self.space(i) and self.at(i) != ord(">"):
            i += 1
        name = self.data[begin + 2 : i].decode("utf-8", "replace").lower()
        while self.space(i) and self.at(i) != 0:
            i += 1
        if self.at(i) != ord(">"):
            raise TelegramHTMLError(f"Unclosed end tag at byte offset {begin}")
        expected = self.open.pop()
        if name and name != expected:
            raise TelegramHTMLError(
                f'Unmatched end tag at byte offset {begin}, expected "</{expected}>", '
                f'found "</{name}>"'
            )
        return i + 1
