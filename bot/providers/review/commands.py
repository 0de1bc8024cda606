"""Review commands: ``/queue`` (what waits, oldest first), ``/application <id>`` (one
application in detail, with its history and the review buttons) and a superadmin's
``/assign <application> <cohort>`` for an application that came without a cohort link.
All of them read through the admin's scope (``bot.providers.review.cases``).
"""

from __future__ import annotations

import datetime as dt

from babel.dates import format_timedelta
from sqlmodel import Session
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update, WebAppInfo
from telegram.constants import ChatType

from bot.db.models import StepEvent, utcnow
from bot.platform.i18n import FORMAT_LOCALES, Translator
from bot.providers.access import AdminIdentity
from bot.providers.gate import admin_t
from bot.providers.replies import int_arg, reply
from bot.providers.review import decisions as review
from bot.providers.review.buttons import markup
from bot.providers.review.cases import Case, history, load_case, waiting
from bot.providers.review.notices import (
    REVIEW,
    Buttons,
    notify_submitted,
    review_buttons,
    summary,
)
from bot.reports.state_names import state_label, track_label
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
        await reply(update, context, t("queue_empty"), desk_keyboard(update, context, t))
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
    await reply(update, context, "\n".join(lines), desk_keyboard(update, context, t))


def desk_keyboard(
    update: Update, context: BotContext, t: Translator
) -> InlineKeyboardMarkup | None:
    """ "Open the review desk" under ``/queue``, when the desk is offered and the chat is
    private (Telegram allows ``web_app`` buttons only there; the menu button opens it too)."""
    desk_url = context.services.settings.desk_url
    chat = update.effective_chat
    if not desk_url or chat is None or chat.type != ChatType.PRIVATE:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(t("desk_open_queue"), web_app=WebAppInfo(desk_url))]]
    )


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
    # erased by the seller (/delete_me) or by the cohort's retention: no answers, no files
    lines = [anonymized_summary(case, t) if case.anonymized else summary(case, t)]
    lines.append(t("application_history"))
    lines += [event_line(case, event, t) for event in events] or ["—"]
    rows: Buttons = []
    if not case.anonymized:
        rows = review_buttons(case, t) if case.state == SUBMITTED else []
        files_data = f"{REVIEW}|d|{case.id}|{case.version}|0"
        rows.append([{"text": t("review_button_files"), "callback_data": files_data}])
    state = t("application_state", {"state": state_label(case.track, case.state, t)})
    await reply(update, context, state + "\n" + "\n".join(lines), markup(rows) if rows else None)


def anonymized_summary(case: Case, t: Translator) -> str:
    """What is left of an application whose seller's data is gone: no answers, no files."""
    when = case.anonymized_at.strftime("%Y-%m-%d") if case.anonymized_at else "—"
    track = track_label(case.track, t)
    return t(
        "application_anonymized",
        {"id": case.id, "track": track, "cohort": case.cohort_name or "—", "date": when},
    )


def event_line(case: Case, event: StepEvent, t: Translator) -> str:
    """One history line in the admin's words: "2026-12-07 09:14 UTC · 公司名称 → 手机号 · 卖家"."""
    when = event.created_at.strftime("%Y-%m-%d %H:%M UTC")
    before = state_label(case.track, event.from_state, t)
    after = state_label(case.track, event.to_state, t)
    return f"{when} · {before} → {after} · {actor_name(event.actor, t)}"


def actor_name(actor: str, t: Translator) -> str:
    """``seller`` and ``admin:<id>`` as the reader says them."""
    if actor.startswith(review.ACTOR_PREFIX):
        return t("actor_admin", {"user": actor[len(review.ACTOR_PREFIX) :]})
    return t("actor_seller") if actor == "seller" else actor


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
