"""Running broadcasts: Pause / Resume / Cancel, ``/broadcasts``, ``/remind``, and the jobs.

Pause, resume and cancel act on the draft's broadcast through ``store.set_status_in`` (a
conditional UPDATE) after re-reading the draft with the acting admin
(``drafts.of_provider``), so forged callback data reaches nothing of another provider and
a double tap changes (and audits) the broadcast once. Reminder rounds run from a JobQueue job every
``REMINDER_TICK_SECONDS``; everything they need is in the database.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlmodel import Session
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application

from bot.broadcasts import drafts, reminders
from bot.broadcasts.progress import KIND, report, send_report, send_status, tick
from bot.db.models import BroadcastDraft, utcnow
from bot.outbox import store
from bot.providers import audit
from bot.providers.access import AdminIdentity
from bot.providers.cohorts.store import cohort_of
from bot.providers.gate import admin_t
from bot.providers.replies import button_fields, int_arg, reply
from bot.transport.context import BotContext
from bot.transport.keyboards import pack

log = logging.getLogger(__name__)
STATUS_OF_ACTION = {"pause": "paused", "resume": "queued", "stop": "cancelled"}


async def on_control_button(update: Update, context: BotContext, admin: AdminIdentity) -> None:
    """Pause, Resume, Cancel under a status message; Report under ``/broadcasts``."""
    query = update.callback_query
    if query is None:
        return
    t = admin_t(admin)
    action, value = button_fields(query)
    draft_id = int_arg([value], 0) or 0

    def act(session: Session) -> BroadcastDraft | None:
        draft = drafts.of_provider(session, admin, draft_id)
        if draft is None or action not in (*STATUS_OF_ACTION, "report"):
            return None
        if action in STATUS_OF_ACTION:
            # a conditional claim: over, already in that state, or a double tap's twin
            # moved it first → nothing changes and nothing is audited
            if not store.set_status_in(session, draft.broadcast_id or 0, STATUS_OF_ACTION[action]):
                return None
            audit.record(
                session,
                admin=admin,
                action=f"broadcast.{action}",
                target=f"draft:{draft.id}",
                provider_id=draft.provider_id,
            )
        return draft

    draft = await context.services.db.run(act)
    if draft is None:
        await query.answer(t("notice_stale_button"))
        return
    await query.answer(t(f"broadcast_{action}_done") if action != "report" else None)
    if action == "report":
        await send_report(context.bot, context.services, draft, t)
    else:
        await tick(context.bot, context.services)


async def broadcasts(update: Update, context: BotContext, admin: AdminIdentity) -> None:
    """``/broadcasts``: the latest broadcasts and reminder rounds, with a report button each."""
    t = admin_t(admin)
    rows = await context.services.db.run(lambda s: drafts.recent(s, admin))
    if not rows:
        await reply(update, context, t("broadcasts_empty"))
        return
    lines, buttons = [t("broadcasts_title")], []
    for draft, broadcast in rows:
        lines.append(
            t(
                "broadcasts_line",
                {
                    "id": draft.id,
                    "kind": t(f"broadcast_kind_{draft.kind}"),
                    "when": f"{broadcast.created_at:%Y-%m-%d %H:%M}",
                    "status": t(f"broadcast_status_{broadcast.status}"),
                    "sent": broadcast.sent,
                    "blocked": broadcast.blocked,
                    "failed": broadcast.failed,
                    "total": broadcast.total,
                },
            )
        )
        buttons.append(
            InlineKeyboardButton(f"#{draft.id}", callback_data=pack(KIND, "report", str(draft.id)))
        )
    keyboard = InlineKeyboardMarkup([buttons[i : i + 5] for i in range(0, len(buttons), 5)])
    await reply(update, context, "\n".join(lines), keyboard)


async def remind(update: Update, context: BotContext, admin: AdminIdentity) -> None:
    """``/remind <cohort>``: a reminder round for one cohort now, reported like a broadcast."""
    t = admin_t(admin)
    chat = update.effective_chat
    cohort_id = int_arg(context.args, 0)
    if chat is None or cohort_id is None:
        await reply(update, context, t("remind_usage"))
        return
    quiet = reminders.parse_quiet_hours(context.services.settings.reminder_quiet_hours)

    def run(session: Session) -> tuple[int | None, reminders.RoundResult | None, int]:
        cohort = cohort_of(session, actor=admin, cohort_id=cohort_id)
        if cohort is None:
            return None, None, 0
        if reminders.limits(cohort) is None:
            return cohort.id, None, 0
        result = reminders.run_round(
            session,
            utcnow(),
            quiet_hours=quiet,
            cohorts=[cohort],
            created_by=admin.telegram_user_id,
            always=True,
        )
        draft = BroadcastDraft(
            provider_id=cohort.provider_id,
            admin_telegram_id=admin.telegram_user_id,
            chat_id=chat.id,
            kind="reminder",
            status=drafts.QUEUED,
            spec={"cohorts": [cohort.id]},
            broadcast_id=result.broadcast_id,
        )
        session.add(draft)
        session.flush()
        audit.record(
            session,
            admin=admin,
            action="reminder.round",
            target=f"cohort:{cohort.id}",
            provider_id=cohort.provider_id,
            after={"draft": draft.id, "queued": result.queued, "quiet": result.quiet},
        )
        return cohort.id, result, draft.id or 0

    found, result, draft_id = await context.services.db.run(run)
    if found is None:
        await reply(update, context, t("cohort_not_found", {"id": cohort_id}))
        return
    if result is None:
        await reply(update, context, t("remind_off", {"id": cohort_id}))
        return
    await reply(
        update, context, t("remind_queued", {"count": result.queued, "quiet": result.quiet})
    )
    await send_status(context.bot, context.services, draft_id)


def schedule_jobs(app: Application) -> None:  # type: ignore[type-arg]
    """The broadcast tick and the reminder rounds, both computed from the database."""
    queue: Any = app.job_queue
    if queue is None:
        log.warning("no JobQueue: scheduled broadcasts, progress and reminders are off")
        return

    async def broadcast_tick(context: BotContext) -> None:
        await tick(context.bot, context.services)

    async def reminder_tick(context: BotContext) -> None:
        hours = context.services.settings.reminder_quiet_hours
        await context.services.db.run(lambda s: reminders.automatic_round(s, utcnow(), hours))

    settings = app.bot_data["services"].settings
    queue.run_repeating(
        broadcast_tick,
        interval=settings.broadcast_tick_seconds,
        first=min(1.0, settings.broadcast_tick_seconds),
    )
    queue.run_repeating(
        reminder_tick,
        interval=settings.reminder_tick_seconds,
        first=settings.reminder_tick_seconds,
    )


__all__ = ["broadcasts", "on_control_button", "remind", "report", "schedule_jobs"]
