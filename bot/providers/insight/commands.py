"""What admins see of their cohorts: ``/stats``, ``/applications`` and ``/flow``.

The scope is resolved from the acting admin on every command and every tap: a cohort id
typed or carried in callback data is looked up through ``cohorts.cohort_of``, so another
provider's cohort reads as one that does not exist. Queries run in the database's worker
thread, charts and flow pictures in ``asyncio.to_thread``; nothing heavy on the loop.
"""

from __future__ import annotations

import asyncio
import datetime as dt

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update

from bot.db.models import Cohort, utcnow
from bot.platform.i18n import Translator
from bot.providers.access import AdminIdentity
from bot.providers.cohorts import store as cohorts
from bot.providers.gate import admin_t
from bot.providers.replies import reply
from bot.reports import application_list, funnel
from bot.reports.application_list import ALL, STATE_FILTERS, Page, valid_market, valid_state
from bot.reports.charts import daily_png, funnel_png
from bot.reports.flow_picture import FlowPictureError, render_in_thread
from bot.reports.funnel import Scope
from bot.reports.funnel_text import any_state_label, funnel_steps, stats_text
from bot.reports.ticket_figures import ticket_figures, tickets_text
from bot.transport.context import BotContext
from bot.transport.keyboards import pack, unpack
from flows.steps import N_
from flows.tracks import MARKETS, TRACK_NAMES

LIST = "adm_al"
STALLED_DAYS = 7
"""Days without activity after which an open application counts as stalled (default)."""
MAX_STALLED_DAYS = 365


class _NotVisible(Exception):
    """The cohort asked for is not the admin's (or does not exist)."""


async def _scope(
    context: BotContext, admin: AdminIdentity, cohort_id: int | None
) -> tuple[Scope, Cohort | None]:
    """The admin's scope: one of their cohorts, else their provider (superadmins: all)."""
    if cohort_id:
        cohort = await context.services.db.run(
            lambda s: cohorts.cohort_of(s, actor=admin, cohort_id=cohort_id)
        )
        if cohort is None:
            raise _NotVisible
        return Scope(cohort_id=cohort_id), cohort
    if admin.is_superadmin:
        return Scope(), None
    return Scope(provider_id=admin.provider_id), None


def _parse_stats(args: list[str]) -> tuple[int | None, int] | None:
    """``[cohort] [Nd]`` → (cohort id, stalled days); None for anything else."""
    cohort_id: int | None = None
    days = STALLED_DAYS
    for arg in args:
        raw = arg.strip().lstrip("#").lower()
        if raw.endswith("d") and _between(raw[:-1], 1, MAX_STALLED_DAYS):
            days = int(raw[:-1])
        elif raw.isdecimal() and len(raw) < 12 and cohort_id is None:
            cohort_id = int(raw)
        else:
            return None
    return cohort_id, days


def _between(raw: str, low: int, high: int) -> bool:
    """Whether ``raw`` is a number from ``low`` to ``high`` (a long one is never converted)."""
    return raw.isdecimal() and len(raw) <= len(str(high)) and low <= int(raw) <= high


async def stats(update: Update, context: BotContext, admin: AdminIdentity) -> None:
    """``/stats [cohort] [Nd]``: the funnel as text, then the funnel and per-day charts."""
    t = admin_t(admin)
    parsed = _parse_stats(context.args or [])
    if parsed is None:
        await reply(update, context, t("stats_usage", {"days": STALLED_DAYS}))
        return
    cohort_id, days = parsed
    try:
        scope, cohort = await _scope(context, admin, cohort_id)
    except _NotVisible:
        await reply(update, context, t("cohort_not_found", {"id": cohort_id}))
        return
    now = utcnow()
    figures = await context.services.db.run(
        lambda s: funnel.figures(
            s,
            scope=scope,
            cohort_track=cohort.track if cohort is not None else None,
            now=now,
            stalled_days=days,
        )
    )
    name = cohort.name if cohort is not None else t("stats_all_cohorts")
    title = t("stats_title", {"name": name, "date": now.date()})
    text = stats_text(figures, title=title, stalled_days=days, t=t)
    questions = await context.services.db.run(lambda s: ticket_figures(s, scope=scope))
    text = "\n\n".join(part for part in (text, tickets_text(questions, t)) if part)
    await reply(update, context, text[:4000])
    if figures.started == 0:
        return
    chart = await asyncio.to_thread(
        lambda: funnel_png(
            track=figures.track,
            cohort=name,
            day=now.date(),
            steps=funnel_steps(figures),
            language=admin.locale,
        )
    )
    await _photo(update, context, chart, "funnel.png")
    daily = await asyncio.to_thread(
        lambda: daily_png(cohort=name, day=now.date(), days=figures.days, language=admin.locale)
    )
    await _photo(update, context, daily, "daily.png")


async def _photo(update: Update, context: BotContext, png: bytes, name: str) -> None:
    chat = update.effective_chat
    if chat is not None:
        await context.bot.send_photo(chat.id, InputFile(png, filename=name))


async def flow(update: Update, context: BotContext, admin: AdminIdentity) -> None:
    """``/flow TRACK``: the track's flow picture, drawn by Graphviz in a worker thread."""
    t = admin_t(admin)
    args = context.args or []
    track = args[0].strip().lower() if len(args) == 1 else ""
    if track not in TRACK_NAMES:
        await reply(update, context, t("flow_usage", {"tracks": ", ".join(TRACK_NAMES)}))
        return
    try:
        png = await render_in_thread(track, "png", admin.locale)
    except FlowPictureError:
        await reply(update, context, t("flow_picture_failed"))
        return
    await _photo(update, context, png, f"{track}.png")


async def applications(update: Update, context: BotContext, admin: AdminIdentity) -> None:
    """``/applications [cohort] [state] [market]``.

    ``/applications mine`` never gets here: ``bot.routes`` sends it to the seller's own list.
    """
    args = [arg.strip().lower() for arg in context.args or []]
    cohort_id, state, market = 0, ALL, ALL
    for arg in args:
        raw = arg.lstrip("#")
        if raw.isdecimal() and len(raw) < 12 and not cohort_id:
            cohort_id = int(raw)
        elif valid_market(arg) and market == ALL and arg != ALL:
            market = arg
        elif valid_state(arg) and state == ALL:
            state = arg
        else:
            t = admin_t(admin)
            await reply(update, context, t("applications_admin_usage"))
            return
    await _send_list(update, context, admin, (cohort_id, state, market, 1), edit=False)


async def on_list_button(update: Update, context: BotContext, admin: AdminIdentity) -> None:
    """A page or filter tap under the list; every value is checked again, nothing trusted."""
    query = update.callback_query
    if query is None:
        return
    await query.answer()
    callback = unpack(query.data)
    parts = callback.key.split(".") if callback is not None else []
    number = callback.value if callback is not None else ""
    if (
        len(parts) != 3
        or not parts[0].isdecimal()
        or len(parts[0]) > 11
        or not valid_state(parts[1])
        or not valid_market(parts[2])
        or not number.isdecimal()
        or len(number) > 6
    ):
        return
    filters = (int(parts[0]), parts[1], parts[2], int(number))
    await _send_list(update, context, admin, filters, edit=True)


async def _send_list(
    update: Update,
    context: BotContext,
    admin: AdminIdentity,
    filters: tuple[int, str, str, int],
    *,
    edit: bool,
) -> None:
    t = admin_t(admin)
    cohort_id, state, market, number = filters
    try:
        scope, cohort = await _scope(context, admin, cohort_id)
    except _NotVisible:
        await reply(update, context, t("cohort_not_found", {"id": cohort_id}))
        return
    before = utcnow() - dt.timedelta(days=STALLED_DAYS)
    found = await context.services.db.run(
        lambda s: application_list.page(
            s, scope=scope, state=state, market=market, number=number, stalled_before=before
        )
    )
    name = cohort.name if cohort is not None else t("stats_all_cohorts")
    text = _list_text(found, name, t)
    keyboard = _list_keyboard(found, (cohort_id, state, market), t)
    query = update.callback_query
    if edit and query is not None and query.message is not None:
        await query.edit_message_text(text, reply_markup=keyboard)
        return
    await reply(update, context, text, keyboard)


def _list_text(found: Page, name: str, t: Translator) -> str:
    params = {"name": name, "page": found.number, "pages": found.pages, "count": found.total}
    lines = [t("applications_admin_title", params)]
    for row in found.rows:
        state = any_state_label(row.track, row.state, t)
        market = t(MARKETS[row.market]) if row.market is not None and row.market in MARKETS else "—"
        when = t.date(row.updated_at.date())
        cohort = f"#{row.cohort_id}" if row.cohort_id is not None else "—"
        lines.append(f"/application {row.id} · {state} · {market} · {cohort} · {when}")
    if not found.rows:
        lines.append(t("applications_admin_empty"))
    return "\n".join(lines)


FILTER_NAMES = {
    "all": N_("filter_all"),
    "open": N_("filter_open"),
    "stalled": N_("filter_stalled"),
    "submitted": N_("flow_state_submitted"),
    "approved": N_("flow_state_approved"),
    "rejected": N_("flow_state_rejected"),
}


def _list_keyboard(
    found: Page, filters: tuple[int, str, str], t: Translator
) -> InlineKeyboardMarkup:
    cohort_id, state, market = filters

    def data(state: str, market: str, number: int) -> str:
        return pack(LIST, f"{cohort_id}.{state}.{market}", str(number))

    nav = []
    if found.number > 1:
        nav.append(InlineKeyboardButton("◀", callback_data=data(state, market, found.number - 1)))
    page_of = t("page_of", {"page": found.number, "pages": found.pages})
    nav.append(InlineKeyboardButton(page_of, callback_data=data(state, market, found.number)))
    if found.number < found.pages:
        nav.append(InlineKeyboardButton("▶", callback_data=data(state, market, found.number + 1)))

    def mark(on: bool, text: str) -> str:
        return f"✓ {text}" if on else text

    states = [
        InlineKeyboardButton(
            mark(key == state, t(FILTER_NAMES[key])), callback_data=data(key, market, 1)
        )
        for key in STATE_FILTERS
    ]
    markets = [
        InlineKeyboardButton(
            mark(key == market, t(FILTER_NAMES[ALL] if key == ALL else MARKETS[key])),
            callback_data=data(state, key, 1),
        )
        for key in (ALL, *MARKETS)
    ]
    return InlineKeyboardMarkup([nav, states[:3], states[3:], markets])
