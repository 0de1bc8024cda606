"""The image's install steps, run outside Docker, so a broken recipe fails CI without an engine.

Mirrors the Dockerfile: the build context's files only (pyproject, uv.lock, README, bot/,
flows/, locales/), wheels of the locked dependencies and of the project, a fresh venv
without pip filled with ``pip --python ... --no-index`` from those wheels, catalogs
compiled with the installed Babel. Then the installed console script runs the bot, from a
folder that is not the checkout (so the source tree cannot be imported by accident),
against the fake Bot API: health routes, a reply to /start, a clean exit on SIGTERM. A
module missing from the wheel, a migration left out of package-data, catalogs looked up
beside the source or a console script that does not start all fail here.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import shutil
import signal
import socket
import subprocess
import sys
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from bot.transport.web import SECRET_HEADER, webhook_secret
from tests.fakebotapi import FakeBotAPI
from tests.installed_tools import tool
from tests.updates import TelegramUser, UpdateFactory

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 60.0  # the first start imports everything without bytecode caches
STOP_TIMEOUT = 15.0


@dataclass(frozen=True)
class Installed:
    wheel: Path
    venv: Path
    locales: Path

    @property
    def bin(self) -> Path:
        return self.venv / "bin"


def _run(command: Sequence[str | Path]) -> None:
    """Run a build step; on failure, show its output (pip's resolver errors are long)."""
    result = subprocess.run(
        [str(part) for part in command], capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, f"{command}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"


def uv() -> str:
    """The uv that ``make`` installs beside this Python (the Dockerfile pins the same)."""
    return tool("uv", "make installs it into the venv")


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """The Dockerfile's builder and install steps, in a temporary folder."""
    root = tmp_path_factory.mktemp("packaging")
    # The build context: what .dockerignore lets in and the Dockerfile copies.
    context = root / "context"
    context.mkdir()
    caches = shutil.ignore_patterns("__pycache__", "*.py[cod]", "*.mo")
    for name in ("bot", "flows"):
        shutil.copytree(ROOT / name, context / name, ignore=caches)
    for name in ("pyproject.toml", "README.md"):
        if (ROOT / name).exists():
            shutil.copy(ROOT / name, context / name)

    # Builder stage: dependency wheels from the lock (with its hashes), then the project's wheel.
    shutil.copy(ROOT / "uv.lock", context / "uv.lock")
    wheels = root / "wheels"
    requirements = root / "requirements.txt"
    _run([uv(), "export", "--project", context, "--frozen", "--no-dev", "--no-emit-project",
          "--format", "requirements.txt", "--output-file", requirements])  # fmt: skip
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    _run([*pip, "wheel", "--wheel-dir", wheels, "--requirement", requirements])
    _run([*pip, "wheel", "--no-deps", "--wheel-dir", wheels, context])
    (wheel,) = wheels.glob("shop_onboarding_bot-*.whl")

    # Final stage: a venv with no pip of its own, filled from the wheels only.
    venv = root / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv])
    _run([*pip, "--python", venv / "bin" / "python", "install", "--no-index",
          "--find-links", wheels, wheel])  # fmt: skip

    # Catalogs: the .po sources only, compiled by the Babel the bot runs with.
    locales = root / "locales"
    for po in (ROOT / "locales").glob("*/LC_MESSAGES/messages.po"):
        target = locales / po.relative_to(ROOT / "locales")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(po, target)
    _run([venv / "bin" / "pybabel", "compile", "-d", locales, "-D", "messages"])
    return Installed(wheel, venv, locales)


def test_wheel_contains_the_package_and_its_migrations(installed: Installed) -> None:
    with zipfile.ZipFile(installed.wheel) as wheel:
        names = set(wheel.namelist())
        entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
        scripts = wheel.read(entry_points).decode()
    migrations = "bot/db/migrations"
    versions = sorted(p.name for p in (ROOT / migrations / "versions").glob("*.py"))
    assert versions, "no migration in the checkout?"
    desk = sorted(
        p.relative_to(ROOT).as_posix()
        for folder in ("static", "templates")
        for p in (ROOT / "bot/desk" / folder).iterdir()
    )
    assert "bot/desk/templates/queue.html" in desk and "bot/desk/static/desk.js" in desk
    expected = {
        *desk,  # the review desk's templates, script and style
        "bot/cli.py",
        "bot/transport/web.py",
        "flows/__init__.py",
        f"{migrations}/env.py",
        f"{migrations}/script.py.mako",
        *(f"{migrations}/versions/{name}" for name in versions),
    }
    assert expected <= names, sorted(expected - names)
    assert re.search(r"^shop-onboarding-bot\s*=\s*bot\.cli:main$", scripts, re.M)
    assert not [n for n in names if n.startswith("tests/")]


def test_the_installed_package_is_imported_not_the_checkout(
    installed: Installed, tmp_path: Path
) -> None:
    where = "import bot, flows; print(bot.__file__, flows.__file__)"
    result = subprocess.run(
        [str(installed.bin / "python"), "-c", where],
        capture_output=True, text=True, cwd=tmp_path, env=_environment(tmp_path, installed),
        timeout=60, check=True,
    )  # fmt: skip
    for path in result.stdout.split():
        assert Path(path).is_relative_to(installed.venv), path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _environment(work: Path, installed: Installed, **settings: str) -> dict[str, str]:
    """A clean environment, as in a container: nothing from the developer's shell leaks in."""
    return {
        "PATH": f"{installed.bin}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(work),
        "LANG": "C.UTF-8",
        "PYTHONUNBUFFERED": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "LOCALES_DIR": str(installed.locales),
        **settings,
    }


def _healthcheck_command(installed: Installed) -> list[str]:
    """The Dockerfile's HEALTHCHECK command, run with the venv's Python."""
    match = re.search(r"^HEALTHCHECK\b.*?\bCMD\s+(\[.*\])\s*$",
                      (ROOT / "Dockerfile").read_text().replace("\\\n", " "), re.M)  # fmt: skip
    assert match, "no exec-form HEALTHCHECK in the Dockerfile"
    command: list[str] = json.loads(match.group(1))
    assert command[0] == "python"
    return [str(installed.bin / "python"), *command[1:]]


async def _exit_code(command: Sequence[str], env: dict[str, str]) -> int:
    process = await asyncio.create_subprocess_exec(
        *command, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL
    )
    return await asyncio.wait_for(process.wait(), 30)


WEBHOOK_URL = "https://bot.example.test/telegram"


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_installed_bot_serves_replies_and_stops_cleanly(
    installed: Installed, tmp_path: Path, mode: str
) -> None:
    port = _free_port()
    log_path = tmp_path / "bot.log"
    async with FakeBotAPI() as api:
        env = _environment(
            tmp_path,
            installed,
            BOT_TOKEN=api.token,
            BOT_API_URL=api.url,
            DATABASE_URL=f"sqlite:///{tmp_path}/data/bot.sqlite3",
            LISTEN_HOST="127.0.0.1",
            LISTEN_PORT=str(port),
            **({"WEBHOOK_URL": WEBHOOK_URL} if mode == "webhook" else {}),
        )
        with log_path.open("wb") as log:
            process = await asyncio.create_subprocess_exec(
                str(installed.bin / "shop-onboarding-bot"), "run",
                cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip

        def output() -> str:
            return log_path.read_text(errors="replace")[-4000:]

        try:
            base = f"http://127.0.0.1:{port}"
            async with httpx.AsyncClient(base_url=base, trust_env=False, timeout=5) as client:
                await _wait_healthy(client, process, output)
                ready = await client.get("/readyz")
                assert (ready.status_code, ready.json()) == (
                    200,
                    {"database": True, "outbox": True},
                ), output()
                # The image's own health check, against the real server.
                check = _healthcheck_command(installed)
                assert await _exit_code(check, env) == 0, output()

                updates = UpdateFactory.for_api(api)
                ann = TelegramUser(id=4242, first_name="Ann", language_code="en")
                start = updates.message_text(ann, "/start")
                update_id = api.push_update(start)  # polled in polling mode
                if mode == "webhook":
                    await api.wait_for(lambda call: call.method == "setWebhook", timeout=10)
                    assert api.webhook_url == WEBHOOK_URL
                    posted = await client.post(
                        "/telegram",
                        json={**start, "update_id": update_id},
                        headers={SECRET_HEADER: webhook_secret(api.token, None)},
                    )
                    assert posted.status_code == 200, output()
                reply = await api.wait_for(
                    lambda call: call.method == "sendMessage" and call.chat_id == ann.id,
                    timeout=30,
                )
            # A symbolic message id instead of wording means the catalogs were not found.
            assert reply.text and not re.fullmatch(r"[a-z0-9_]+", reply.text), reply.text
            if mode == "webhook":
                assert api.polls == 0, "getUpdates while a webhook is set"
            menus = {call.params.get("language_code") for call in api.calls_to("setMyCommands")}
            assert menus == {None, "en", "zh", "id"}, "the command menu is set per language"

            process.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(process.wait(), STOP_TIMEOUT)
            assert code == 0, f"exit code {code} after SIGTERM:\n{output()}"
            assert "stopped cleanly" in output()
            assert await _exit_code(check, env) != 0, "the health check passes with no server"
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()


async def _wait_healthy(
    client: httpx.AsyncClient,
    process: asyncio.subprocess.Process,
    output: Callable[[], str],
) -> None:
    """Until /healthz answers 200; fails at once if the bot exits first."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + START_TIMEOUT
    while True:
        assert process.returncode is None, f"the bot exited: {output()}"
        with contextlib.suppress(httpx.TransportError):
            response = await client.get("/healthz")
            if response.status_code == 200:
                return
        assert loop.time() < deadline, f"/healthz not up in {START_TIMEOUT}s: {output()}"
        await asyncio.sleep(0.1)
