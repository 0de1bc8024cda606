"""The admin commands as data: which role may use each and its one line, in the catalogs.

One table feeds both the command menu (``bot.providers.menus``) and the admin ``/help``
(``bot.providers.help``), so a command added for admins is discoverable in both, in the
admin's language, and an operator is never shown what only an owner may do.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.providers.access import OPERATOR, OWNER, SUPERADMIN
from flows.steps import N_

EVERY_ADMIN = frozenset({OPERATOR, OWNER, SUPERADMIN})
MANAGERS = frozenset({OWNER, SUPERADMIN})
SUPERADMINS = frozenset({SUPERADMIN})


@dataclass(frozen=True)
class AdminCommand:
    """One admin command: its name, its one line (message id) and who may use it."""

    name: str
    line: str
    roles: frozenset[str] = EVERY_ADMIN
    usage: str = ""
    """Arguments as typed after the name (``<cohort>``); not translated: they are syntax."""


COMMANDS: tuple[AdminCommand, ...] = (
    AdminCommand("cohorts", N_("command_cohorts")),
    AdminCommand("cohort_new", N_("command_cohort_new"), usage="<uk|id> <name>"),
    AdminCommand("cohort", N_("command_cohort"), usage="<cohort>"),
    AdminCommand("cohort_rule", N_("command_cohort_rule"), usage="<cohort> <rule> <value>"),
    AdminCommand("codes", N_("command_codes"), usage="<cohort> [new …|revoke …]"),
    AdminCommand("codes_import", N_("command_codes_import"), usage="<cohort>"),
    AdminCommand("queue", N_("command_queue")),
    AdminCommand("application", N_("command_application"), usage="<id>"),
    AdminCommand("tickets", N_("command_tickets"), usage="[on|off]"),
    AdminCommand("applications", N_("command_applications_admin"), usage="[cohort] [state]"),
    AdminCommand("documents", N_("command_documents"), usage="<id>"),
    AdminCommand("stats", N_("command_stats"), usage="[cohort] [Nd]"),
    AdminCommand("export", N_("command_export"), usage="[cohort] [xlsx|csv]"),
    AdminCommand("flow", N_("command_flow"), usage="<track>"),
    AdminCommand("broadcast", N_("command_broadcast")),
    AdminCommand("broadcasts", N_("command_broadcasts")),
    AdminCommand("remind", N_("command_remind"), usage="<cohort>"),
    AdminCommand("faq", N_("command_faq"), usage="<cohort|all> [add|hide|export|import]"),
    AdminCommand("admins", N_("command_admins")),
    AdminCommand("admin_invite", N_("command_admin_invite"), MANAGERS, "[operator|owner]"),
    AdminCommand("admin_remove", N_("command_admin_remove"), MANAGERS, "<id>"),
    AdminCommand("audit", N_("command_audit"), MANAGERS, "[page]"),
    AdminCommand("provider_new", N_("command_provider_new"), SUPERADMINS, "<name>"),
    AdminCommand("assign", N_("command_assign"), SUPERADMINS, "<application> <cohort>"),
)
MENU_SKIPS = frozenset({"codes_import"})
"""Not in the menu: it is a document's caption, never typed alone."""


def commands_for(role: str) -> tuple[AdminCommand, ...]:
    """The commands an admin of ``role`` may use, in the table's order."""
    return tuple(command for command in COMMANDS if role in command.roles)
