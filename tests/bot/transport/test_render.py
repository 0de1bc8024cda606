"""How prompts are written: the progress bar, examples in the seller's number format, refusals."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.platform.i18n import Translator
from bot.transport.keyboards import MAX_CALLBACK_BYTES, pack
from bot.transport.render import MAX_BAR_CELLS, error_text, progress_bar, prompt_reply
from flows.errors import ValidationError
from flows.progress import Prompt, Say
from flows.steps import Choice, InputKind
from flows.tracks import TRACKS

EN, ZH, ID = Translator("en"), Translator("zh_Hans"), Translator("id")


def _bar(text: str) -> str:
    return text.rsplit("  ", 1)[-1]


def test_the_bar_has_one_cell_per_step_so_neighbouring_steps_differ() -> None:
    bars = [_bar(progress_bar(n, 9, EN)) for n in range(1, 10)]
    assert len(set(bars)) == 9  # steps 4 and 5 of 9 used to look the same
    assert bars[3] == "▰▰▰▰▱▱▱▱▱" and bars[4] == "▰▰▰▰▰▱▱▱▱"
    assert all(len(bar) == 9 for bar in bars)


def test_a_long_flow_fills_a_fixed_number_of_cells_in_proportion() -> None:
    bars = [_bar(progress_bar(n, 30, EN)) for n in range(1, 31)]
    assert {len(bar) for bar in bars} == {MAX_BAR_CELLS}
    filled = [bar.count("▰") for bar in bars]
    assert filled == sorted(filled) and filled[-1] == MAX_BAR_CELLS
    assert filled[14] == MAX_BAR_CELLS // 2  # step 15 of 30 is half way


def test_intake_questions_show_their_own_progress_label() -> None:
    shown = Prompt(
        "market",
        (Say("ask_market"),),
        InputKind.CHOICE,
        (Choice("uk", "market_uk"),),
        (2, 3),
        position_label="progress_intake",
    )
    text = prompt_reply(shown, EN).text
    assert "Getting started 2 of 3  ▰▰▱" in text


@pytest.mark.parametrize(
    ("translator", "example", "expected"),
    [
        (EN, Decimal("0.5"), "0.5"),
        (ID, Decimal("0.5"), "0,5"),  # the comma the bot accepts from Indonesian sellers
        (ID, Decimal("12.99"), "12,99"),
        (EN, Decimal(150_000), "150,000"),
        (ID, Decimal(150_000), "150.000"),
        (ZH, Decimal("12.99"), "12.99"),
    ],
)
def test_number_examples_are_written_the_sellers_way(
    translator: Translator, example: Decimal, expected: str
) -> None:
    shown = Prompt("products.weight", (Say("ask_product_weight"),), InputKind.PRODUCTS, ())
    shown = Prompt(shown.key, shown.say, shown.kind, example=example)
    assert (
        translator("prompt_example", {"example": expected}) in prompt_reply(shown, translator).text
    )
    refusal = error_text(ValidationError("error_weight", max=Decimal(100)), example, translator)
    assert translator("error_example", {"example": expected}) in refusal


def test_a_typed_question_shows_its_example_before_any_mistake() -> None:
    shown = Prompt("uscc", (Say("ask_uscc"),), InputKind.TEXT, example="91110000802100433B")
    assert "Example: 91110000802100433B" in prompt_reply(shown, EN).text
    assert "示例：91110000802100433B" in prompt_reply(shown, ZH).text


def test_edit_and_product_buttons_fit_telegrams_64_byte_callback_data() -> None:
    steps = [step.id for steps in TRACKS.values() for step in steps]
    data = [pack("a", "review.edit", step_id) for step_id in steps]
    item = f"99.{'f' * 8}"  # a hundredth product's position and fingerprint
    data += [pack("a", "products.pick", item), pack("a", f"products.item.{item}", "replace")]
    assert max(len(d.encode()) for d in data) <= MAX_CALLBACK_BYTES
