"""Product listing rules and the validators of the guided single-product upload."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal

import pytest

from flows.errors import ValidationError
from flows.products import RULES, Product, image, image_count, package, price, title, weight

UK = RULES["uk_business"]
UK_CROSSBORDER = RULES["uk_crossborder"]
ID = RULES["id_individual"]
MB = 1024 * 1024


def refused(call: Callable[..., object], *args: object) -> ValidationError:
    """The ValidationError ``call(*args)`` raises; fails the test if it accepts."""
    with pytest.raises(ValidationError) as caught:
        call(*args)
    return caught.value


# --- rules as data ----------------------------------------------------------------


def test_every_track_has_rules_in_its_market_currency() -> None:
    currencies = {track: rules.currency for track, rules in RULES.items()}
    assert currencies == {
        "uk_business": "GBP",
        "uk_individual": "GBP",
        "uk_crossborder": "GBP",
        "id_individual": "IDR",
        "id_business": "IDR",
    }


def test_uk_requires_package_details_and_indonesia_does_not() -> None:
    assert [
        RULES[t].package_required for t in ("uk_business", "uk_crossborder", "id_business")
    ] == [
        True,
        True,
        False,
    ]


def test_provider_can_lower_a_cohorts_price_limit_from_json_config() -> None:
    cohort = UK.with_overrides(
        {"price_max": "100", "images_max": 5, "image_mime_types": ["image/png"]}
    )

    assert cohort.price_max == Decimal("100")
    assert cohort.images_max == 5
    assert cohort.image_mime_types == ("image/png",)
    assert price("100.00", cohort) == Decimal("100.00")
    assert refused(price, "100.01", cohort).code == "error_price_range"
    assert UK.price_max == Decimal("5600"), "the track's own rules stay as they were"


def test_float_override_keeps_no_binary_noise() -> None:
    assert UK.with_overrides({"price_max": 134.5}).price_max == Decimal("134.5")


@pytest.mark.parametrize(
    "overrides",
    [
        {"price_maximum": "100"},  # typo: must not be silently ignored
        {"price_max": "a lot"},
        {"price_max": True},
        {"images_max": "5"},
        {"package_required": 1},
        {"image_mime_types": "image/png"},
        {"title_min": 300},  # more than title_max
        {"price_min": "6000"},  # more than price_max
    ],
)
def test_bad_cohort_overrides_are_refused(overrides: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        UK.with_overrides(overrides)


def test_product_survives_a_json_round_trip_with_exact_money() -> None:
    product = Product(
        title="Stoneware Coffee Mug 350 ml",
        price=Decimal("12.99"),
        currency="GBP",
        images=("AgACAgQAAxkBAAIBY2Zx", "AgACAgQAAxkBAAIBZGZx"),
        package_cm=(12, 9, 11),
        weight_kg=Decimal("0.45"),
    )
    stored = json.loads(json.dumps(product.to_dict()))

    assert stored["price"] == "12.99"
    assert Product.from_dict(stored) == product


def test_product_without_package_round_trips() -> None:
    product = Product("Kemeja Batik Pria Lengan Panjang", Decimal(150000), "IDR", ("file-1",))
    assert Product.from_dict(json.loads(json.dumps(product.to_dict()))) == product


# --- title ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "char"),
    [("陶瓷咖啡杯 Ceramic Mug", "陶"), ("Ceramic Mug 白色", "白"), ("【New】 Ceramic Mug", "【")],
)
def test_title_with_chinese_is_refused_naming_the_character(raw: str, char: str) -> None:
    error = refused(title, raw, UK_CROSSBORDER)
    assert (error.code, error.params) == ("error_title_chinese", {"char": char})


def test_indonesian_title_shorter_than_25_characters_is_refused() -> None:
    error = refused(title, "Kemeja Batik Pria", ID)
    assert error.code == "error_title_length"
    assert error.params == {"min": 25, "max": 255, "length": 17}


def test_indonesian_title_of_exactly_25_characters_is_accepted() -> None:
    assert title("Kemeja Batik Pria Panjang", ID) == "Kemeja Batik Pria Panjang"


@pytest.mark.parametrize("raw", ["", "   ", "M" * 256])
def test_uk_title_outside_1_to_255_characters_is_refused(raw: str) -> None:
    assert refused(title, raw, UK).code == "error_title_length"


def test_uk_title_of_one_and_of_255_characters_is_accepted() -> None:
    assert title("M", UK) == "M"
    assert title("M" * 255, UK) == "M" * 255


def test_title_is_tidied_before_counting() -> None:
    assert title("  ＵＳＢ-C   Cable\n1 m ", UK) == "USB-C Cable 1 m"


# --- price ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12.99", "12.99"),
        ("£12.99", "12.99"),
        ("£ 12.99", "12.99"),
        ("12,99", "12.99"),
        ("GBP 12.99", "12.99"),
        ("12.99 gbp", "12.99"),
        ("１２．９９", "12.99"),  # full-width keyboard
        ("￡１２．９９", "12.99"),
        ("12。99", "12.99"),  # Chinese keyboard's full stop
        ("12", "12.00"),
        ("1,234.56", "1234.56"),
        ("1.234,56", "1234.56"),
        ("5,600", "5600.00"),
        ("0.01", "0.01"),
    ],
)
def test_uk_price_accepts_what_sellers_type(raw: str, expected: str) -> None:
    assert str(price(raw, UK)) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("150000", "150000"),
        ("Rp150.000", "150000"),
        ("150.000", "150000"),
        ("150,000", "150000"),
        ("Rp 1.500.000", "1500000"),
        ("Rp. 1.500.000", "1500000"),
        ("Rp 150.000,-", "150000"),
        ("Rp150.000,00", "150000"),  # zero fraction as invoices print it
        ("IDR 150000", "150000"),
        ("150rb", "150000"),
        ("150 ribu", "150000"),
        ("1,5jt", "1500000"),
        ("1.5 juta", "1500000"),
        ("2JT", "2000000"),
        ("50k", "50000"),
        ("１５０．０００", "150000"),
        ("Rp100", "100"),
        ("Rp100.000.000", "100000000"),
    ],
)
def test_indonesian_price_accepts_what_sellers_type(raw: str, expected: str) -> None:
    assert str(price(raw, ID)) == expected


def test_uk_cross_border_accepts_134_50_and_refuses_134_51() -> None:
    assert price("£134.50", UK_CROSSBORDER) == Decimal("134.50")
    error = refused(price, "£134.51", UK_CROSSBORDER)
    assert error.code == "error_price_range"
    assert error.params == {"currency": "GBP", "min": Decimal("0.01"), "max": Decimal("134.50")}


def test_uk_local_seller_may_price_up_to_5600() -> None:
    assert price("£5,600.00", UK) == Decimal("5600")
    assert refused(price, "£5,600.01", UK).code == "error_price_range"


@pytest.mark.parametrize("raw", ["0", "0.00", "£0.001"])
def test_uk_price_below_a_penny_is_refused(raw: str) -> None:
    assert refused(price, raw, UK).code == "error_price_range"


@pytest.mark.parametrize("raw", ["Rp99", "Rp100.000.001", "150jt"])
def test_indonesian_price_outside_100_to_100_million_rupiah_is_refused(raw: str) -> None:
    error = refused(price, raw, ID)
    assert error.code == "error_price_range"
    assert error.params == {"currency": "IDR", "min": Decimal(100), "max": Decimal(100_000_000)}


@pytest.mark.parametrize("raw", ["15000,50", "Rp1.500,5", "150.5", "1,2345rb"])
def test_indonesian_price_with_sen_is_refused_as_whole_rupiah_only(raw: str) -> None:
    error = refused(price, raw, ID)  # not "IDR prices take at most 0" decimals
    assert (error.code, error.params) == ("error_price_whole", {"currency": "IDR"})


def test_uk_price_with_fractions_of_a_penny_is_refused() -> None:
    error = refused(price, "12.999", UK)
    assert (error.code, error.params) == (
        "error_price_decimals",
        {"currency": "GBP", "decimals": 2},
    )


@pytest.mark.parametrize(
    "raw",
    ["", "twelve", "$12.99", "Rp150.000", "-5", "12.99.99", "1,50,000", "12..99", "12,99£9"],
)
def test_uk_price_that_is_not_an_amount_in_pounds_is_refused(raw: str) -> None:
    assert refused(price, raw, UK).code == "error_price_format"


@pytest.mark.parametrize("raw", ["£150", "150rbu", "1.2.3jt", "sejuta"])
def test_indonesian_price_that_is_not_an_amount_in_rupiah_is_refused(raw: str) -> None:
    assert refused(price, raw, ID).code == "error_price_format"


def test_shorthand_is_indonesian_only() -> None:
    assert refused(price, "50k", UK).code == "error_price_format"


# --- package and weight -----------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "30x20x10",
        "30*20*10",
        "30×20×10 cm",
        "30 x 20 x 10",
        "30，20，10",
        "30X20X10",
        "30cm x 20cm x 10cm",
    ],
)
def test_package_accepts_common_ways_of_writing_dimensions(raw: str) -> None:
    assert package(raw, UK) == (30, 20, 10)


@pytest.mark.parametrize(
    "raw", ["30x20", "30x20x10x5", "30.5x20x10", "0x20x10", "301x20x10", "thirty by twenty", ""]
)
def test_package_that_is_not_three_whole_cm_up_to_300_is_refused(raw: str) -> None:
    error = refused(package, raw, UK)
    assert (error.code, error.params) == ("error_package", {"min": 1, "max": 300})


@pytest.mark.parametrize(
    ("raw", "kilograms"),
    [
        ("0.5", "0.5"),
        ("0,5 kg", "0.5"),
        ("500g", "0.5"),
        ("500 克", "0.5"),
        ("1.2公斤", "1.2"),
        ("1,5 KG", "1.5"),
        ("1.200 g", "1.2"),
        ("2斤", "1"),  # jin
        ("100", "100"),
    ],
)
def test_weight_accepts_kilograms_grams_and_chinese_units(raw: str, kilograms: str) -> None:
    assert weight(raw, UK) == Decimal(kilograms)


@pytest.mark.parametrize("raw", ["0", "0 g", "100.001", "101kg", "-1", "5 lb", "heavy", ""])
def test_weight_that_is_not_above_0_and_up_to_100_kg_is_refused(raw: str) -> None:
    error = refused(weight, raw, UK)
    assert (error.code, error.params) == ("error_weight", {"max": Decimal(100)})


# --- images -----------------------------------------------------------------------


@pytest.mark.parametrize("mime_type", ["image/jpeg", "image/png", "IMAGE/JPEG", "image/jpg"])
def test_jpeg_and_png_photos_are_accepted(mime_type: str) -> None:
    image(mime_type, 800_000, 1280, 960, UK)


@pytest.mark.parametrize(
    "mime_type", ["image/webp", "image/gif", "image/heic", "application/pdf", ""]
)
def test_other_image_types_are_refused(mime_type: str) -> None:
    assert refused(image, mime_type, 800_000, 1280, 960, UK).code == "error_image_type"


def test_image_of_exactly_5_mb_is_accepted_and_one_byte_more_is_refused() -> None:
    image("image/jpeg", 5 * MB, 1280, 960, UK)
    error = refused(image, "image/jpeg", 5 * MB + 1, 1280, 960, UK)
    assert (error.code, error.params) == ("error_image_too_large", {"max_mb": 5})


def test_size_limit_from_a_cohort_override_is_reported_as_it_is() -> None:
    cohort = UK.with_overrides({"image_max_bytes": 5 * MB // 2})
    assert refused(image, "image/png", 3 * MB, 1000, 1000, cohort).params == {
        "max_mb": Decimal("2.5")
    }


@pytest.mark.parametrize(("width", "height"), [(300, 300), (4000, 4000), (300, 4000)])
def test_image_from_300_to_4000_px_is_accepted(width: int, height: int) -> None:
    image("image/png", MB, width, height, UK)


@pytest.mark.parametrize(("width", "height"), [(299, 500), (500, 299), (4001, 3000), (3000, 4001)])
def test_image_outside_300_to_4000_px_is_refused(width: int, height: int) -> None:
    error = refused(image, "image/png", MB, width, height, UK)
    assert (error.code, error.params) == ("error_image_dimensions", {"min": 300, "max": 4000})


def test_document_of_unknown_dimensions_is_not_refused_for_them() -> None:
    image("image/png", MB, 0, 0, UK)


@pytest.mark.parametrize("count", [1, 9])
def test_listing_may_have_1_to_9_images(count: int) -> None:
    image_count(count, ID)


@pytest.mark.parametrize("count", [0, 10])
def test_listing_without_images_or_with_more_than_9_is_refused(count: int) -> None:
    error = refused(image_count, count, ID)
    assert (error.code, error.params) == ("error_images_count", {"min": 1, "max": 9})
