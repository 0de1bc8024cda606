"""The admin's replies to the composer's prompts: texts, a file, a step, a schedule.

Registered in a group before every other handler and only for replies in a private
chat: a reply to a composer prompt of the admin's own draft is taken here (and stops
there); any other message goes on to the usual handlers untouched.
"""

from __future__ import annotations

import re
from typing import Any

from sqlmodel import Session
from telegram import Message, Update
from telegram.ext import ApplicationHandlerStop

from bot.broadcasts import compose, drafts
from bot.broadcasts.composer import parse_schedule, show_panel
from bot.broadcasts.html_check import check_html
from bot.broadcasts.preview import zone_for
from bot.db.models import BroadcastDraft, utcnow
from bot.providers import audit
from bot.providers.access import AdminIdentity
from bot.providers.gate import acting_admin, admin_t
from bot.transport.context import BotContext
from flows.errors import ValidationError
from flows.normalize import without_lone_surrogates

URL_BUTTON = re.compile(r"^(?P<text>[^|]{1,40})\|\s*(?P<url>https://\S+)$")


async def on_reply(update: Update, context: BotContext) -> None:
    """Take a reply to a composer prompt; let everything else through."""
    message = update.message
    if message is None or message.reply_to_message is None:
        return
    admin = await acting_admin(update, context)
    if admin is None:
        return
    prompt_id = message.reply_to_message.message_id
    draft = await context.services.db.run(lambda s: drafts.awaiting_reply(s, admin, prompt_id))
    if draft is None:
        return
    t = admin_t(admin)
    try:
        changes = _changes(draft, draft.awaiting or "", message, admin)
    except ValidationError as error:
        await context.bot.send_message(draft.chat_id, "⚠️ " + t(error.code, error.params))
        raise ApplicationHandlerStop from None
    draft_id = draft.id or 0

    def apply(session: Session) -> BroadcastDraft | None:
        current = drafts.awaiting_reply(session, admin, prompt_id)
        if current is None or current.id != draft_id:
            return None
        if not drafts.save(session, current, awaiting=None, prompt_message_id=None, **changes):
            return None  # sent or cancelled meanwhile: the reply changes nothing
        if "scheduled_at" in changes:
            audit.record(
                session,
                admin=admin,
                action="broadcast.schedule",
                target=f"draft:{current.id}",
                provider_id=current.provider_id,
                after={"at": changes["scheduled_at"].isoformat()},
            )
        return current

    saved = await context.services.db.run(apply)
    if saved is not None and "scheduled_at" in changes:
        local = changes["scheduled_at"].astimezone(_zone(admin))
        when = f"{local:%Y-%m-%d %H:%M} ({zone_for(admin)})"
        await context.bot.send_message(saved.chat_id, t("broadcast_scheduled", {"when": when}))
    elif saved is not None:
        await show_panel(context, admin, saved)
    raise ApplicationHandlerStop


def _zone(admin: AdminIdentity) -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(zone_for(admin))


def _changes(
    draft: BroadcastDraft, awaiting: str, message: Message, admin: AdminIdentity
) -> dict[str, Any]:
    """The draft's new values from one reply; ``ValidationError`` for a wrong one."""
    spec = dict(draft.spec)
    raw = without_lone_surrogates(message.text or "").strip()
    kind, _, language = awaiting.partition(":")
    if kind == "text":
        # the admin types the markup as plain characters: ``<b>…</b>`` is checked as typed
        raw = check_html(raw, caption=bool(spec.get("media")))
        texts = (
            {}
            if language == compose.ALL
            else {k: v for k, v in spec["texts"].items() if k != compose.ALL}
        )
        spec["texts"] = {**texts, language: raw}
    elif kind == "media":
        media = _media(message)
        for text in spec["texts"].values():
            check_html(text, caption=True)
        spec["media"] = media
    elif kind == "state":
        if raw != "-" and raw not in compose.STATES:
            raise ValidationError("error_broadcast_state", states=", ".join(sorted(compose.STATES)))
        spec["state"] = None if raw == "-" else raw
    elif kind == "stalled":
        if raw != "-" and not (raw.isdecimal() and len(raw) <= 3 and 1 <= int(raw) <= 365):
            raise ValidationError("error_rule_number", min=1, max=365)
        spec["stalled_days"] = None if raw == "-" else int(raw)
    elif kind == "url":
        match = URL_BUTTON.match(raw)
        if match is None:
            raise ValidationError("error_broadcast_url")
        button = {"kind": "url", "text": match["text"].strip(), "url": match["url"]}
        spec["buttons"] = [*spec["buttons"], button][-3:]
    elif kind == "schedule":
        compose.check_ready(spec)
        at = parse_schedule(raw, zone_for(admin), utcnow())
        return {"scheduled_at": at, "status": drafts.SCHEDULED}
    else:
        raise ValidationError("error_broadcast_no_text")
    return {"spec": spec}


def _media(message: Message) -> dict[str, str]:
    if message.photo:
        return {"kind": "photo", "file_id": message.photo[-1].file_id}
    if message.document is not None:
        return {"kind": "document", "file_id": message.document.file_id}
    raise ValidationError("error_broadcast_media")
