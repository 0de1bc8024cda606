"""The FAQ and the glossary are data files: the wheel must carry them (pyproject's package-data)."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_every_data_file_of_the_questions_package_is_in_package_data() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["flows"]
    shipped = {path for pattern in patterns for path in (ROOT / "flows").glob(pattern)}
    data = {p for p in (ROOT / "flows" / "questions").rglob("*") if p.suffix == ".toml"}
    assert data and data <= shipped
