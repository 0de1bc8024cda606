"""The products step: a guided product field by field, a bulk file, and the minimum count."""

from __future__ import annotations

import dataclasses
import itertools
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest

from flows.answers import Answer, ChoiceAnswer, FileAnswer, TextAnswer
from flows.bulk import parse_product_file
from flows.engine import advance, prompt, prompt_key
from flows.errors import StaleAnswer
from flows.product_step import is_bulk_file
from flows.products import RULES
from flows.progress import DRAFT, Say

if TYPE_CHECKING:
    from tests.flows.conftest import NewSeller, Seller

MB = 1024 * 1024
_ids = itertools.count(1)


def photo(*, width: int = 1280, height: int = 960, size: int = 300_000) -> FileAnswer:
    n = next(_ids)
    return FileAnswer(f"img-{n}", f"u-img-{n}", "photo", "image/jpeg", size, "", width, height)


def at_field(seller: Seller, field: str) -> Seller:
    """Start a product and answer validly up to ``field`` (a UK or ID seller)."""
    uk = seller.env.products_for(seller.progress.track).currency == "GBP"
    answers: list[tuple[str, Answer]] = [
        (
            "title",
            TextAnswer(
                "Stoneware Coffee Mug 350 ml" if uk else "Kemeja Batik Pria Lengan Panjang Katun"
            ),
        ),
        ("price", TextAnswer("12.99" if uk else "150000")),
        ("images", photo()),
        ("images", ChoiceAnswer("products.images", "images_done")),
        ("package", TextAnswer("30x20x10")),
    ]
    seller.tap("add")
    for name, answer in answers:
        if name == field and prompt_key(seller.progress) == f"products.{field}":
            break
        seller.send(answer)
    assert prompt_key(seller.progress) == f"products.{field}"
    return seller


# --- the guided product ------------------------------------------------------------


def test_guided_product_is_asked_field_by_field_and_saved_normalized(
    new_seller: NewSeller,
) -> None:
    seller = new_seller("uk_business", at="products")
    image = photo()
    keys = [prompt_key(seller.progress)]
    answers: list[Answer] = [
        ChoiceAnswer("products", "add"),
        TextAnswer("  Stoneware   Coffee Mug 350 ml "),
        TextAnswer("£12.99"),
        image,
        ChoiceAnswer("products.images", "images_done"),
        TextAnswer("30×20×10 cm"),
    ]
    for answer in answers:
        seller.send(answer)
        keys.append(prompt_key(seller.progress))
    saved = seller.type("450 g")

    assert keys == [
        "products",
        "products.title",
        "products.price",
        "products.images",
        "products.images",
        "products.package",
        "products.weight",
    ]
    product = {
        "title": "Stoneware Coffee Mug 350 ml",
        "price": "12.99",
        "currency": "GBP",
        "images": [image.file_id],
        "package_cm": [30, 20, 10],
        "weight_kg": "0.45",
    }
    assert (seller.state, prompt_key(seller.progress)) == ("products", "products")
    assert seller.answers["products"] == [product]
    assert DRAFT not in seller.answers
    assert saved.saved == {"products": [product]}
    assert saved.say == (Say("product_saved", {"title": product["title"], "total": 1}),)


def test_each_image_is_acknowledged_with_the_count_so_far(new_seller: NewSeller) -> None:
    seller = at_field(new_seller("id_individual", at="products"), "images")
    outcome = seller.send(photo())
    assert outcome.say == (Say("image_received", {"count": 1, "max": 9}),)


def test_product_prompts_carry_the_tracks_limits_and_tips_only_with_the_title(
    new_seller: NewSeller,
) -> None:
    seller = new_seller("uk_crossborder", at="products")
    seller.tap("add")
    title = prompt(seller.progress, seller.env)
    seller.type("Stoneware Coffee Mug 350 ml")
    price = prompt(seller.progress, seller.env)

    assert title.tips == ("tip_crossborder_price_cap", "tip_title_no_chinese")
    assert price.tips == ()
    assert price.say[0].msgid == "ask_product_price"
    assert price.say[0].params["price_max"] == Decimal("134.50")
    assert price.say[0].params["currency"] == "GBP"
    assert price.position == title.position


@pytest.mark.parametrize(
    ("track", "field", "buttons"),
    [
        ("uk_business", "title", ["cancel"]),
        ("uk_business", "images", ["images_done", "cancel"]),
        ("uk_business", "package", ["cancel"]),  # the UK requires package details
        ("id_business", "package", ["skip", "cancel"]),
        ("id_business", "weight", ["skip", "cancel"]),
    ],
)
def test_draft_buttons_offer_skip_only_where_package_details_are_optional(
    track: str, field: str, buttons: list[str], new_seller: NewSeller
) -> None:
    seller = at_field(new_seller(track, at="products"), field)
    assert [c.value for c in prompt(seller.progress, seller.env).choices] == buttons


def test_uk_seller_cannot_skip_the_package(new_seller: NewSeller) -> None:
    seller = at_field(new_seller("uk_individual", at="products"), "package")
    error = seller.refused(ChoiceAnswer("products.package", "skip")).error
    assert error is not None
    assert error.code == "error_use_buttons"


def test_indonesian_seller_may_skip_package_and_weight(new_seller: NewSeller) -> None:
    seller = at_field(new_seller("id_individual", at="products"), "package")
    seller.tap("skip")
    seller.tap("skip")
    (product,) = seller.answers["products"]
    assert (product["package_cm"], product["weight_kg"]) == (None, None)


# --- refused fields ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("track", "field", "answer", "code"),
    [
        ("uk_crossborder", "price", TextAnswer("£134.51"), "error_price_range"),
        ("uk_crossborder", "price", TextAnswer("135"), "error_price_range"),
        ("uk_business", "price", TextAnswer("12.999"), "error_price_decimals"),
        ("id_business", "price", TextAnswer("Rp150.000,50"), "error_price_whole"),
        ("id_individual", "price", TextAnswer("150000.5"), "error_price_whole"),
        ("id_individual", "title", TextAnswer("Kemeja Batik"), "error_title_length"),
        ("uk_crossborder", "title", TextAnswer("无线耳机 Wireless Earbuds"), "error_title_chinese"),
        ("uk_business", "title", photo(), "error_expected_text"),
        ("uk_business", "images", TextAnswer("photo coming"), "error_expected_image"),
        (
            "uk_business",
            "images",
            FileAnswer("d", "u-d", "document", "application/pdf", 90_000, "mug.pdf"),
            "error_image_type",
        ),
        ("uk_business", "images", photo(width=200, height=200), "error_image_dimensions"),
        ("uk_business", "images", photo(size=5 * MB + 1), "error_image_too_large"),
        (
            "uk_business",
            "images",
            ChoiceAnswer("products.images", "images_done"),
            "error_images_minimum",
        ),
        ("uk_business", "package", TextAnswer("30x20"), "error_package"),
        ("uk_business", "weight", TextAnswer("0"), "error_weight"),
        ("uk_business", "weight", ChoiceAnswer("products.weight", "skip"), "error_use_buttons"),
    ],
)
def test_wrong_product_field_is_refused_and_the_draft_is_unchanged(
    track: str, field: str, answer: Answer, code: str, new_seller: NewSeller
) -> None:
    seller = at_field(new_seller(track, at="products"), field)
    error = seller.refused(answer).error
    assert error is not None
    assert error.code == code


def test_uk_cross_border_price_cap_is_134_pounds_50(new_seller: NewSeller) -> None:
    seller = at_field(new_seller("uk_crossborder", at="products"), "price")
    error = seller.refused(TextAnswer("134.51")).error
    assert error is not None
    assert error.params["max"] == Decimal("134.50")

    seller.type("134.50")
    assert seller.answers[DRAFT]["price"] == "134.50"


def test_uk_domestic_price_may_exceed_the_cross_border_cap(new_seller: NewSeller) -> None:
    seller = at_field(new_seller("uk_business", at="products"), "price")
    seller.type("£500")
    assert seller.answers[DRAFT]["price"] == "500.00"


def test_whole_rupiah_price_is_taken(new_seller: NewSeller) -> None:
    seller = at_field(new_seller("id_business", at="products"), "price")
    seller.type("Rp150.000")
    assert seller.answers[DRAFT]["price"] == "150000"


def test_images_move_on_by_themselves_at_the_maximum(new_seller: NewSeller) -> None:
    seller = new_seller("uk_business", at="products", product_rules={"images_max": 2})
    at_field(seller, "images")
    seller.send(photo())
    seller.send(photo())
    assert prompt_key(seller.progress) == "products.package"


def test_menu_button_tapped_while_entering_a_product_is_stale(new_seller: NewSeller) -> None:
    seller = at_field(new_seller("uk_business", at="products"), "price")
    with pytest.raises(StaleAnswer):
        advance(seller.progress, ChoiceAnswer("products", "done"), seller.env)


def test_unknown_menu_button_is_refused(new_seller: NewSeller) -> None:
    seller = new_seller("uk_business", at="products")
    error = seller.refused(ChoiceAnswer("products", "delete_all")).error
    assert error is not None
    assert error.code == "error_use_buttons"


# --- cancel, template, back --------------------------------------------------------


def test_cancel_drops_the_product_being_entered(new_seller: NewSeller) -> None:
    seller = at_field(new_seller("uk_business", at="products"), "images")
    outcome = seller.tap("cancel")
    assert outcome.say == (Say("product_cancelled"),)
    assert prompt_key(seller.progress) == "products"
    assert DRAFT not in seller.answers
    assert "products" not in seller.answers


def test_template_button_asks_the_bot_to_send_the_template(new_seller: NewSeller) -> None:
    seller = new_seller("id_business", at="products")
    outcome = seller.tap("template")
    assert outcome.actions == ("send_product_template",)
    assert prompt_key(seller.progress) == "products"


def test_back_inside_a_product_steps_back_one_field_then_cancels_it(
    new_seller: NewSeller,
) -> None:
    seller = at_field(new_seller("uk_business", at="products"), "images")
    seller.back()
    assert (seller.state, prompt_key(seller.progress)) == ("products", "products.price")
    seller.back()
    assert prompt_key(seller.progress) == "products.title"
    seller.back()
    assert (seller.state, prompt_key(seller.progress)) == ("products", "products")
    assert DRAFT not in seller.answers
    seller.back()
    assert seller.state == "phone"


# --- bulk files --------------------------------------------------------------------


def test_products_of_a_bulk_file_are_added_to_the_guided_ones(new_seller: NewSeller) -> None:
    seller = new_seller("id_individual", at="products")
    seller.add_product()
    data = (
        b"title,price,image_urls\n"
        b"Sambal Bawang Pedas Homemade 250 gram,35000,https://example.com/sambal.jpg\n"
        b'Keripik Singkong Balado Pedas 200 gram,"Rp 18.500",https://example.com/keripik.png\n'
    )

    outcome = seller.send(parse_product_file(data, "produk.csv", RULES["id_individual"]))

    assert outcome.say == (Say("products_added", {"count": 2, "total": 3}),)
    assert [p["price"] for p in seller.answers["products"]][1:] == ["35000", "18500"]


def test_bulk_file_with_a_bad_row_adds_nothing_and_reports_every_row(
    new_seller: NewSeller,
) -> None:
    seller = new_seller("uk_crossborder", at="products")
    data = (
        b"title,price,image_urls,length_cm,width_cm,height_cm,weight_kg\n"
        b"Linen Tea Towel Set of 3,8.50,https://example.com/towel.jpg,30,20,3,0.3\n"
        b"Oak Dining Table,450,https://example.com/table.jpg,180,90,75,40\n"
    )
    bulk = parse_product_file(data, "products.csv", RULES["uk_crossborder"])

    outcome = seller.refused(bulk)

    assert outcome.error is not None
    assert (outcome.error.code, dict(outcome.error.params)) == ("error_bulk_rows", {"count": 1})
    assert [(e.row, e.column, e.code) for e in outcome.row_errors] == [
        (3, "price", "error_price_range")
    ]


@pytest.mark.parametrize(
    ("answer", "bulk"),
    [
        (FileAnswer("f", "u", "document", "text/csv", 900, "products.csv"), True),
        (FileAnswer("f", "u", "document", "application/octet-stream", 900, "Products.XLSX"), True),
        (FileAnswer("f", "u", "document", "application/pdf", 900, "products.pdf"), False),
        (FileAnswer("f", "u", "photo", "image/jpeg", 900, "", 800, 800), False),
    ],
)
def test_spreadsheets_sent_as_documents_are_product_files(answer: FileAnswer, bulk: bool) -> None:
    assert is_bulk_file(answer) is bulk


# --- how many products -------------------------------------------------------------


def test_done_is_offered_and_taken_only_from_the_cohorts_minimum(new_seller: NewSeller) -> None:
    seller = new_seller("uk_business", at="products", rules={"min_products": 2})
    seller.add_product()
    assert "done" not in [c.value for c in seller.prompts[-1].choices]
    error = seller.refused(ChoiceAnswer("products", "done")).error
    assert error is not None
    assert (error.code, dict(error.params)) == ("error_products_minimum", {"min": 2})

    seller.add_product()
    assert "done" in [c.value for c in seller.prompts[-1].choices]
    seller.tap("done")
    assert seller.state == "review"


def test_submit_is_refused_below_the_cohorts_minimum(new_seller: NewSeller) -> None:
    seller = new_seller("id_business", at="review")
    seller.env = dataclasses.replace(seller.env, rules={"min_products": 2})

    error = seller.refused(ChoiceAnswer("review", "submit")).error

    assert error is not None
    assert (error.code, dict(error.params)) == ("error_products_minimum", {"min": 2})
    assert seller.state == "review"


def test_products_menu_says_how_many_products_there_are_and_the_minimum(
    new_seller: NewSeller,
) -> None:
    seller = new_seller("uk_individual", at="products", rules={"min_products": 3})
    seller.add_product()
    assert seller.prompts[-1].say == (Say("ask_products", {"count": 1, "min": 3}),)


# --- known bugs --------------------------------------------------------------------


def test_going_back_to_full_images_does_not_let_a_seller_add_more(
    new_seller: NewSeller,
) -> None:
    seller = new_seller("uk_business", at="products", product_rules={"images_max": 2})
    at_field(seller, "images")
    seller.send(photo())
    seller.send(photo())
    seller.back()
    assert prompt_key(seller.progress) == "products.images"

    error = seller.refused(photo()).error

    assert error is not None
    assert error.code == "error_images_count"


def test_product_without_images_is_saved_where_the_cohort_allows_none(
    new_seller: NewSeller,
) -> None:
    seller = new_seller("id_business", at="products", product_rules={"images_min": 0})
    at_field(seller, "images")
    seller.tap("images_done")
    seller.tap("skip")
    seller.tap("skip")
    assert seller.answers["products"][0]["images"] == []


def test_minimum_set_as_a_product_rule_is_enforced_too(new_seller: NewSeller) -> None:
    seller = new_seller("uk_business", at="products", product_rules={"min_products": 2})
    seller.add_product()
    error = seller.refused(ChoiceAnswer("products", "done")).error
    assert error is not None
    assert error.code == "error_products_minimum"
