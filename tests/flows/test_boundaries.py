"""The domain stays free of Telegram, the database and the network (DESIGN.md's one rule
for flows/), in every module of every sub-package."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

FLOWS = Path(__file__).resolve().parents[2] / "flows"
FORBIDDEN = (
    "telegram",
    "sqlmodel",
    "sqlalchemy",
    "bot",
    "httpx",
    "requests",
    "socket",
    "urllib.request",
)  # urllib.parse (a URL's form, no network) is fine
MODULES = sorted(FLOWS.rglob("*.py"))


@pytest.mark.parametrize(
    "module", MODULES, ids=lambda path: str(path.relative_to(FLOWS)).replace("/", ".")
)
def test_flows_modules_import_no_adapter_and_no_network(module: Path) -> None:
    tree = ast.parse(module.read_text(encoding="utf-8"))
    imported = [
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    ] + [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    offending = [
        name
        for name in imported
        for banned in FORBIDDEN
        if name == banned or name.startswith(f"{banned}.")
    ]
    assert offending == []


def test_the_sub_packages_are_checked_too() -> None:
    assert any(path.parent.name == "questions" for path in MODULES)
