"""The audit log as an admin reads it: actions, targets and changed values in their words.

Stored rows keep stable codes (``admin.remove``, ``admin:3``, ``{"role": "operator"}``);
only this module turns them into sentences, so the log stays queryable and every label
comes from the catalogs in the reader's language. A code without a label (a future
action) is shown as stored rather than hidden.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.db.models import AuditEvent
from bot.platform.i18n import Translator
from bot.providers.access import ROLE_NAMES
from bot.reports.state_names import state_label
from flows.rejections import REASONS_BY_CODE
from flows.steps import N_
from flows.tracks import MARKETS, TRACK_NAMES

ACTIONS: Mapping[str, str] = {
    "admin.invite": N_("audit_admin_invite"),
    "admin.join": N_("audit_admin_join"),
    "admin.remove": N_("audit_admin_remove"),
    "application.approve": N_("audit_application_approve"),
    "application.reject": N_("audit_application_reject"),
    "application.assign": N_("audit_application_assign"),
    "application.documents": N_("audit_application_documents"),
    "broadcast.start": N_("audit_broadcast_start"),
    "broadcast.cancel": N_("audit_broadcast_cancel"),
    "broadcast.schedule": N_("audit_broadcast_schedule"),
    "broadcast.send": N_("audit_broadcast_send"),
    "broadcast.pause": N_("audit_broadcast_pause"),
    "broadcast.resume": N_("audit_broadcast_resume"),
    "broadcast.stop": N_("audit_broadcast_stop"),
    "codes.generate": N_("audit_codes_generate"),
    "codes.import": N_("audit_codes_import"),
    "codes.revoke": N_("audit_codes_revoke"),
    "cohort.create": N_("audit_cohort_create"),
    "cohort.export": N_("audit_cohort_export"),
    "cohort.rule": N_("audit_cohort_rule"),
    "cohort.arch": N_("audit_cohort_archive"),
    "cohort.inv": N_("audit_cohort_invite_rule"),
    "faq.add": N_("audit_faq_add"),
    "faq.edit": N_("audit_faq_edit"),
    "faq.hide": N_("audit_faq_hide"),
    "faq.import": N_("audit_faq_import"),
    "faq.remove": N_("audit_faq_remove"),
    "group.link": N_("audit_group_link"),
    "group.removed": N_("audit_group_removed"),
    "provider.create": N_("audit_provider_create"),
    "reminder.round": N_("audit_reminder_round"),
    "retention.anonymized": N_("audit_retention_anonymized"),
    "seller.erased": N_("audit_seller_erased"),
    "ticket.answer": N_("audit_ticket_answer"),
    "ticket.close": N_("audit_ticket_close"),
    "admin.tickets": N_("audit_admin_tickets"),
}
"""Stored action → what the log says was done."""

TARGETS: Mapping[str, str] = {
    "admin": N_("audit_target_admin"),
    "application": N_("audit_target_application"),
    "cohort": N_("audit_target_cohort"),
    "draft": N_("audit_target_broadcast"),
    "faq": N_("audit_target_faq"),
    "provider": N_("audit_target_provider"),
    "ticket": N_("audit_target_ticket"),
    "user": N_("audit_target_user"),
}
"""``kind:id`` targets → "application #12"."""

FIELDS: Mapping[str, str] = {
    "user": N_("audit_field_user"),
    "role": N_("audit_field_role"),
    "name": N_("audit_field_name"),
    "market": N_("label_market"),
    "track": N_("label_track"),
    "owner": N_("audit_field_owner"),
    "state": N_("audit_field_state"),
    "reasons": N_("audit_field_reasons"),
    "note": N_("audit_field_note"),
    "archived": N_("audit_field_archived"),
    "group_chat_id": N_("audit_field_group"),
    "rules": N_("audit_field_rules"),
    "product_rules": N_("audit_field_product_rules"),
    "cohort_id": N_("audit_field_cohort"),
    "count": N_("audit_field_count"),
    "applications": N_("audit_field_applications"),
    "recipients": N_("audit_field_recipients"),
    "format": N_("audit_field_format"),
    "notify": N_("audit_field_notify"),
    "question": N_("audit_field_question"),
    "entry": N_("audit_field_faq_builtin"),
    "language": N_("audit_field_language"),
    "added": N_("audit_field_added"),
    "changed": N_("audit_field_changed"),
    "hidden": N_("audit_field_hidden"),
    "kept": N_("audit_field_kept"),
}
"""Changed values worth naming; the version counter is bookkeeping and left out."""
HIDDEN = frozenset({"version"})


def describe(row: AuditEvent, t: Translator) -> str:
    """One log line: when · who · what, on what (changed values)."""
    when = row.created_at.strftime("%Y-%m-%d %H:%M")
    msgid = ACTIONS.get(row.action)
    action = t(msgid) if msgid else row.action
    line = f"{when} · {row.actor_telegram_id} · {action}"
    target = _target(row.target, t)
    if target:
        line += f" · {target}"
    change = _change(row.before or {}, row.after or {}, t)
    return f"{line} ({change})" if change else line


def _target(target: str, t: Translator) -> str:
    kind, _, value = target.partition(":")
    if value and kind in TARGETS:
        return t(TARGETS[kind], {"id": value})
    if target in ROLE_NAMES:  # an invite names the role it offers
        return t(ROLE_NAMES[target])
    return target


def _change(before: Mapping[str, Any], after: Mapping[str, Any], t: Translator) -> str:
    parts = []
    for key in [*before, *(k for k in after if k not in before)]:
        if key in HIDDEN or (key in before and key in after and before[key] == after[key]):
            continue
        label = t(FIELDS[key]) if key in FIELDS else key
        old, new = before.get(key), after.get(key)
        if key in before and key in after:
            parts.append(f"{label}: {_value(key, old, t)} → {_value(key, new, t)}")
        else:
            parts.append(f"{label}: {_value(key, new if key in after else old, t)}")
    return "; ".join(parts)


def _value(key: str, value: Any, t: Translator) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if key == "role" and value in ROLE_NAMES:
        return t(ROLE_NAMES[value])
    if key == "market" and value in MARKETS:
        return t(MARKETS[value])
    if key == "track" and value in TRACK_NAMES:
        return t(TRACK_NAMES[value])
    if key == "state":
        return state_label(None, str(value), t)
    if key == "reasons" and isinstance(value, list):
        return ", ".join(
            t(REASONS_BY_CODE[code].button) if code in REASONS_BY_CODE else str(code)
            for code in value
        )
    if isinstance(value, Mapping):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)
