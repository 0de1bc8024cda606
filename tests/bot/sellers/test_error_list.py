"""The CSV of every error of a refused product file."""

from __future__ import annotations

import csv
import io

from bot.sellers.error_list import row_errors_csv
from bot.transport.context import translator
from flows.bulk import RowError


def test_every_error_is_listed_and_no_echoed_cell_becomes_a_formula() -> None:
    errors = [
        RowError(2, "image_urls", "error_image_url", {"url": '=HYPERLINK("http://x")'}),
        RowError(0, "", "error_bulk_too_large", {"max_mb": 5}),
        RowError(3, "title", "=1+1"),  # a message that would start like a formula
    ]
    data = row_errors_csv(errors, translator("id"))
    assert data.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 only with the BOM
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert table[0] == ["Baris", "Kolom", "Masalah"]
    assert table[1][:2] == ["2", "image_urls"] and not table[1][2].startswith("=")
    assert "HYPERLINK" in table[1][2]
    assert table[2][0] == "" and "5 MB" in table[2][2]
    assert table[3] == ["3", "title", "'=1+1"]
