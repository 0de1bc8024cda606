"""``/broadcast``: the composer in the admin's private chat, state kept in a draft row.

The panel's buttons (``adm_bc|<action>|<draft>.<arg>``) change the draft; inputs (texts,
a file, a step, a schedule…) are asked with a ForceReply prompt and taken from the
admin's reply to it, so a restart loses nothing and sellers' messages never reach the
composer. Every change re-reads the draft through ``drafts.composing`` with the acting
admin: callback data naming another admin's draft changes nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session
from telegram import CallbackQuery, ForceReply, InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.broadcasts import compose, drafts
from bot.broadcasts.preview import language_name, preview, zone_for
from bot.broadcasts.progress import send_status
from bot.db.models import BroadcastDraft, utcnow
from bot.platform.i18n import LOCALES, Translator
from bot.providers import audit
from bot.providers.access import AdminIdentity
from bot.providers.cohorts.store import cohorts_of
from bot.providers.gate import admin_t
from bot.providers.replies import button_fields, int_arg, reply
from bot.reports.state_names import state_label
from bot.transport.context import BotContext
from bot.transport.keyboards import pack
from flows.errors import ValidationError
from flows.steps import N_
from flows.tracks import LANGUAGES, MARKETS

KIND = "adm_bc"
CYCLES: dict[str, tuple[str | None, ...]] = {
    "target": compose.TARGETS,
    "market": (None, "uk", "id"),
    "language": (None, *LOCALES),
}
INPUTS = ("text", "state", "stalled", "media", "url", "schedule")
MEDIA_NAMES = {"photo": N_("broadcast_media_photo"), "document": N_("broadcast_media_document")}
MESSAGE_IDS = (
    N_("broadcast_target_private"),
    N_("broadcast_target_groups"),
    N_("broadcast_target_both"),
    N_("broadcast_ask_text"),
    N_("broadcast_ask_state"),
    N_("broadcast_ask_stalled"),
    N_("broadcast_ask_media"),
    N_("broadcast_ask_url"),
    N_("broadcast_ask_schedule"),
    N_("broadcast_cancelled"),
)
"""Message ids this module builds from parts, marked here for the catalogs."""


async def broadcast(update: Update, context: BotContext, admin: AdminIdentity) -> None:
    """``/broadcast``: a new draft and its panel."""
    chat = update.effective_chat
    if chat is None:
        return
    if admin.provider_id is None and not admin.is_superadmin:
        await reply(update, context, admin_t(admin)("admin_no_provider"))
        return
    draft = await context.services.db.run(lambda s: drafts.start(s, admin, chat_id=chat.id))
    await show_panel(context, admin, draft)


async def show_panel(
    context: BotContext,
    admin: AdminIdentity,
    draft: BroadcastDraft,
    *,
    tapped: CallbackQuery | None = None,
) -> None:
    """The draft's panel: the tapped panel edited in place, else a new one (after
    ``/broadcast``, or after a reply to a prompt, which pushed the old one up)."""
    t = admin_t(admin)

    def load(session: Session) -> tuple[list[Any], int]:
        names = [(c.id, c.name) for c in cohorts_of(session, actor=admin)]
        count = len(compose.recipients(session, admin, draft.spec, utcnow()))
        return names, count

    names, count = await context.services.db.run(load)
    text, keyboard = panel_text(draft, t, dict(names), count), panel(draft, t, names)
    if tapped is not None and tapped.message is not None:
        await tapped.edit_message_text(text, reply_markup=keyboard)
        return
    await context.bot.send_message(draft.chat_id, text, reply_markup=keyboard)


def panel_text(draft: BroadcastDraft, t: Translator, names: dict[Any, str], count: int) -> str:
    spec = draft.spec
    chosen = ", ".join(f"#{c} {names.get(c, '?')}" for c in spec["cohorts"]) or "—"
    texts = ", ".join(language_name(language, t) for language in compose.languages(spec)) or "—"
    kind = (spec.get("media") or {}).get("kind")
    media = t(MEDIA_NAMES[kind]) if kind in MEDIA_NAMES else "—"
    market, state, language = spec.get("market"), spec.get("state"), spec.get("language")
    buttons = len(spec.get("buttons", []))
    return t(
        "broadcast_panel",
        {
            "id": draft.id,
            "cohorts": chosen,
            "target": t(f"broadcast_target_{spec['target']}"),
            "market": t(MARKETS[market]) if isinstance(market, str) and market in MARKETS else "—",
            "state": state_label(None, state, t) if state else "—",
            "stalled": spec.get("stalled_days") or "—",
            "language": language_name(language, t) if language else "—",
            "texts": texts,
            "media": media,
            "buttons": buttons,
            "count": count,
        },
    )


def _button(
    text: str, action: str, draft: BroadcastDraft, arg: object = ""
) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=pack(KIND, action, f"{draft.id}.{arg}"))


def panel(draft: BroadcastDraft, t: Translator, names: list[Any]) -> InlineKeyboardMarkup:
    spec = draft.spec
    rows = [
        [
            _button(
                ("✅ " if cid in spec["cohorts"] else "") + f"#{cid} {name}"[:40], "co", draft, cid
            )
        ]
        for cid, name in names[:12]
    ]
    rows += [
        [_button(t("button_bc_target"), "cy", draft, "target")],
        [
            _button(t("button_bc_market"), "cy", draft, "market"),
            _button(t("button_bc_language"), "cy", draft, "language"),
        ],
        [
            _button(t("button_bc_state"), "in", draft, "state"),
            _button(t("button_bc_stalled"), "in", draft, "stalled"),
        ],
        [_button(t("button_bc_text_all"), "in", draft, "text:all")]
        + [_button(LANGUAGES[locale], "in", draft, f"text:{locale}") for locale in LOCALES],
        [
            _button(t("button_bc_media"), "in", draft, "media"),
            _button(t("button_bc_url"), "in", draft, "url"),
            _button(t("button_bc_continue"), "cont", draft),
        ],
        [
            _button(t("button_bc_preview"), "pv", draft),
            _button(t("button_bc_send"), "send", draft),
        ],
        [
            _button(t("button_bc_schedule"), "in", draft, "schedule"),
            _button(t("button_bc_cancel"), "drop", draft),
        ],
    ]
    return InlineKeyboardMarkup(rows)


def _cycle(values: tuple[str | None, ...], current: str | None) -> str | None:
    index = values.index(current) if current in values else -1
    return values[(index + 1) % len(values)]


async def on_composer_button(update: Update, context: BotContext, admin: AdminIdentity) -> None:
    """Every button of the panel and of the preview."""
    query = update.callback_query
    if query is None:
        return
    t = admin_t(admin)
    action, value = button_fields(query)
    raw_id, _, arg = value.partition(".")
    draft_id = int_arg([raw_id], 0) or 0  # bounded: a forged id may not fit a column

    def change(session: Session) -> tuple[BroadcastDraft | None, str]:
        draft = drafts.composing(session, admin, draft_id)
        if draft is None:
            return None, "notice_stale_button"
        spec = dict(draft.spec)
        wanted = int_arg([arg], 0)
        if action == "co" and wanted is not None:
            if not compose.own_cohorts(session, admin, [wanted]):
                return None, "notice_stale_button"
            chosen = [c for c in spec["cohorts"] if c != wanted]
            spec["cohorts"] = chosen if wanted in spec["cohorts"] else [*chosen, wanted]
        elif action == "cy" and arg in CYCLES:
            spec[arg] = _cycle(CYCLES[arg], spec.get(arg))
        elif action == "cont":
            others = [b for b in spec["buttons"] if b.get("kind") != "continue"]
            has = len(others) != len(spec["buttons"])
            spec["buttons"] = others if has else [*others, {"kind": "continue"}]
        elif action == "drop":
            if not drafts.save(session, draft, status=drafts.CANCELLED, awaiting=None):
                return None, "notice_stale_button"  # sent or cancelled meanwhile
            audit.record(
                session, admin=admin, action="broadcast.cancel", target=f"draft:{draft.id}"
            )
            return draft, "broadcast_cancelled"
        elif action == "send":
            try:
                launched = drafts.launch(session, admin, draft, utcnow())
            except ValidationError as error:
                return draft, "!" + t(error.code, error.params)
            if launched is None:  # the other tap of a double tap launched it
                return None, "notice_stale_button"
            return draft, "broadcast_started"
        elif action in ("pv", "in"):
            return draft, ""
        else:
            return None, "notice_stale_button"
        drafts.save(session, draft, spec=spec)
        return draft, ""

    draft, notice = await context.services.db.run(change)
    if draft is None:
        await query.answer(t(notice))
        return
    await query.answer()
    if notice.startswith("!"):
        await context.bot.send_message(draft.chat_id, "⚠️ " + notice[1:])
    elif notice == "broadcast_started":
        await send_status(context.bot, context.services, draft.id or 0)
    elif notice:
        await context.bot.send_message(draft.chat_id, t(notice))
    elif action == "pv":
        await preview(context, admin, draft)
    elif action == "in" and (arg in INPUTS or arg.startswith("text:")):
        await ask(context, admin, draft, arg)
    else:
        await show_panel(context, admin, draft, tapped=query)


async def ask(context: BotContext, admin: AdminIdentity, draft: BroadcastDraft, what: str) -> None:
    """A ForceReply prompt; the draft remembers which input it waits for."""
    t = admin_t(admin)
    params = {"zone": zone_for(admin), "language": what.partition(":")[2]}
    prompt = await context.bot.send_message(
        draft.chat_id,
        t(f"broadcast_ask_{what.partition(':')[0]}", params),
        reply_markup=ForceReply(selective=True),
    )
    draft_id = draft.id or 0

    def remember(session: Session) -> None:
        current = drafts.composing(session, admin, draft_id)
        if current is not None:
            drafts.save(session, current, awaiting=what, prompt_message_id=prompt.message_id)

    await context.services.db.run(remember)


def parse_schedule(raw: str, zone: str, now: dt.datetime) -> dt.datetime:
    """``YYYY-MM-DD HH:MM`` or ``HH:MM`` (today, else tomorrow) in ``zone``, as UTC."""
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(zone)
    local_now = now.astimezone(tz)
    try:
        if len(raw.strip()) <= 5:
            clock = dt.time.fromisoformat(raw.strip())
            moment = dt.datetime.combine(local_now.date(), clock, tz)
            if moment <= local_now:
                moment += dt.timedelta(days=1)
        else:
            moment = dt.datetime.fromisoformat(raw.strip()).replace(tzinfo=tz)
    except ValueError:
        raise ValidationError("error_broadcast_time") from None
    if moment <= local_now:
        raise ValidationError("error_broadcast_past")
    return moment.astimezone(dt.UTC)
