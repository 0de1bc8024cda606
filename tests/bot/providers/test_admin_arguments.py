"""Numbers typed after an admin command or carried in a button: Unicode digits that
``int()`` refuses ("²", "①") pass ``str.isdigit()``; they read as no number at all
(found by ``tests/reliability/test_fuzz_admin.py``: ``/admin_remove ²`` raised)."""

from __future__ import annotations

import pytest
from telegram import CallbackQuery, User

from bot.providers.cohorts.rules import parse_change
from bot.providers.insight.commands import _parse_stats
from bot.providers.replies import button_fields, int_arg
from flows.errors import ValidationError

NOT_NUMBERS = ["²", "¹²", "①", "3²", "²d"]


@pytest.mark.parametrize("raw", NOT_NUMBERS)
def test_a_digit_int_refuses_is_no_argument(raw: str) -> None:
    assert int_arg([raw], 0) is None
    assert _parse_stats([raw]) is None


@pytest.mark.parametrize("raw", NOT_NUMBERS)
def test_a_digit_int_refuses_is_a_wrong_rule_value(raw: str) -> None:
    with pytest.raises(ValidationError):
        parse_change("min_products", raw, market="uk", track=None, current={})


def test_decimal_digits_of_other_scripts_are_numbers() -> None:
    assert int_arg(["١٢"], 0) == 12  # Arabic-Indic
    assert int_arg(["#৫"], 0) == 5  # Bengali, with the list's "#"
    assert _parse_stats(["١٢", "٣d"]) == (12, 3)


def test_a_number_too_long_for_its_range_is_refused_before_int() -> None:
    """int() refuses more than 4,300 digits (and is slow well before that)."""
    assert _parse_stats(["9" * 5000 + "d"]) is None
    with pytest.raises(ValidationError):
        parse_change("min_products", "9" * 5000, market="uk", track=None, current={})


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        ("adm_c|qr|12", ("qr", "12")),
        ("adm_bc|co|3.7", ("co", "3.7")),
        ("adm_c|qr", ("", "")),  # not written by the bot: no action, no value
        ("adm_c|qr|12|x", ("", "")),
        (None, ("", "")),
    ],
)
def test_a_button_reads_as_action_and_value_only_in_the_bots_own_shape(
    data: str | None, fields: tuple[str, str]
) -> None:
    query = CallbackQuery("1", User(7, "Ann", is_bot=False), "chat", data=data)
    assert button_fields(query) == fields
