"""Seeing a broadcast: the live status message, the final report, and the periodic tick.

The tick (a JobQueue job every ``BROADCAST_TICK_SECONDS``, 3 s by default: a message is
edited at most once per tick, well within Telegram's edit limits) launches scheduled
drafts that are due and updates every launched draft's status message from the database;
nothing lives only in memory, so a restart resumes all of it. The report is sent once
(``drafts.mark_reported`` claims it).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import logging
from collections import Counter
from functools import partial

from sqlmodel import Session, col, select
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import BadRequest, TelegramError

from bot.broadcasts import drafts
from bot.db.models import Admin, Broadcast, BroadcastDraft, Delivery, utcnow
from bot.platform.i18n import Translator
from bot.transport.context import Services, translator
from bot.transport.keyboards import pack
from flows.steps import N_

log = logging.getLogger(__name__)
KIND = "adm_bc"
BAR = 10
MESSAGE_IDS = (
    N_("broadcast_status_queued"),
    N_("broadcast_status_sending"),
    N_("broadcast_status_paused"),
    N_("broadcast_status_cancelled"),
    N_("broadcast_status_done"),
    N_("broadcast_kind_broadcast"),
    N_("broadcast_kind_reminder"),
    N_("broadcast_pause_done"),
    N_("broadcast_resume_done"),
    N_("broadcast_stop_done"),
    N_("button_bc_pause"),
    N_("button_bc_resume"),
)
"""Message ids built from parts, marked here for the catalogs."""
_shown: dict[tuple[int, str], str] = {}
"""(draft id, its broadcast's creation) → the status text last shown, so an unchanged one
is not edited again (a hint only: after a restart one edit may repeat)."""


def _key(draft_id: int, broadcast: Broadcast) -> tuple[int, str]:
    return draft_id, broadcast.created_at.isoformat()


def progress_text(t: Translator, draft_id: int, broadcast: Broadcast, now: dt.datetime) -> str:
    """The live status, numbered as the admin knows the broadcast everywhere (the draft's
    number: the composer, the report and ``/broadcasts``), never the outbox batch's id."""
    done = broadcast.sent + broadcast.blocked + broadcast.failed
    total = max(broadcast.total, 1)
    filled = round(BAR * done / total)
    eta = "—"
    started = broadcast.started_at
    if started is not None and done and broadcast.status in ("sending", "queued"):
        rate = done / max((now - started).total_seconds(), 0.001)
        eta = f"{round((broadcast.total - done) / rate)} s"
    return t(
        "broadcast_progress",
        {
            "id": draft_id,
            "bar": "▓" * filled + "░" * (BAR - filled),
            "done": done,
            "total": broadcast.total,
            "sent": broadcast.sent,
            "blocked": broadcast.blocked,
            "failed": broadcast.failed,
            "eta": eta,
            "status": t(f"broadcast_status_{broadcast.status}"),
        },
    )


def controls(t: Translator, draft_id: int, status: str) -> InlineKeyboardMarkup | None:
    if status in ("done", "cancelled"):
        return None
    pause = ("resume", "button_bc_resume") if status == "paused" else ("pause", "button_bc_pause")
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(pause[1]), callback_data=pack(KIND, pause[0], str(draft_id))
                ),
                InlineKeyboardButton(
                    t("button_bc_stop"), callback_data=pack(KIND, "stop", str(draft_id))
                ),
            ]
        ]
    )


def _admin_t(session: Session, telegram_user_id: int) -> Translator:
    locale = session.exec(
        select(Admin.locale).where(Admin.telegram_user_id == telegram_user_id)
    ).first()
    return translator(locale or "en")


async def send_status(bot: Bot, services: Services, draft_id: int) -> None:
    """The status message of a just-launched draft (the tick edits it from then on)."""

    def load(session: Session) -> tuple[BroadcastDraft, Broadcast, Translator] | None:
        draft = session.get(BroadcastDraft, draft_id)
        if draft is None or draft.broadcast_id is None:
            return None
        broadcast = session.get(Broadcast, draft.broadcast_id)
        assert broadcast is not None
        return draft, broadcast, _admin_t(session, draft.admin_telegram_id)

    loaded = await services.db.run(load)
    if loaded is None:
        return
    draft, broadcast, t = loaded
    text = progress_text(t, draft_id, broadcast, utcnow())
    sent = await bot.send_message(
        draft.chat_id, text, reply_markup=controls(t, draft_id, broadcast.status)
    )
    _shown[_key(draft_id, broadcast)] = text

    def remember(session: Session) -> None:
        current = session.get(BroadcastDraft, draft_id)
        if current is not None:
            drafts.save(session, current, status_message_id=sent.message_id)

    await services.db.run(remember)


async def tick(bot: Bot, services: Services) -> None:
    """Launch due schedules; refresh every status message; report what has finished."""
    now = utcnow()
    superadmins = services.settings.superadmin_ids
    for draft_id in await services.db.run(lambda s: drafts.launch_due(s, now, superadmins)):
        await send_status(bot, services, draft_id)
    for draft, broadcast in await services.db.run(drafts.unreported):
        assert draft.id is not None
        if draft.status_message_id is None:
            await send_status(bot, services, draft.id)
            continue
        t = await services.db.run(partial(_admin_t, telegram_user_id=draft.admin_telegram_id))
        text = progress_text(t, draft.id, broadcast, now)
        if _shown.get(_key(draft.id, broadcast)) != text:
            with contextlib.suppress(BadRequest):  # deleted, or too old to edit
                await bot.edit_message_text(
                    text,
                    chat_id=draft.chat_id,
                    message_id=draft.status_message_id,
                    reply_markup=controls(t, draft.id, broadcast.status),
                )
            _shown[_key(draft.id, broadcast)] = text
        finished = broadcast.status in ("done", "cancelled")
        if finished and await services.db.run(partial(drafts.mark_reported, draft_id=draft.id)):
            _shown.pop(_key(draft.id, broadcast), None)
            await send_report(bot, services, draft, t)


def report(session: Session, broadcast_id: int) -> tuple[Broadcast, Counter[str], bytes | None]:
    """The counts, failures by reason, and a CSV of every delivery not sent (or None)."""
    broadcast = session.get(Broadcast, broadcast_id)
    assert broadcast is not None
    rows = session.exec(
        select(Delivery)
        .where(
            Delivery.broadcast_id == broadcast_id, col(Delivery.status).in_(("failed", "blocked"))
        )
        .order_by(col(Delivery.id))
    ).all()
    reasons = Counter(f"{r.status}: {r.last_error or '-'}" for r in rows)
    if not rows:
        return broadcast, reasons, None
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["chat_id", "seller_id", "status", "reason", "attempts"])
    for row in rows:
        writer.writerow(
            [row.chat_id, row.seller_id or "", row.status, row.last_error or "", row.attempts]
        )
    return broadcast, reasons, out.getvalue().encode()


async def send_report(bot: Bot, services: Services, draft: BroadcastDraft, t: Translator) -> None:
    broadcast_id = draft.broadcast_id or 0
    broadcast, reasons, failures = await services.db.run(lambda s: report(s, broadcast_id))
    lines = [
        t(
            "broadcast_report",
            {
                "id": draft.id,
                "status": t(f"broadcast_status_{broadcast.status}"),
                "total": broadcast.total,
                "sent": broadcast.sent,
                "blocked": broadcast.blocked,
                "failed": broadcast.failed,
                "unsent": broadcast.total - broadcast.sent - broadcast.blocked - broadcast.failed,
            },
        )
    ]
    lines += [f"• {reason} × {count}" for reason, count in reasons.most_common(10)]
    try:
        await bot.send_message(draft.chat_id, "\n".join(lines))
        if failures is not None:
            await bot.send_document(
                draft.chat_id,
                InputFile(failures, filename=f"broadcast-{draft.id}-failures.csv"),
                caption=t("broadcast_report_csv"),
            )
    except TelegramError as error:
        log.warning("could not send a broadcast report: %s", type(error).__name__)
