"""Cohorts in the admin's chat: list, create, show (join link, QR code), archive, rules."""

from __future__ import annotations

import asyncio
import datetime as dt

from sqlmodel import Session
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update

from bot.db.models import Cohort
from bot.platform.i18n import Translator
from bot.providers import audit
from bot.providers.access import AdminIdentity
from bot.providers.cohorts import rules
from bot.providers.cohorts import store as cohorts
from bot.providers.cohorts.qr import qr_png
from bot.providers.gate import admin_t
from bot.providers.replies import button_fields, deep_link, int_arg, reply
from bot.reports.state_names import state_label
from bot.transport.context import BotContext
from bot.transport.keyboards import pack
from flows.errors import ValidationError
from flows.tracks import MARKET_OF_TRACK, MARKETS, TRACK_NAMES

COHORT = "adm_c"


async def cohort_list(update: Update, context: BotContext, admin: AdminIdentity) -> None:
    """``/cohorts``: the provider's open cohorts with their ids."""
    t = admin_t(admin)
    rows = await context.services.db.run(lambda s: cohorts.cohorts_of(s, actor=admin))
    if not rows:
        await reply(update, context, t("cohorts_empty"))
        return
    lines = [t("cohorts_title", {"count": len(rows)})]
    lines += [_line(row, t) for row in rows]
    lines.append(t("cohorts_hint"))
    await reply(update, context, "\n".join(lines))


def _line(cohort: Cohort, t: Translator) -> str:
    group = " 👥" if cohort.group_chat_id else ""
    return f"#{cohort.id} · {cohort.name} · {t(MARKETS[cohort.market])}{group}"


async def cohort_new(update: Update, context: BotContext, admin: AdminIdentity) -> None:
    """``/cohort_new <uk|id> [track=…] [closes=YYYY-MM-DD] <name>``."""
    t = admin_t(admin)
    provider_id = admin.provider_id
    if provider_id is None:
        await reply(update, context, t("admin_no_provider"))
        return
    try:
        market, track, closes_on, name = _parse_new(context.args or [])
    except ValidationError as error:
        await reply(update, context, t(error.code, error.params) + "\n\n" + t("cohort_new_usage"))
        return

    def create(session: Session) -> Cohort:
        cohort = cohorts.create_cohort(
            session,
            provider_id=provider_id,
            name=name,
            market=market,
            track=track,
            closes_on=closes_on,
        )
        audit.record(
            session,
            admin=admin,
            action="cohort.create",
            target=f"cohort:{cohort.id}",
            after=cohorts.snapshot(cohort),
        )
        return cohort

    cohort = await context.services.db.run(create)
    await _show(update, context, admin, cohort, before=t("cohort_created"))


def _parse_new(args: list[str]) -> tuple[str, str | None, dt.date | None, str]:
    if not args or args[0].lower() not in MARKETS:
        raise ValidationError("error_cohort_market")
    market = args[0].lower()
    track: str | None = None
    closes_on: dt.date | None = None
    words: list[str] = []
    for arg in args[1:]:
        key, _, value = arg.partition("=")
        if key == "track" and value:
            if MARKET_OF_TRACK.get(value) != market:
                raise ValidationError("error_cohort_track")
            track = value
        elif key == "closes" and value:
            try:
                closes_on = dt.date.fromisoformat(value)
            except ValueError:
                raise ValidationError("error_cohort_date") from None
        else:
            words.append(arg)
    name = " ".join(words).strip()
    if not 1 <= len(name) <= cohorts.MAX_COHORT_NAME:
        raise ValidationError("error_cohort_name", max=cohorts.MAX_COHORT_NAME)
    return market, track, closes_on, name


async def cohort_show(update: Update, context: BotContext, admin: AdminIdentity) -> None:
    """``/cohort <id>``: its link, group, rules, and buttons to change them."""
    t = admin_t(admin)
    cohort_id = int_arg(context.args, 0)
    cohort = await _find(context, admin, cohort_id)
    if cohort is None:
        await reply(update, context, t("cohort_not_found", {"id": cohort_id or "?"}))
        return
    await _show(update, context, admin, cohort)


async def _find(context: BotContext, admin: AdminIdentity, cohort_id: int | None) -> Cohort | None:
    if cohort_id is None:
        return None
    return await context.services.db.run(
        lambda s: cohorts.cohort_of(s, actor=admin, cohort_id=cohort_id)
    )


def cohort_text(cohort: Cohort, t: Translator, link: str) -> str:
    """What an admin reads about a cohort."""
    track = t(TRACK_NAMES[cohort.track]) if cohort.track else t("cohort_any_track")
    invite = cohort.rules.get("require_invite_code", True)
    lines = [
        t(
            "cohort_details",
            {
                "id": cohort.id,
                "name": cohort.name,
                "market": t(MARKETS[cohort.market]),
                "track": track,
                "link": link,
                "closes": t.date(cohort.closes_on) if cohort.closes_on else "—",
            },
        ),
        t("cohort_group_linked") if cohort.group_chat_id else t("cohort_group_none"),
        t("cohort_rule_invite_on") if invite else t("cohort_rule_invite_off"),
        t("cohort_rule_min_products", {"count": cohort.rules.get("min_products", 1)}),
    ]
    if "price_max" in cohort.product_rules:
        lines.append(t("cohort_rule_price_max", {"max": cohort.product_rules["price_max"]}))
    if cohort.rules.get("skip_steps"):
        skipped = [state_label(cohort.track, step, t) for step in cohort.rules["skip_steps"]]
        lines.append(t("cohort_rule_skipped", {"steps": ", ".join(skipped)}))
    if cohort.rules.get("retention_days"):
        lines.append(t("cohort_rule_retention", {"days": cohort.rules["retention_days"]}))
    if cohort.archived:
        lines.append(t("cohort_archived"))
    lines.append(t("cohort_rule_hint", {"id": cohort.id}))
    return "\n".join(lines)


def cohort_keyboard(cohort: Cohort, t: Translator) -> InlineKeyboardMarkup:
    key = str(cohort.id)
    invite = cohort.rules.get("require_invite_code", True)
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(t("button_qr"), callback_data=pack(COHORT, "qr", key)),
                InlineKeyboardButton(
                    t("button_invite_off") if invite else t("button_invite_on"),
                    callback_data=pack(COHORT, "inv", key),
                ),
            ],
            [
                InlineKeyboardButton(
                    t("button_unarchive") if cohort.archived else t("button_archive"),
                    callback_data=pack(COHORT, "arch", key),
                )
            ],
        ]
    )


async def _show(
    update: Update, context: BotContext, admin: AdminIdentity, cohort: Cohort, *, before: str = ""
) -> None:
    t = admin_t(admin)
    text = cohort_text(cohort, t, deep_link(context, cohort.join_token))
    await reply(update, context, f"{before}\n\n{text}".strip(), cohort_keyboard(cohort, t))


async def on_cohort_button(update: Update, context: BotContext, admin: AdminIdentity) -> None:
    """QR code, invite-code toggle and archive buttons under a cohort."""
    query = update.callback_query
    if query is None:
        return
    t = admin_t(admin)
    action, value = button_fields(query)
    cohort = await _find(context, admin, int_arg([value], 0))
    if cohort is None or action not in ("qr", "inv", "arch"):
        await query.answer(t("notice_stale_button"))
        return
    await query.answer()
    if action == "qr":
        link = deep_link(context, cohort.join_token)
        png = await asyncio.to_thread(qr_png, link)
        await context.bot.send_photo(
            query.from_user.id,
            InputFile(png, filename=f"cohort-{cohort.id}.png"),
            caption=t("cohort_qr_caption", {"name": cohort.name, "link": link}),
        )
        return
    cohort_id = cohort.id

    def toggle(current: Cohort) -> None:
        if action == "arch":
            current.archived = not current.archived
            return
        required = current.rules.get("require_invite_code", True)
        current.rules = {**current.rules, "require_invite_code": not required}

    def change(session: Session) -> Cohort | None:
        return cohorts.change_cohort(
            session, actor=admin, cohort_id=cohort_id or 0, action=f"cohort.{action}",
            change=toggle,
        )  # fmt: skip

    changed = await context.services.db.run(change)
    if changed is None or query.message is None:
        return
    link = deep_link(context, changed.join_token)
    await query.edit_message_text(
        cohort_text(changed, t, link), reply_markup=cohort_keyboard(changed, t)
    )


async def cohort_rule(update: Update, context: BotContext, admin: AdminIdentity) -> None:
    """``/cohort_rule <id> <rule> <value>``: invite_code, min_products, price_max, skip, …"""
    t = admin_t(admin)
    args = context.args or []
    cohort_id = int_arg(args, 0)
    cohort = await _find(context, admin, cohort_id)
    if cohort_id is not None and cohort is None:
        await reply(update, context, t("cohort_not_found", {"id": cohort_id}))
        return
    if cohort is None or len(args) < 3:
        await reply(update, context, t("cohort_rule_usage"))
        return
    try:
        change = rules.parse_change(
            args[1].lower(),
            " ".join(args[2:]),
            market=cohort.market,
            track=cohort.track,
            current=cohort.rules,
        )
    except ValidationError as error:
        await reply(update, context, "⚠️ " + t(error.code, error.params))
        return
    cohort_id = cohort.id or 0  # for the closure: mypy knows it is an int

    def set_rule(current: Cohort) -> None:
        values = dict(getattr(current, change.column))  # JSON columns: assign a new dict
        values[change.key] = change.value
        setattr(current, change.column, values)

    def apply(session: Session) -> Cohort | None:
        return cohorts.change_cohort(
            session, actor=admin, cohort_id=cohort_id, action="cohort.rule", change=set_rule
        )

    changed = await context.services.db.run(apply)
    if changed is not None:
        await _show(update, context, admin, changed, before=t("cohort_rule_saved"))
