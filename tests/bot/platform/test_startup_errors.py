"""Start-up and settings errors are one line: what is wrong and what right looks like.

A bad setting exits 2 before anything starts; a service still unreachable after the
start-up retries exits 1 with one line naming it, its URL (password and token hidden)
and the cause. The retry schedule comes from the settings, so these tests wait 0 s.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import make_url
from telegram.error import NetworkError

from bot.cli import main as cli_main
from bot.platform.startup import Schedule, cause
from tests.processes import POSTGRES_URL, ROOT, empty_database

TOKEN = "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefgh"
FAST = {"STARTUP_TRIES": "2", "STARTUP_MAX_WAIT": "0"}


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("LOG_LEVEL", "LOUD", "use one of DEBUG, INFO, WARNING, ERROR, CRITICAL"),
        ("DATABASE_URL", "notaurl", "not a database URL; use sqlite:///"),
        ("DATABASE_URL", "mysql://bot:pw@db/bot", "'mysql' databases are not supported"),
        ("DATABASE_URL", "postgresql+psycopg2://bot:pw@db/bot", "needs the psycopg driver"),
        ("SUPERADMIN_IDS", "111,alice", "'alice' is not a Telegram user id"),
        ("WEBHOOK_URL", "notaurl", "not an https URL"),
        ("WEBHOOK_URL", "http://bot.example.com/hook", "not an https URL"),
        ("BOT_API_URL", "not-a-url", "not an http(s) URL"),
        ("BOT_API_URL", "api.telegram.org", "not an http(s) URL"),
        ("BOT_TOKEN", "", "BOT_TOKEN is not set"),
        ("BOT_TOKEN", "not-a-token", "does not look like a Telegram bot token"),
        ("STARTUP_TRIES", "0", "STARTUP_TRIES='0'"),
    ],
)
@pytest.mark.parametrize("command", ["run", "migrate"])
def test_a_bad_setting_is_one_line_naming_it_and_exit_code_2(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    command: str,
    name: str,
    value: str,
    says: str,
) -> None:
    if command == "migrate" and name == "BOT_TOKEN":
        pytest.skip("migrate needs no token")
    monkeypatch.chdir(tmp_path)  # no .env
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'never.sqlite3'}")
    monkeypatch.setenv(name, value)
    assert cli_main([command]) == 2
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and captured.out == ""
    assert captured.err.startswith("error: ") and says in captured.err
    assert name in captured.err
    assert "pw@" not in captured.err  # a database password is never repeated
    assert not (tmp_path / "never.sqlite3").exists()  # nothing started


def bot(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "BOT_API_URL")}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env={**clean, "BOT_TOKEN": TOKEN, "PYTHONPATH": str(ROOT), **FAST, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("command", ["run", "migrate"])
def test_postgresql_unreachable_is_one_line_with_the_url_and_cause_and_exit_code_1(
    tmp_path: Path, command: str
) -> None:
    url = f"postgresql+psycopg://bot:sekrit@127.0.0.1:{closed_port()}/bot"
    result = bot([command], {"DATABASE_URL": url}, tmp_path)
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert "Traceback" not in result.stderr and "sekrit" not in result.stderr
    assert len(lines) == 2  # the one retry's warning, then the error
    assert "retry 1/1" in lines[0]  # migrate retries as run does
    last = lines[-1]
    assert last.startswith("error: PostgreSQL at postgresql+psycopg://bot:***@127.0.0.1:")
    assert "unreachable after 2 tries" in last and "connection refused" in last


def test_telegram_unreachable_is_one_line_with_the_url_token_hidden_and_exit_code_1(
    tmp_path: Path,
) -> None:
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.sqlite3'}",
        "BOT_API_URL": f"http://127.0.0.1:{closed_port()}",
    }
    result = bot(["run"], env, tmp_path)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and TOKEN.split(":")[1] not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("error: Telegram at http://127.0.0.1:") and "/bot<token>/getMe" in last
    assert "connection refused" in last
    assert len(result.stderr.strip().splitlines()) == 3  # migrated, one retry, the error


def test_the_cause_is_told_in_words() -> None:
    def raised(error: Exception, inner: BaseException) -> Exception:
        error.__cause__ = inner
        return error

    dns = raised(
        NetworkError("httpx.ConnectError: x"), socket.gaierror(-2, "Name or service not known")
    )
    assert cause(dns) == "DNS lookup failed (no such host)"
    assert cause(raised(NetworkError("x"), ConnectionRefusedError(111, "refused"))).startswith(
        "connection refused"
    )
    assert cause(ValueError("odd")) == "ValueError: odd"


def test_the_default_schedule_waits_about_half_a_minute_per_service() -> None:
    assert Schedule().waits() == [1.0, 2.0, 4.0, 8.0, 16.0]
    assert Schedule(tries=3, max_wait=0).waits() == [0, 0]


def one_error_line(result: subprocess.CompletedProcess[str], code: int) -> str:
    """The process failed with ``code`` and said why in one line, no traceback."""
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("error: "), result.stderr
    return lines[-1]


def test_a_missing_postgresql_user_is_named_as_such_and_the_url_user_stays_readable(
    tmp_path: Path,
) -> None:
    with empty_database("postgres", tmp_path):  # skips (or fails in CI) without a server
        pass
    url = make_url(POSTGRES_URL).set(username="no_such_role_h17", database="postgres")
    shown = url.render_as_string(hide_password=True)
    result = bot(["migrate"], {"DATABASE_URL": shown}, tmp_path)
    last = one_error_line(result, 1)
    assert "user (role) named in the URL does not exist" in last
    assert "the database does not exist" not in last
    assert f"no_such_role_h17@{url.host}" in result.stderr  # not taken for an e-mail
    assert "<email>" not in result.stderr


def test_a_missing_postgresql_database_is_named_as_such(tmp_path: Path) -> None:
    with empty_database("postgres", tmp_path):
        pass
    url = make_url(POSTGRES_URL).set(database="no_such_database_h17")
    result = bot(["migrate"], {"DATABASE_URL": url.render_as_string(hide_password=True)}, tmp_path)
    assert "the database named in the URL does not exist" in one_error_line(result, 1)


def unwritable_folder(tmp_path: Path) -> Path:
    """A folder this process may not create files in (root ignores permission bits: /proc)."""
    if os.geteuid() == 0:
        return Path("/proc")
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    return folder


@pytest.mark.parametrize("command", ["run", "migrate"])
def test_a_read_only_sqlite_folder_is_one_line_at_once_not_a_database_server_down(
    tmp_path: Path, command: str
) -> None:
    path = unwritable_folder(tmp_path) / "bot.sqlite3"
    result = bot([command], {"DATABASE_URL": f"sqlite:///{path}", "STARTUP_TRIES": "6"}, tmp_path)
    last = one_error_line(result, 2)
    assert len(result.stderr.strip().splitlines()) == 1  # not retried: no server is starting
    assert "cannot be opened for writing" in last and f"folder {path.parent}" in last
    assert "server" not in last


@pytest.mark.parametrize("under", ["a-file/bot.sqlite3", "a-file/deeper/bot.sqlite3"])
@pytest.mark.parametrize("command", ["run", "migrate"])
def test_a_sqlite_path_under_a_file_is_one_line_naming_the_file(
    tmp_path: Path, command: str, under: str
) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    result = bot([command], {"DATABASE_URL": f"sqlite:///{tmp_path / under}"}, tmp_path)
    assert len(result.stderr.strip().splitlines()) == 1
    assert f"{tmp_path / 'a-file'} is a file, not a folder" in one_error_line(result, 2)


@pytest.mark.parametrize("command", [["run"], ["demo"], ["diagram", "uk_business"]])
def test_missing_catalogs_are_one_line_saying_how_to_compile_them(
    tmp_path: Path, command: list[str]
) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'bot.sqlite3'}", "LOCALES_DIR": str(tmp_path)}
    if command == ["demo"]:
        command = ["demo", "--database-url", f"sqlite:///{tmp_path / 'demo.sqlite3'}"]
    result = bot(command, env, tmp_path)
    assert len(result.stderr.strip().splitlines()) == 1
    assert "messages.mo is missing: run `make catalogs`" in one_error_line(result, 2)
    assert not (tmp_path / "bot.sqlite3").exists()  # refused before anything started
