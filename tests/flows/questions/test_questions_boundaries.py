"""The questions package is pure: no Telegram, no database, no network, no model."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[3] / "flows" / "questions"
FORBIDDEN = ("telegram", "sqlmodel", "sqlalchemy", "bot", "httpx", "urllib", "socket", "requests")


@pytest.mark.parametrize("module", sorted(PACKAGE.rglob("*.py")), ids=lambda path: path.name)
def test_questions_modules_import_no_adapter_and_no_network(module: Path) -> None:
    tree = ast.parse(module.read_text(encoding="utf-8"))
    imported = [
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    ] + [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    assert [name for name in imported if name.split(".")[0] in FORBIDDEN] == []


def test_the_package_has_modules_to_check() -> None:
    assert len(list(PACKAGE.rglob("*.py"))) >= 4
