"""Reading a stranger's spreadsheet under hard caps: each hostile file is refused quickly,
with the limit it broke, and an honest file is still read."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from flows.bulk import parse_product_file, template_csv, template_xlsx
from flows.errors import ValidationError
from flows.products import RULES
from flows.sheets import SheetLimits, check_xlsx_archive, read_rows
from tests import hostile_files as hostile

ID = RULES["id_individual"]

HOSTILE: dict[str, tuple[Callable[[], bytes], str, str]] = {
    "20M blank rows": (hostile.blank_rows, "p.xlsx", "error_sheet_unpacked_too_large"),
    "6M shared strings": (hostile.shared_strings, "p.xlsx", "error_sheet_unpacked_too_large"),
    "zip bomb": (lambda: hostile.zip_bomb(200), "p.xlsx", "error_sheet_unpacked_too_large"),
    "sizes that lie": (hostile.lying_sizes, "p.xlsx", "error_bulk_unreadable"),
    "one cell in the last row": (hostile.far_row, "p.xlsx", "error_sheet_too_many_rows"),
    "malformed XML": (hostile.malformed_xml, "p.xlsx", "error_bulk_unreadable"),
    "entity expansion": (hostile.entity_bomb, "p.xlsx", "error_bulk_unreadable"),
    "huge CSV cell": (hostile.huge_csv_cell, "p.csv", "error_sheet_cell_too_long"),
    "zip named .csv": (hostile.far_row, "p.csv", "error_bulk_unreadable"),
    "text named .xlsx": (lambda: b"title,price\n", "p.xlsx", "error_bulk_unreadable"),
    "wrong extension": (hostile.far_row, "products.pdf", "error_bulk_file_type"),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_file_is_refused_quickly_with_the_limit_it_broke(name: str) -> None:
    make, filename, code = HOSTILE[name]
    data = make()
    started = time.process_time()
    result = parse_product_file(data, filename, ID)
    spent = time.process_time() - started
    assert [error.code for error in result.errors] == [code]
    assert result.products == ()
    assert spent < 5  # before the caps: 17–48 s here, and hundreds of MB


def test_rows_are_capped_while_reading_blank_ones_included() -> None:
    rows = read_rows(b"title\n" + b",\n" * 200, "p.csv", SheetLimits(max_rows=100))
    with pytest.raises(ValidationError) as refused:
        list(rows)
    assert refused.value.code == "error_sheet_too_many_rows"
    assert refused.value.params == {"max": 100}


def test_a_long_cell_names_its_row() -> None:
    data = b"title,price\nshort,1\n" + b"y" * 5000 + b",2\n"
    with pytest.raises(ValidationError) as refused:
        list(read_rows(data, "p.csv"))
    assert refused.value.code == "error_sheet_cell_too_long"
    assert refused.value.params == {"row": 3, "max": 4000}


def test_a_file_over_the_byte_limit_is_refused_before_reading() -> None:
    with pytest.raises(ValidationError) as refused:
        list(read_rows(b"x" * 2048, "p.csv", SheetLimits(max_bytes=1024)))
    assert refused.value.code == "error_bulk_too_large"


def test_a_well_compressed_member_is_refused_by_its_ratio() -> None:
    data = hostile.blank_rows(1_000_000)  # 6 MB of tags, a few KB packed
    with pytest.raises(ValidationError) as refused:
        check_xlsx_archive(data, SheetLimits(max_unpacked_bytes=50 << 20))
    assert refused.value.code == "error_sheet_unpacked_too_large"


def test_columns_beyond_the_cap_are_ignored_not_refused() -> None:
    row = ",".join(["title", "price", "image_urls"] + ["note"] * 500)
    (header,) = read_rows(row.encode(), "p.csv")
    assert len(header) == 64 and header[:3] == ["title", "price", "image_urls"]


@pytest.mark.parametrize("track", ["uk_business", "id_individual"])
def test_the_templates_pass_every_cap(track: str) -> None:
    for data, name in ((template_csv(track), "t.csv"), (template_xlsx(track), "t.xlsx")):
        result = parse_product_file(data, name, RULES[track])
        # read to the end: the one refusal is the example row's, not a cap's
        assert [error.code for error in result.errors] == ["error_bulk_example_row"]
