"""A reply's keyboard sent as JSON from a template is the tagged keyboard PTB would send."""

from __future__ import annotations

import json

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.sellers.tags import split, tag_of, tagged, tagged_json
from bot.transport.keyboards import MAX_CALLBACK_BYTES, answer_keyboard, language_keyboard
from flows.steps import Choice

LONG_VALUE = "v" * (MAX_CALLBACK_BYTES - len("a|step|") - 3)
"""Room for a tag of two characters with its "@", not for one of three."""
KEYBOARDS = {
    "a step's choices": answer_keyboard(
        "market", (Choice("uk", "🇬🇧 UK"), Choice("id", 'Indonesia "ID"')), lambda c: c.label
    ),
    "not answer buttons": language_keyboard("zh_Hans"),
    "a value too long for a long tag": InlineKeyboardMarkup(
        [
            [InlineKeyboardButton("long", callback_data=f"a|step|{LONG_VALUE}")],
            [InlineKeyboardButton("link", url="https://example.com/?a=1&b=2")],
            [InlineKeyboardButton("中文 / ünïcode", callback_data="a|step|short")],
        ]
    ),
}


@pytest.mark.parametrize("name", KEYBOARDS)
@pytest.mark.parametrize("application_id", [1, 35, 36, 1295, 46_656, 2_147_483_647])
def test_the_json_is_what_ptb_sends_for_the_tagged_keyboard(name: str, application_id: int) -> None:
    markup = KEYBOARDS[name]
    expected = tagged(markup, application_id)
    assert expected is not None
    assert tagged_json(markup, application_id) == json.dumps(expected.to_dict())


def test_a_long_value_keeps_its_untagged_form_only_when_the_tag_would_not_fit() -> None:
    markup = KEYBOARDS["a value too long for a long tag"]
    for application_id, fits in ((35, True), (1295, True), (46_656, False)):
        sent = json.loads(tagged_json(markup, application_id) or "")
        data = [b.get("callback_data") for row in sent["inline_keyboard"] for b in row]
        step, tag = split(data[0].split("|")[1])
        assert (tag == tag_of(application_id)) is fits and step == "step"
        assert all(len(d.encode()) <= MAX_CALLBACK_BYTES for d in data if d)
        assert data[2] == f"a|step@{tag_of(application_id)}|short"


def test_no_keyboard_is_none() -> None:
    assert tagged_json(None, 7) is None
