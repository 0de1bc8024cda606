"""Review commands: ``/queue`` (what waits, oldest first), ``/application <id>`` (one
application in detail, with its history and the review buttons) and a superadmin's
``/assign <application> <cohort>`` for an application that came without a cohort link.
All of them read through the admin's scope (``bot.providers.review.cases``).
"""

from __future__ import annotations

import datetime as dt

from babel.dates import format_timedelta
from sqlmodel import Session
from telegram import Update

from bot.db.models import StepEvent, utcnow
from bot.platform.i18n import FORMAT_LOCALES, Translator
from bot.providers.access import AdminIdentity
from bot.providers.gate import admin_t
from bot.providers.replies import int_arg, reply
from bot.providers.review import decisions as review
from bot.providers.review.buttons import markup
from bot.providers.review.cases import Case, history, load_case, waiting
from bot.providers.review.notices import REVIEW, notify_submitted, review_buttons, summary
from bot.transport.context import BotContext
from flows.steps import N_
from flows.tracks import SUBMITTED

ASSIGN_REFUSALS = {
    review.Assigned.NO_APPLICATION: N_("review_not_found"),
    review.Assigned.NO_COHORT: N_("assign_no_cohort"),
    review.Assigned.WRONG_MARKET: N_("assign_wrong_market"),
}


def waited(since: dt.datetime | None, now: dt.datetime, t: Translator) -> str:
    """How long an application has waited, in the admin's language ("3 hours")."""
    if since is None:
        return "—"
    locale = FORMAT_LOCALES.get(t.locale, "en_GB")
    return format_timedelta(now - since, threshold=1.5, locale=locale)


async def queue(update: Update, context: BotContext, admin: AdminIdentity) -> None:
    """``/queue``: submitted applications of the admin's scope, oldest first."""
    t = admin_t(admin)
    cases = await context.services.db.run(lambda s: waiting(s, admin))
    if not cases:
        await reply(update, context, t("queue_empty"))
        return
    now = utcnow()
    lines = [t("queue_title", {"count": len(cases)})]
    for case in cases:
        cohort = case.cohort_name or t("queue_unassigned")
        lines.append(
            f"#{case.id} · {case.company or '—'} · {cohort} · "
            + t("queue_waiting", {"time": waited(case.submitted_at, now, t)})
        )
    lines.append(t("queue_hint"))
    await reply(update, context, "\n".join(lines))


async def application(update: Update, context: BotContext, admin: AdminIdentity) -> None:
    """``/application <id>``: answers, step history with times, files on request, buttons."""
    t = admin_t(admin)
    application_id = int_arg(context.args, 0)
    if application_id is None:
        await reply(update, context, t("application_usage"))
        return

    def read(session: Session) -> tuple[Case, list[StepEvent]] | None:
        case = load_case(session, admin, application_id)
        return None if case is None else (case, history(session, case.id))

    found = await context.services.db.run(read)
    if found is None:
        await reply(update, context, t("review_not_found"))
        return
    case, events = found
    lines = [summary(case, t), t("application_history")]
    lines += [_event_line(event) for event in events] or ["—"]
    rows = review_buttons(case, t) if case.state == SUBMITTED else []
    files_data = f"{REVIEW}|d|{case.id}|{case.version}|0"
    rows.append([{"text": t("review_button_files"), "callback_data": files_data}])
    state = t("application_state", {"state": case.state})
    await reply(update, context, state + "\n" + "\n".join(lines), markup(rows))


def _event_line(event: StepEvent) -> str:
    when = event.created_at.strftime("%Y-%m-%d %H:%M UTC")
    return f"{when} · {event.from_state} → {event.to_state} · {event.actor}"


async def assign(update: Update, context: BotContext, admin: AdminIdentity) -> None:
    """``/assign <application id> <cohort id>`` (superadmins)."""
    t = admin_t(admin)
    if not admin.is_superadmin:
        await reply(update, context, t("admin_not_allowed"))
        return
    application_id, cohort_id = int_arg(context.args, 0), int_arg(context.args, 1)
    if application_id is None or cohort_id is None:
        await reply(update, context, t("assign_usage"))
        return

    def work(session: Session) -> tuple[review.Assigned, Case | None]:
        return review.assign(session, admin, application_id=application_id, cohort_id=cohort_id)

    outcome, case = await context.services.db.run(work)
    if outcome is not review.Assigned.DONE or case is None:
        await reply(update, context, t(ASSIGN_REFUSALS[outcome]))
        return
    await reply(update, context, t("assign_done", {"id": case.id, "cohort": case.cohort_name}))
    if case.state == SUBMITTED:  # the provider's reviewers take it from here
        await notify_submitted(context, case.id)
