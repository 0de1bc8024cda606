"""Bulk product files: what a seller's CSV or XLSX yields, and what each bad cell says."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Mapping, Sequence
from decimal import Decimal

import openpyxl
import pytest

from flows.bulk import (
    EXAMPLE_IMAGES,
    BulkResult,
    RowError,
    parse_product_file,
    template_csv,
    template_xlsx,
)
from flows.products import RULES

UK = RULES["uk_business"]
UK_CROSSBORDER = RULES["uk_crossborder"]
ID = RULES["id_business"]

HEADER = ("title", "price", "image_urls", "length_cm", "width_cm", "height_cm", "weight_kg")
MUG_IMAGES = "https://cdn.example.co.uk/mug-front.jpg|https://cdn.example.co.uk/mug-side.jpg"
MUG = ("Stoneware Coffee Mug 350 ml", "12.99", MUG_IMAGES, "12", "9", "11", "0.45")
TEAPOT = (
    "Cast Iron Teapot 900 ml",
    "£34.50",
    "https://cdn.example.co.uk/teapot.png",
    "20",
    "18",
    "15",
    "1.6",
)
BATIK = ("Kemeja Batik Pria Lengan Panjang Katun", "Rp150.000", "https://cdn.example.id/batik.jpg")


def csv_file(*rows: Sequence[str], delimiter: str = ",", encoding: str = "utf-8") -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter).writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_file(*rows: Sequence[object], stored: Mapping[str, str] | None = None) -> bytes:
    """A workbook; ``stored`` rewrites numbers in the sheet XML to the text Excel itself
    writes (17 significant digits, e.g. ``19.990000000000002``), which openpyxl won't."""
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    if not stored:
        return out.getvalue()
    patched = io.BytesIO()
    with zipfile.ZipFile(out) as source, zipfile.ZipFile(patched, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                for written, excel in stored.items():
                    assert f"<v>{written}</v>".encode() in content
                    content = content.replace(
                        f"<v>{written}</v>".encode(), f"<v>{excel}</v>".encode()
                    )
            target.writestr(item, content)
    return patched.getvalue()


def where(result: BulkResult) -> list[tuple[int, str, str]]:
    return [(error.row, error.column, error.code) for error in result.errors]


# --- good files -------------------------------------------------------------------


def test_uk_csv_gives_every_product_in_order() -> None:
    result = parse_product_file(csv_file(HEADER, MUG, TEAPOT), "products.csv", UK)

    assert result.errors == ()
    mug, teapot = result.products
    assert (mug.title, mug.price, mug.currency) == (
        "Stoneware Coffee Mug 350 ml",
        Decimal("12.99"),
        "GBP",
    )
    assert mug.images == (
        "https://cdn.example.co.uk/mug-front.jpg",
        "https://cdn.example.co.uk/mug-side.jpg",
    )
    assert (mug.package_cm, mug.weight_kg) == ((12, 9, 11), Decimal("0.45"))
    assert (teapot.price, teapot.package_cm) == (Decimal("34.50"), (20, 18, 15))


def test_headers_match_ignoring_case_spaces_and_units_and_extra_columns_are_ignored() -> None:
    header = (
        " Title ",
        "PRICE",
        "Image URLs",
        "Length (cm)",
        "Width cm",
        "HEIGHT_CM",
        "Weight (kg)",
        "Notes",
    )
    result = parse_product_file(csv_file(header, (*MUG, "reorder in May")), "products.csv", UK)

    assert where(result) == []
    assert result.products[0].weight_kg == Decimal("0.45")


def test_semicolon_csv_from_european_excel_reads_decimal_commas() -> None:
    row = ("Stoneware Coffee Mug 350 ml", "12,99", MUG_IMAGES, "12", "9", "11", "0,45")
    result = parse_product_file(csv_file(HEADER, row, delimiter=";"), "products.csv", UK)

    assert [(p.price, p.weight_kg) for p in result.products] == [
        (Decimal("12.99"), Decimal("0.45"))
    ]


def test_tab_separated_utf16_unicode_text_from_excel_is_read() -> None:
    data = csv_file(HEADER, MUG, delimiter="\t", encoding="utf-16")
    assert [p.title for p in parse_product_file(data, "products.csv", UK).products] == [MUG[0]]


def test_gb18030_csv_from_chinese_excel_is_read() -> None:
    header = (*HEADER, "备注")
    data = csv_file(header, (*MUG, "白色陶瓷杯，易碎"), encoding="gb18030")
    result = parse_product_file(data, "商品.csv", UK_CROSSBORDER)

    assert where(result) == []
    assert result.products[0].title == MUG[0]


def test_gb18030_csv_with_a_chinese_title_names_the_character() -> None:
    data = csv_file(HEADER, ("陶瓷杯 Coffee Mug", *MUG[1:]), encoding="gb18030")
    (error,) = parse_product_file(data, "商品.csv", UK_CROSSBORDER).errors

    assert error == RowError(2, "title", "error_title_chinese", {"char": "陶"})


@pytest.mark.parametrize(
    ("title", "price", "expected"),
    [
        # Every accented letter here pairs with the next byte into valid GB18030.
        ("Crème Brûlée Ramekin", "4.50", Decimal("4.50")),
        ("Café Mug", "£6.00", Decimal("6.00")),
    ],
)
def test_windows_1252_csv_from_uk_excel_keeps_accents_and_pound_signs(
    title: str, price: str, expected: Decimal
) -> None:
    data = csv_file(HEADER, (title, price, *MUG[2:]), encoding="cp1252")
    (product,) = parse_product_file(data, "products.csv", UK).products

    assert (product.title, product.price) == (title, expected)


def test_indonesian_file_may_leave_out_package_columns() -> None:
    data = csv_file(HEADER[:3], BATIK)
    (batik,) = parse_product_file(data, "produk.csv", ID).products

    assert (batik.price, batik.currency, batik.package_cm, batik.weight_kg) == (
        Decimal(150000),
        "IDR",
        None,
        None,
    )


def test_xlsx_numbers_come_back_as_the_seller_typed_them() -> None:
    data = xlsx_file(
        HEADER,
        ("Stoneware Coffee Mug 350 ml", 19.99, MUG_IMAGES, 12, 9.0, 11, 0.45),
        ("Cast Iron Teapot 900 ml", "£34.50", TEAPOT[2], 20.0, 18, 15, 1.6),
        stored={"19.99": "19.990000000000002", "0.45": "0.45000000000000001"},
    )
    mug, teapot = parse_product_file(data, "products.xlsx", UK).products

    assert (mug.price, mug.package_cm, mug.weight_kg) == (
        Decimal("19.99"),
        (12, 9, 11),
        Decimal("0.45"),
    )
    assert (teapot.price, teapot.package_cm, teapot.weight_kg) == (
        Decimal("34.50"),
        (20, 18, 15),
        Decimal("1.6"),
    )


def test_xlsx_rupiah_as_number_or_as_text() -> None:
    data = xlsx_file(HEADER[:3], (BATIK[0], 150000, BATIK[2]), (BATIK[0], "Rp1.500.000", BATIK[2]))
    assert [p.price for p in parse_product_file(data, "produk.xlsx", ID).products] == [
        Decimal(150000),
        Decimal(1500000),
    ]


@pytest.mark.parametrize(
    "cell",
    [
        "https://cdn.example.id/a.jpg|https://cdn.example.id/b.png",
        "https://cdn.example.id/a.jpg | https://cdn.example.id/b.png",
        "https://cdn.example.id/a.jpg https://cdn.example.id/b.png",
        "https://cdn.example.id/a.jpg\nhttps://cdn.example.id/b.png",
        "https://cdn.example.id/a.JPG?w=800|https://cdn.example.id/b.png",
    ],
)
def test_image_links_may_be_separated_by_bars_spaces_or_newlines(cell: str) -> None:
    (batik,) = parse_product_file(
        csv_file(HEADER[:3], (BATIK[0], BATIK[1], cell)), "p.csv", ID
    ).products
    assert len(batik.images) == 2


# --- bad rows ---------------------------------------------------------------------


def test_bad_rows_are_reported_cell_by_cell_with_spreadsheet_row_numbers() -> None:
    rows = [
        HEADER,  # row 1
        MUG,  # row 2: fine
        ("陶瓷杯 Mug", *MUG[1:]),  # row 3
        ("Teapot", "£0", "http://cdn.example.co.uk/teapot.jpg", "20", "18", "15", "1.6"),  # row 4
        ("", "", "", "", "", "", ""),  # row 5: blank, skipped
        ("Jug", "8.50", MUG_IMAGES, "30.5", "9", "11", ""),  # row 6
        TEAPOT,  # row 7: fine
    ]
    result = parse_product_file(csv_file(*rows), "products.csv", UK)

    assert where(result) == [
        (3, "title", "error_title_chinese"),
        (4, "price", "error_price_range"),
        (4, "image_urls", "error_image_url"),
        (6, "length_cm", "error_package"),
        (6, "weight_kg", "error_weight"),
    ]
    assert result.errors[1].params == {
        "currency": "GBP",
        "min": Decimal("0.01"),
        "max": Decimal(5600),
    }
    assert result.errors[2].params == {"url": "http://cdn.example.co.uk/teapot.jpg"}
    assert result.products == (), "all or nothing: the seller fixes the file and sends it again"


def test_a_multiline_cell_is_still_one_spreadsheet_row() -> None:
    images_on_two_lines = MUG_IMAGES.replace("|", "\n")
    rows = (HEADER, (*MUG[:2], images_on_two_lines, *MUG[3:]), (MUG[0], "free", *MUG[2:]))

    assert where(parse_product_file(csv_file(*rows), "products.csv", UK)) == [
        (3, "price", "error_price_format")
    ]


def test_xlsx_errors_name_the_row_the_seller_sees() -> None:
    data = xlsx_file(HEADER, (), MUG, ("Teapot", 140, *TEAPOT[2:]))  # row 2 left blank

    assert where(parse_product_file(data, "products.xlsx", UK_CROSSBORDER)) == [
        (4, "price", "error_price_range")
    ]


def test_cross_border_price_limit_applies_to_files() -> None:
    data = csv_file(HEADER, (MUG[0], "134.50", *MUG[2:]), (MUG[0], "134.51", *MUG[2:]))
    (error,) = parse_product_file(data, "products.csv", UK_CROSSBORDER).errors

    assert (error.row, error.column, error.params["max"]) == (3, "price", Decimal("134.50"))


def test_uk_rows_need_every_package_cell() -> None:
    rows = (HEADER, (*MUG[:3], "", "9", "", "0.45"))
    assert where(parse_product_file(csv_file(*rows), "products.csv", UK)) == [
        (2, "length_cm", "error_package"),
        (2, "height_cm", "error_package"),
    ]


def test_indonesian_row_with_some_package_cells_needs_all_three() -> None:
    rows = (HEADER, (*BATIK, "30", "", "", ""))
    assert where(parse_product_file(csv_file(*rows), "produk.csv", ID)) == [
        (2, "width_cm", "error_package"),
        (2, "height_cm", "error_package"),
    ]


def test_indonesian_title_shorter_than_25_characters_is_refused_in_files() -> None:
    rows = (HEADER[:3], ("Kemeja Batik", *BATIK[1:]))
    assert where(parse_product_file(csv_file(*rows), "produk.csv", ID)) == [
        (2, "title", "error_title_length")
    ]


@pytest.mark.parametrize(
    ("cell", "code"),
    [
        ("", "error_images_count"),
        ("|".join(f"https://cdn.example.id/{n}.jpg" for n in range(10)), "error_images_count"),
        ("http://cdn.example.id/batik.jpg", "error_image_url"),
        ("https://cdn.example.id/batik.gif", "error_image_url"),
        ("https://cdn.example.id/batik.webp", "error_image_url"),
        ("cdn.example.id/batik.jpg", "error_image_url"),
        ("https:///batik.jpg", "error_image_url"),
        ("https://[cdn.example.id/batik.jpg", "error_image_url"),
    ],
)
def test_image_links_must_be_1_to_9_https_jpg_or_png(cell: str, code: str) -> None:
    rows = (HEADER[:3], (BATIK[0], BATIK[1], cell))
    assert where(parse_product_file(csv_file(*rows), "produk.csv", ID)) == [(2, "image_urls", code)]


def test_a_row_with_only_a_note_in_an_unread_column_is_skipped() -> None:
    rows = ((*HEADER, "notes"), MUG, ("", "", "", "", "", "", "", "rest next week"))
    assert len(parse_product_file(csv_file(*rows), "products.csv", UK).products) == 1


# --- bad files --------------------------------------------------------------------


def test_missing_required_columns_are_all_named() -> None:
    data = csv_file(("title", "price", "length_cm", "width_cm", "height_cm"), MUG[:2] + MUG[3:6])
    result = parse_product_file(data, "products.csv", UK)

    assert result.errors == (
        RowError(0, "image_urls", "error_bulk_missing_column", {"column": "image_urls"}),
        RowError(0, "weight_kg", "error_bulk_missing_column", {"column": "weight_kg"}),
    )
    assert result.products == ()


def test_more_rows_than_allowed_is_refused_as_a_whole() -> None:
    three = (HEADER, MUG, ("", "", "", "", "", "", ""), TEAPOT, MUG)
    assert len(parse_product_file(csv_file(*three), "products.csv", UK, max_rows=3).products) == 3

    result = parse_product_file(csv_file(*three, TEAPOT), "products.csv", UK, max_rows=3)
    assert result.errors == (RowError(0, "", "error_bulk_too_many_rows", {"max": 3}),)


@pytest.mark.parametrize(
    "data", [b"", b"\r\n\r\n", csv_file(HEADER), csv_file(HEADER, ("", "", ""), ("", "", ""))]
)
def test_file_without_products_is_refused(data: bytes) -> None:
    assert where(parse_product_file(data, "products.csv", UK)) == [(0, "", "error_bulk_empty")]


@pytest.mark.parametrize(
    "filename", ["products.xls", "products.numbers", "products.pdf", "products"]
)
def test_other_file_types_are_refused(filename: str) -> None:
    data = csv_file(HEADER, MUG)
    assert where(parse_product_file(data, filename, UK)) == [(0, "", "error_bulk_file_type")]


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (b"title,price\nMug,12.99\n", "products.xlsx"),  # CSV renamed
        (xlsx_file(HEADER, MUG)[:500], "products.xlsx"),  # cut short in transit
        (xlsx_file(HEADER, MUG), "products.csv"),  # workbook renamed
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "products.csv"),  # a photo
    ],
)
def test_unreadable_files_are_refused(data: bytes, filename: str) -> None:
    assert where(parse_product_file(data, filename, UK)) == [(0, "", "error_bulk_unreadable")]


# --- templates --------------------------------------------------------------------


def own_photos(template: bytes) -> bytes:
    """A CSV template with the example's placeholder photo links replaced by real ones."""
    return template.replace(EXAMPLE_IMAGES.encode(), b"https://cdn.shop.example.co.uk/p")


@pytest.mark.parametrize("track", sorted(RULES))
def test_a_csv_template_sent_back_unchanged_imports_nothing_and_says_it_is_the_example(
    track: str,
) -> None:
    result = parse_product_file(template_csv(track), f"{track}.csv", RULES[track])
    assert where(result) == [(2, "image_urls", "error_bulk_example_row")]
    assert result.products == ()


@pytest.mark.parametrize("track", sorted(RULES))
def test_an_xlsx_template_sent_back_unchanged_imports_nothing_and_says_it_is_the_example(
    track: str,
) -> None:
    result = parse_product_file(template_xlsx(track), f"{track}.xlsx", RULES[track])
    assert where(result) == [(2, "image_urls", "error_bulk_example_row")]
    assert result.products == ()


def test_the_example_row_among_real_products_is_refused_too() -> None:
    rows = list(csv.reader(io.StringIO(template_csv("uk_business").decode("utf-8-sig"))))
    result = parse_product_file(csv_file(*rows, MUG), "products.csv", UK)
    assert where(result) == [(2, "image_urls", "error_bulk_example_row")]


@pytest.mark.parametrize("track", sorted(RULES))
def test_the_templates_example_is_a_valid_product_once_its_photos_are_real(track: str) -> None:
    csv_template = own_photos(template_csv(track))
    xlsx_template = _xlsx_with_own_photos(template_xlsx(track))
    for data, name in ((csv_template, "t.csv"), (xlsx_template, "t.xlsx")):
        result = parse_product_file(data, name, RULES[track])
        assert (len(result.products), result.errors) == (1, ())
        assert result.products[0].currency == RULES[track].currency


def _xlsx_with_own_photos(template: bytes) -> bytes:
    """An XLSX template with its placeholder photo links replaced (they are in the sheet's
    shared strings, so not a byte replacement)."""
    book = openpyxl.load_workbook(io.BytesIO(template))
    sheet = book.active
    sheet["C2"] = str(sheet["C2"].value).replace(EXAMPLE_IMAGES, "https://cdn.shop.example.id/p")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_csv_template_starts_with_a_bom_so_excel_reads_it_as_utf8() -> None:
    assert template_csv("uk_crossborder").startswith(b"\xef\xbb\xbftitle,price,image_urls,")


def test_xlsx_template_has_a_bold_header() -> None:
    sheet = openpyxl.load_workbook(io.BytesIO(template_xlsx("id_individual"))).active
    assert [cell.value for cell in sheet[1]] == list(HEADER)
    assert all(cell.font.bold for cell in sheet[1])
    assert not sheet["A2"].font.bold


def test_unknown_track_has_no_template() -> None:
    with pytest.raises(KeyError):
        template_csv("us_business")
