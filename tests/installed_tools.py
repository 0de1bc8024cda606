"""Command-line tools the dev install puts beside the test's Python (hadolint, uv)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest


def tool(name: str, install_hint: str) -> str:
    """The ``name`` binary beside this Python, else on PATH; the test fails without it."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: {install_hint}")
    return found
