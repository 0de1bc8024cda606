"""Broadcast HTML: what the check lets through, Telegram takes; what Telegram refuses, the
check refuses first, with a reason.

"Telegram" here is the fake Bot API's parser (``tests/fakebotapi/telegram_html.py``), an
independent port of tdlib's ``parse_html``. Before: ``<?php echo 1 ?> hello``,
``<!DOCTYPE html> hello`` and ``<b>x</b foo>`` passed the check, the preview answered
"something went wrong", Send was accepted and every delivery failed. No database here:
the bot-level half (preview, Send) is in ``tests/bot/broadcasts/test_broadcast_html.py``.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.broadcasts.html_check import check_html, visible_length
from flows.errors import ValidationError
from tests.fakebotapi.telegram_html import TelegramHTMLError, plain_text

REFUSED_BY_BOTH = [
    ("<?php echo 1 ?> hello", "error_html_declaration"),
    ("<!DOCTYPE html> hello", "error_html_declaration"),
    ("<!-- note --> hello", "error_html_declaration"),
    ("<b>x</b foo>", "error_html_end_tag"),
    ("<i>a</i   ", "error_html_end_tag"),
    ("5 < 7", "error_html_bare"),
    ("<>", "error_html_bare"),
    ("hello <b", "error_html_bare"),
    ("<b>bold", "error_html_unclosed"),
    ("<b><i>x</b></i>", "error_html_unbalanced"),
    ("x</b>", "error_html_unbalanced"),
    ("<script>x</script>", "error_html_tag"),
    ("<br/>", "error_html_tag"),
    ("<b/>", "error_html_tag"),
    ("<span>x</span>", "error_html_span"),
    ("<i =x>a</i>", "error_html_attribute_syntax"),
    ("<i aba>a</i>", "error_html_attribute_syntax"),
    ("<a href=https://x.org>x</a>", "error_html_attribute_syntax"),
    ("<b x='1>y</b>", "error_html_attribute_syntax"),
    ("&#57311; x", "error_html_entity"),
    ("&#xDFDF; x", "error_html_entity"),
    ("<b> </b>", "error_html_empty"),
]
"""Telegram answers "can't parse entities" (or "message text is empty") for each."""

REFUSED_HERE_ONLY = [
    ("&nbsp;x", "error_html_entity"),  # Telegram shows "&nbsp;" as typed
    ("&#0; x", "error_html_entity"),
    ("&#12345678; x", "error_html_entity"),
    ('<a href="javascript:alert(1)">x</a>', "error_html_link"),  # the link is dropped
    ("<a href=telegram.org>x</a>", "error_html_link"),
    ('<b class="x">Hi</b>', "error_html_attribute"),  # ignored by Telegram
    ('<tg-emoji emoji-id="1">x</tg-emoji>', "error_html_tag"),
]
"""Telegram takes these but not as the admin meant them."""

ACCEPTED = [
    "<b>5 &lt; 7</b> &amp; <i>more</i>",
    "<strong>a</strong><em>b</em><ins>c</ins><strike>d</strike><del>e</del>",
    '<span class="tg-spoiler">x</span> <tg-spoiler>y</tg-spoiler>',
    "<blockquote expandable>quote</blockquote>",
    '<a href="https://example.com/?a=1&amp;b=2">link</a>',
    "<a href='tg://user?id=1'>you</a>",
    '<pre><code class="language-python">print(1)</code></pre>',
    "<b>x</> and <i>y</    >",
    "<B>shout</B>",
    "Q&A -> AT&T",
    "&#8364; &#x1F600;",
    "🏟 <b>🏟</b>",
]


@pytest.mark.parametrize(("text", "code"), REFUSED_BY_BOTH + REFUSED_HERE_ONLY)
def test_html_telegram_would_refuse_or_misread_is_refused_with_its_reason(
    text: str, code: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        check_html(text)
    assert refused.value.code == code


@pytest.mark.parametrize(("text", "code"), REFUSED_BY_BOTH)
def test_the_fake_bot_api_refuses_the_same_html_as_telegram(text: str, code: str) -> None:
    with pytest.raises(TelegramHTMLError):
        if not plain_text(text).strip():
            raise TelegramHTMLError("message text is empty")


@pytest.mark.parametrize("text", ACCEPTED)
def test_html_the_check_accepts_telegram_takes_with_the_same_visible_length(text: str) -> None:
    sent = check_html(text)
    shown = plain_text(sent)
    assert visible_length(sent) == len(shown.encode("utf-16-le")) // 2


def test_a_bare_ampersand_is_sent_escaped_and_shown_as_typed() -> None:
    assert check_html("Q&A") == "Q&amp;A"
    assert plain_text(check_html("Q&A")) == "Q&A"


FRAGMENTS = st.sampled_from(
    ["<b>", "</b>", "<i>", "</i>", "</>", "<", ">", "&", "&lt;", "&amp", "&#", "&#x41;",
     "&#0;", "&#xD800;", "&nbsp;", "<a href=", "'", '"', "https://x.org", "tg://x", "=", " ",
     "\n", "<span", ' class="tg-spoiler"', "</span>", "<tg-spoiler>", "</tg-spoiler>",
     "<blockquote", " expandable", "</blockquote>", "<code", "<pre>", "</pre>", "</code>",
     "<?", "<!", "--", "x", "é", "🏟", "<b ", "</b ", "foo", "/"]
)  # fmt: skip


@settings(max_examples=3000, deadline=None)
@given(st.lists(FRAGMENTS, max_size=14).map("".join))
def test_whatever_passes_the_check_telegram_parses_to_the_length_the_check_counted(
    text: str,
) -> None:
    try:
        sent = check_html(text)
    except ValidationError:
        return
    shown = plain_text(sent)  # raises TelegramHTMLError: a text Telegram would refuse
    assert shown.strip()
    assert visible_length(sent) == len(shown.encode("utf-16-le", "surrogatepass")) // 2
