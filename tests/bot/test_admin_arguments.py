"""Numbers typed after an admin command or carried in a button: Unicode digits that
``int()`` refuses ("²", "①") pass ``str.isdigit()``; they read as no number at all
(found by ``tests/reliability/test_fuzz_admin.py``: ``/admin_remove ²`` raised)."""

from __future__ import annotations

import pytest

from bot.providers.insight_commands import _parse_stats
from bot.providers.replies import int_arg
from bot.providers.rules import parse_change
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
