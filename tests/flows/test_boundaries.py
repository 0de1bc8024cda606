"""The domain stays free of Telegram and the database (DESIGN.md's one rule for flows/)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

FLOWS = Path(__file__).resolve().parents[2] / "flows"
FORBIDDEN = ("telegram", "sqlmodel", "sqlalchemy", "bot", "httpx")


@pytest.mark.parametrize("module", sorted(FLOWS.glob("*.py")), ids=lambda path: path.name)
def test_flows_modules_import_no_adapter(module: Path) -> None:
    tree = ast.parse(module.read_text(encoding="utf-8"))
    imported = [
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    ] + [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    offending = [name for name in imported if name.split(".")[0] in FORBIDDEN]
    assert offending == []
