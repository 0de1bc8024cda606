"""Operators' details: every command's help, consistent messages, what git must not take,
docs without machine paths (the health check's grace is in tests/test_dockerfile.py)."""

from __future__ import annotations

import argparse
import re
import subprocess
from pathlib import Path

import pytest

from bot.cli import main as cli_main
from bot.cli import parser
from bot.platform.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def subcommands() -> dict[str, argparse.ArgumentParser]:
    (action,) = [a for a in parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(action.choices)


@pytest.mark.parametrize("name", list(subcommands()))
def test_every_argument_of_every_command_is_described_with_the_environment_it_reads(
    name: str,
) -> None:
    command = subcommands()[name]
    for action in command._actions:
        assert action.help, f"{name} {action.dest}: no help"
    assert "environment" in (command.epilog or ""), f"{name}: which settings does it read?"
    assert command.description, name


def test_run_help_names_every_setting() -> None:
    text = subcommands()["run"].format_help()
    for field in Settings.model_fields:
        assert field.upper() in text, f"`run --help` does not mention {field.upper()}"


def test_invite_codes_help_gives_the_date_format_and_the_database_option(
    capsys: pytest.CaptureFixture[str],
) -> None:
    text = subcommands()["invite-codes"].format_help()
    assert "YYYY-MM-DD" in text and "--database-url" in text and "DATABASE_URL" in text
    with pytest.raises(SystemExit):
        cli_main(["invite-codes", "--market", "uk", "--expires", "31/01/2027", "ABCD"])
    assert "write YYYY-MM-DD, e.g. 2027-01-31" in capsys.readouterr().err


def test_invite_codes_take_a_database_url_and_count_in_words(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'not-this.sqlite3'}")
    url = f"sqlite:///{tmp_path / 'codes.sqlite3'}"
    args = ["invite-codes", "--database-url", url, "--market", "uk"]
    assert cli_main([*args, "ONE-CODE"]) == 0
    assert capsys.readouterr().out == "Added 1 invite code for market uk.\n"
    assert cli_main([*args, "ONE-CODE", "TWO-CODE", "THREE-CODE", "NO"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "Added 2 invite codes for market uk.",
        "Skipped 1 existing code: ONE-CODE",
        "Refused 1 code not of 4-32 letters, digits or '-': NO",
    ]
    assert (tmp_path / "codes.sqlite3").exists() and not (tmp_path / "not-this.sqlite3").exists()


@pytest.mark.parametrize(
    "path", ["bot.env", ".env", "compose.yml", "data/bot.sqlite3", "data/demo-files/x.csv"]
)
def test_git_ignores_secrets_and_data(path: str) -> None:
    result = subprocess.run(
        ["git", "check-ignore", "--no-index", "-q", path], cwd=ROOT, check=False, timeout=30
    )
    assert result.returncode == 0, f"{path} would be committed by `git add .`"


def test_the_docs_point_at_files_without_machine_paths() -> None:
    for doc in [ROOT / "README.md", *(ROOT / "docs").glob("*.md")]:
        assert not re.search(r"`?/(work|home|root|tmp)/\S*\.md", doc.read_text()), doc.name
