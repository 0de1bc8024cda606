"""Reproducible installs: every runtime dependency bounded, ``uv.lock`` in step with it.

``make`` and the Dockerfile install with ``--frozen``, which trusts the lock without
comparing it to ``pyproject.toml``; this test does the comparing (offline, from the
requirements uv recorded in the lock), so a dependency changed without ``make lock`` fails
CI instead of being silently left out. The release version and the changelog agree too.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

ROOT = Path(__file__).resolve().parent.parent
PROJECT: dict[str, Any] = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
LOCK: dict[str, Any] = tomllib.loads((ROOT / "uv.lock").read_text())


def _ours() -> dict[str, Any]:
    (package,) = [p for p in LOCK["package"] if p["name"] == PROJECT["name"]]
    return package


def test_every_runtime_dependency_has_an_upper_bound() -> None:
    for line in PROJECT["dependencies"]:
        requirement = Requirement(line)
        operators = {spec.operator for spec in requirement.specifier}
        assert operators & {"<", "<=", "~=", "=="}, f"{line}: no upper bound"


def test_the_lock_was_made_from_this_pyproject() -> None:
    recorded = {
        (item["name"], SpecifierSet(item.get("specifier", "")), item.get("marker"))
        for item in _ours()["metadata"]["requires-dist"]
        if "marker" not in item or "extra ==" not in item["marker"]
    }
    declared = {
        (Requirement(line).name, Requirement(line).specifier, None)
        for line in PROJECT["dependencies"]
    }
    assert {(n, s) for n, s, _ in recorded} == {(n, s) for n, s, _ in declared}, (
        "uv.lock is out of date with pyproject.toml: run `make lock` and commit both"
    )
    dev = {Requirement(line).name for line in PROJECT["optional-dependencies"]["dev"]}
    locked_dev = {item["name"] for item in _ours()["optional-dependencies"]["dev"]}
    assert dev == locked_dev, "the dev extra changed: run `make lock` and commit both"


def test_the_lock_pins_every_package_from_pypi_with_hashes() -> None:
    for package in LOCK["package"]:
        if package["name"] == PROJECT["name"]:
            continue
        assert package["source"] == {"registry": "https://pypi.org/simple"}, package["name"]
        files = package.get("wheels", []) + ([package["sdist"]] if "sdist" in package else [])
        assert files and all(f["hash"].startswith("sha256:") for f in files), package["name"]


def test_the_version_has_a_changelog_entry() -> None:
    changelog = (ROOT / "docs" / "CHANGELOG.md").read_text()
    releases = re.findall(r"^## \[(\d+\.\d+\.\d+)\] - \d{4}-\d\d-\d\d$", changelog, re.M)
    assert releases and releases[0] == PROJECT["version"] == _ours()["version"]
    assert "0.1.0" in releases
