"""The routes and the admin command table name the same commands.

``bot.routes`` maps each admin command to its handler; ``bot.providers.command_table``
gives each its role and its line in the menu and ``/help``. They are two lists of one
set: a command routed but not in the table would be undiscoverable, one in the table but
not routed would be advertised and answered as unknown.
"""

from __future__ import annotations

from bot.providers.command_table import COMMANDS
from bot.routes import ADMIN_COMMANDS

ROUTED_ELSEWHERE = {"applications", "codes_import"}
"""Routed by their own handlers in ``bot.routes`` (a filter, a document's caption)."""


def test_every_routed_admin_command_is_in_the_table_and_every_listed_one_is_routed() -> None:
    assert {command.name for command in COMMANDS} == set(ADMIN_COMMANDS) | ROUTED_ELSEWHERE
