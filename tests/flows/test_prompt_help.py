"""What a seller is shown before answering: examples up front, the market's tips, position."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest

from flows import validators
from flows.answers import FileAnswer, TextAnswer
from flows.engine import prompt
from flows.products import RULES
from flows.steps import InputKind, StepContext
from flows.tracks import INTAKE, TRACKS, find_step

if TYPE_CHECKING:
    from tests.flows.conftest import NewSeller

TEXT_STEPS = [
    (track, step.id)
    for track, steps in TRACKS.items()
    for step in steps
    if step.kind is InputKind.TEXT
]


@pytest.mark.parametrize(("track", "step_id"), TEXT_STEPS)
def test_every_typed_question_shows_its_example_up_front(
    new_seller: NewSeller, track: str, step_id: str
) -> None:
    seller = new_seller(track, at=step_id)
    shown = prompt(seller.progress, seller.env)
    step = find_step(track, step_id)
    assert step is not None and step.example
    assert shown.example == step.example  # before any mistake, not only with the error


@pytest.mark.parametrize(("track", "step_id"), TEXT_STEPS)
def test_every_example_is_itself_a_right_answer(track: str, step_id: str) -> None:
    step = find_step(track, step_id)
    assert step is not None and step.validate is not None
    step.validate(step.example, StepContext({}, {}, RULES[track], dt.date(2026, 3, 2)))


def test_the_cross_border_company_name_example_is_chinese_and_the_uk_one_english() -> None:
    crossborder = find_step("uk_crossborder", "company_name")
    uk = find_step("uk_business", "company_name")
    assert crossborder is not None and uk is not None
    assert re.search("[\u4e00-\u9fff]", crossborder.example)  # as on a Chinese licence
    assert crossborder.example.endswith("有限公司")
    assert uk.example.isascii()
    assert validators.company_name(crossborder.example) == crossborder.example


@pytest.mark.parametrize(
    ("track", "field", "example"),
    [
        ("uk_business", "price", Decimal("12.99")),
        ("id_business", "price", Decimal(150_000)),
        ("uk_business", "weight", Decimal("0.5")),
    ],
)
def test_product_number_examples_are_numbers_for_the_bot_to_write_per_locale(
    new_seller: NewSeller, track: str, field: str, example: Decimal
) -> None:
    seller = new_seller(track, at="products")
    seller.tap("add")
    seller.type("Kaos Polos Katun Premium Pria Wanita" if track.startswith("id") else "Mug")
    if field == "weight":
        seller.type("12.99")
        seller.send(FileAnswer("photo-p", "u-photo-p", "photo", "image/jpeg", 90_000, "", 800, 600))
        seller.tap("images_done")
        seller.type("30x20x10")
    shown = prompt(seller.progress, seller.env)
    assert shown.key == f"products.{field}"
    assert shown.example == example and isinstance(shown.example, Decimal)


@pytest.mark.parametrize(
    ("market", "tips"), [("uk", ("tip_track_choice",)), ("id", ("tip_track_choice_id",))]
)
def test_the_track_tip_is_the_markets_own(
    new_seller: NewSeller, market: str, tips: tuple[str, ...]
) -> None:
    seller = new_seller()
    seller.tap("en")
    seller.tap(market)
    assert prompt(seller.progress, seller.env).tips == tips


def test_intake_questions_show_their_position_among_the_intake(new_seller: NewSeller) -> None:
    seller = new_seller()
    positions = []
    for value in ("en", "id"):
        positions.append(prompt(seller.progress, seller.env).position)
        seller.tap(value)
    positions.append(prompt(seller.progress, seller.env).position)
    assert positions == [(1, len(INTAKE)), (2, len(INTAKE)), (3, len(INTAKE))]
    assert prompt(seller.progress, seller.env).position_label == "progress_intake"


@pytest.mark.parametrize("blank", ["", "   ", "\u200b", "\u3000\ufeff"])
def test_an_empty_answer_is_told_it_is_empty(new_seller: NewSeller, blank: str) -> None:
    seller = new_seller("id_individual", at="nik")
    outcome = seller.refused(TextAnswer(blank))
    assert outcome.error is not None and outcome.error.code == "error_empty_answer"
