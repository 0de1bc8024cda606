"""The house rules of ``bot/``: one folder per role, and no import that runs back up.

Rooms are ranked; a module may import its own room and any lower one, never a higher one
or a sibling of its rank. The entry points at ``bot/`` root are the top. Imports inside
functions count too (a lazy import is still an arrow), so a cycle cannot hide in one.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BOT = ROOT / "bot"

RANKS = {
    "flows": 0,
    "bot.db": 1,
    "bot.platform": 1,
    "bot.transport": 2,
    "bot.outbox": 3,
    "bot.reports": 3,
    "bot.documents": 3,
    "bot.providers": 4,
    "bot.broadcasts": 5,
    "bot.sellers": 6,
    "bot.privacy": 7,
    "bot.questions": 7,
    "bot.offline": 8,
    "bot": 9,
}
"""Each room's rank: higher rooms may import lower ones (see docs/architecture.md)."""

ENTRY_POINTS = {"__init__.py", "__main__.py", "app.py", "cli.py", "routes.py", "runner.py"}


def _room(module: str) -> str:
    parts = module.split(".")
    if parts[0] == "flows":
        return "flows"
    if len(parts) > 1 and f"bot.{parts[1]}" in RANKS:
        return f"bot.{parts[1]}"
    return "bot"


def _modules() -> dict[str, ast.Module]:
    found = {}
    for path in sorted(BOT.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        found[module] = ast.parse(path.read_text(encoding="utf-8"))
    return found


def _imported(tree: ast.Module) -> set[str]:
    """Every ``bot``/``flows`` module a tree imports (``from bot import x`` names ``bot.x``)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] not in ("bot", "flows"):
                continue
            if node.module == "bot":
                names.update(f"bot.{alias.name}" for alias in node.names)
            else:
                names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names if a.name.split(".")[0] in ("bot", "flows"))
    return names


def test_no_import_runs_from_a_lower_room_to_a_higher_one() -> None:
    upward = []
    for module, tree in _modules().items():
        room = _room(module)
        for target in _imported(tree):
            other = _room(target)
            if other != room and RANKS[other] >= RANKS[room]:
                upward.append(f"{module} → {target}")
    assert upward == []


def _package(module: str) -> str:
    path = ROOT.joinpath(*module.split("."))
    return module if (path / "__init__.py").exists() else module.rsplit(".", 1)[0]


def test_no_import_cycle_between_packages() -> None:
    """Sub-packages count (``bot.providers`` and ``bot.providers.cohorts`` are two)."""
    modules = _modules()
    arrows: dict[str, set[str]] = {}
    for module, tree in modules.items():
        for target in _imported(tree):
            if target.startswith("bot") and target not in modules:
                target = target.rsplit(".", 1)[0]  # ``from bot.x.y import name``
            if target.startswith("bot") and _package(target) != _package(module):
                arrows.setdefault(_package(module), set()).add(_package(target))
    done: set[str] = set()

    def visit(package: str, path: tuple[str, ...]) -> None:
        assert package not in path, " → ".join((*path, package))
        if package not in done:
            for target in arrows.get(package, ()):
                visit(target, (*path, package))
            done.add(package)

    for package in list(arrows):
        visit(package, ())


def test_the_bot_root_holds_only_the_entry_points() -> None:
    loose = {p.name for p in BOT.iterdir() if p.is_file() and p.suffix == ".py"}
    assert loose == ENTRY_POINTS


def test_every_folder_is_a_ranked_room() -> None:
    folders = {f"bot.{p.name}" for p in BOT.iterdir() if (p / "__init__.py").exists()}
    assert folders == set(RANKS) - {"bot", "flows"}


def test_only_the_command_line_imports_lazily() -> None:
    """Inside functions only where start-up time asks for it (the CLI's heavy commands,
    the runner's migrations): a lazy import anywhere else is a cycle being hidden."""
    lazy = []
    for module, tree in _modules().items():
        if module in ("bot.cli", "bot.runner"):
            continue
        for function in ast.walk(tree):
            if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                lazy += [f"{module}: {t}" for t in _imported(ast.Module(function.body, []))]
    assert lazy == []
