"""A saved product can be removed or replaced from the products menu, never below the minimum."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from flows.answers import ChoiceAnswer, FileAnswer
from flows.engine import advance, prompt, prompt_key
from flows.errors import StaleAnswer
from flows.product_manage import fingerprint

if TYPE_CHECKING:
    from tests.flows.conftest import NewSeller, Seller


def _with_products(new_seller: NewSeller, *prices: str) -> Seller:
    seller = new_seller("uk_individual", at="products")
    for price in prices:
        seller.add_product(price=price)
    return seller


def _with_two_products(new_seller: NewSeller) -> Seller:
    seller = _with_products(new_seller, "£12.99", "£20")
    assert [p["price"] for p in seller.answers["products"]] == ["12.99", "20.00"]
    return seller


def _pick(seller: Seller, index: int) -> None:
    seller.tap("change")
    seller.tap(f"{index}.{fingerprint(seller.answers['products'][index])}")


def test_the_menu_offers_change_only_once_a_product_is_saved(new_seller: NewSeller) -> None:
    seller = new_seller("uk_individual", at="products")
    assert "change" not in [c.value for c in prompt(seller.progress, seller.env).choices]
    seller.add_product()
    assert "change" in [c.value for c in prompt(seller.progress, seller.env).choices]


def test_change_lists_every_saved_product_by_number_and_title(new_seller: NewSeller) -> None:
    seller = _with_two_products(new_seller)
    seller.tap("change")
    shown = prompt(seller.progress, seller.env)
    assert (shown.key, shown.say[0].msgid) == ("products.pick", "ask_product_pick")
    items = [c for c in shown.choices if c.value != "close"]
    assert [c.label for c in items] == ["button_product_item"] * 2
    assert [c.params["number"] for c in items if c.params] == [1, 2]
    assert shown.choices[-1].value == "close"


def test_a_product_is_removed_and_the_rest_kept(new_seller: NewSeller) -> None:
    seller = _with_two_products(new_seller)
    _pick(seller, 0)
    assert prompt(seller.progress, seller.env).say[0].msgid == "ask_product_action"
    outcome = seller.tap("remove")
    assert [p["price"] for p in seller.answers["products"]] == ["20.00"]
    assert outcome.say[0].msgid == "product_removed"
    assert prompt_key(seller.progress) == "products"  # back at the menu


def test_the_last_product_under_the_minimum_cannot_be_removed(new_seller: NewSeller) -> None:
    seller = _with_products(new_seller, "£12.99")
    _pick(seller, 0)
    outcome = seller.refused(ChoiceAnswer(prompt_key(seller.progress), "remove"))
    assert outcome.error is not None
    assert (outcome.error.code, outcome.error.params) == (
        "error_products_remove_minimum",
        {"min": 1},
    )


def test_a_replaced_product_takes_the_old_ones_place(new_seller: NewSeller) -> None:
    seller = _with_two_products(new_seller)
    _pick(seller, 0)
    seller.tap("replace")
    assert prompt_key(seller.progress) == "products.title"
    for text in ("Stoneware Teapot 1 litre", "£5"):
        seller.type(text)
    seller.send(FileAnswer("photo-t", "u-photo-t", "photo", "image/jpeg", 90_000, "", 800, 600))
    seller.tap("images_done")
    seller.type("30x20x10")
    outcome = seller.type("0.9")
    assert [p["price"] for p in seller.answers["products"]] == ["5.00", "20.00"]
    assert outcome.say[0].msgid == "product_replaced"


def test_a_cancelled_replacement_keeps_the_old_product(new_seller: NewSeller) -> None:
    seller = _with_products(new_seller, "£12.99")
    _pick(seller, 0)
    seller.tap("replace")
    seller.tap("cancel")
    assert [p["price"] for p in seller.answers["products"]] == ["12.99"]


def test_a_button_of_an_older_list_is_stale(new_seller: NewSeller) -> None:
    seller = _with_two_products(new_seller)
    old_first = f"0.{fingerprint(seller.answers['products'][0])}"
    _pick(seller, 0)
    seller.tap("remove")
    seller.tap("change")  # a new list: product 0 is now the £20 one
    with pytest.raises(StaleAnswer):
        advance(seller.progress, ChoiceAnswer("products.pick", old_first), seller.env)


def test_close_and_back_leave_the_list_for_the_menu(new_seller: NewSeller) -> None:
    seller = _with_two_products(new_seller)
    seller.tap("change")
    seller.tap("close")
    assert prompt_key(seller.progress) == "products"
    _pick(seller, 1)
    seller.back()
    assert prompt_key(seller.progress) == "products"
    assert len(seller.answers["products"]) == 2
