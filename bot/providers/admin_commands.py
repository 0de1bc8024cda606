"""Admins of a provider: create providers, invite, list and remove admins, read the audit log."""

from __future__ import annotations

from sqlmodel import Session
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.db.models import Admin, utcnow
from bot.platform.i18n import telegram_locale
from bot.providers import audit, store
from bot.providers.access import OPERATOR, OWNER, ROLE_NAMES, ROLES, AdminIdentity
from bot.providers.audit_text import describe
from bot.providers.gate import admin_t
from bot.providers.menus import clear_admin_menu, set_admin_menu
from bot.providers.replies import deep_link, int_arg, reply
from bot.transport.context import BotContext, translator
from bot.transport.keyboards import pack
from flows.normalize import without_lone_surrogates
from flows.steps import N_

AUDIT = "adm_audit"
INVITE_REFUSALS = {
    store.InviteOutcome.UNKNOWN: N_("admin_invite_unknown"),
    store.InviteOutcome.USED: N_("admin_invite_used"),
    store.InviteOutcome.EXPIRED: N_("admin_invite_expired"),
    store.InviteOutcome.ALREADY_ADMIN: N_("admin_invite_already_admin"),
}


async def provider_new(update: Update, context: BotContext, admin: AdminIdentity) -> None:
    """Superadmins: ``/provider_new <name>`` makes a provider and an owner invite link."""
    t = admin_t(admin)
    if not admin.is_superadmin:
        await reply(update, context, t("admin_not_allowed"))
        return
    name = " ".join(context.args or []).strip()
    if not 1 <= len(name) <= store.MAX_PROVIDER_NAME:
        await reply(
            update, context, t("admin_provider_new_usage", {"max": store.MAX_PROVIDER_NAME})
        )
        return

    def create(session: Session) -> tuple[int, str]:
        provider = store.create_provider(session, name=name, owner_telegram_id=None)
        assert provider.id is not None
        invite = store.create_invite(session, actor=admin, provider_id=provider.id, role=OWNER)
        audit.record(
            session,
            admin=admin,
            action="provider.create",
            target=f"provider:{provider.id}",
            provider_id=provider.id,
            after={"name": provider.name},
        )
        return provider.id, invite.token

    provider_id, token = await context.services.db.run(create)
    link = deep_link(context, token)
    await reply(
        update,
        context,
        t("admin_provider_created", {"name": name, "id": provider_id, "link": link}),
    )


async def admin_invite(update: Update, context: BotContext, admin: AdminIdentity) -> None:
    """Owners: ``/admin_invite [operator|owner]`` gives a one-time link, valid three days."""
    t = admin_t(admin)
    role = (context.args[0].lower() if context.args else OPERATOR).strip()
    if not admin.manages_admins or admin.provider_id is None:
        await reply(update, context, t("admin_not_allowed"))
        return
    if role not in ROLES:
        await reply(update, context, t("admin_invite_usage"))
        return
    provider_id = admin.provider_id

    def create(session: Session) -> str:
        invite = store.create_invite(session, actor=admin, provider_id=provider_id, role=role)
        audit.record(session, admin=admin, action="admin.invite", target=role)
        return invite.token

    token = await context.services.db.run(create)
    days = store.INVITE_TTL.days
    await reply(
        update,
        context,
        t(
            "admin_invite_link",
            {"link": deep_link(context, token), "role": t(ROLE_NAMES[role]), "days": days},
        ),
    )


async def accept_invite(update: Update, context: BotContext) -> None:
    """``/start adm_…``: whoever opens an admin invite link joins its provider (once)."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None or not context.args:
        return
    token = without_lone_surrogates(context.args[0])[:64]
    settings = context.services.settings
    locale = telegram_locale(user.language_code, default=settings.default_locale)

    def accept(session: Session) -> tuple[store.InviteOutcome, str, str]:
        outcome, invite = store.accept_invite(
            session, token=token, telegram_user_id=user.id, locale=locale, now=utcnow()
        )
        name = ""
        if invite is not None:
            provider = store.get_provider(session, provider_id=invite.provider_id)
            name = provider.name if provider else ""
        if outcome is store.InviteOutcome.JOINED and invite is not None:
            joined = AdminIdentity(user.id, invite.provider_id, invite.role, locale)
            audit.record(
                session,
                admin=joined,
                action="admin.join",
                target=f"user:{user.id}",
                after={"role": invite.role},
            )
        return outcome, name, invite.role if invite else ""

    outcome, provider_name, role = await context.services.db.run(accept)
    t = translator(locale)
    if outcome is store.InviteOutcome.JOINED:
        await set_admin_menu(
            context.bot, chat_id=chat.id, locale=locale, role=role,
            desk_url=context.services.settings.desk_url,
        )  # fmt: skip
        text = t("admin_joined", {"provider": provider_name, "role": t(ROLE_NAMES[role])})
    else:
        text = t(INVITE_REFUSALS[outcome])
    await context.bot.send_message(chat.id, text)


async def admins(update: Update, context: BotContext, admin: AdminIdentity) -> None:
    """``/admins``: the provider's admins with their ids (to remove an operator)."""
    t = admin_t(admin)
    provider_id = admin.provider_id
    if provider_id is None:
        await reply(update, context, t("admin_no_provider"))
        return
    rows = await context.services.db.run(lambda s: store.admins_of(s, provider_id=provider_id))
    lines = [t("admin_list_title", {"count": len(rows)})]
    lines += [
        t(
            "admin_list_line",
            {"id": row.id, "user": row.telegram_user_id, "role": t(ROLE_NAMES[row.role])},
        )
        for row in rows
    ]
    if admin.manages_admins:
        lines.append(t("admin_list_hint"))
    await reply(update, context, "\n".join(lines))


async def admin_remove(update: Update, context: BotContext, admin: AdminIdentity) -> None:
    """Owners: ``/admin_remove <id>`` removes an operator of their provider."""
    t = admin_t(admin)
    admin_id = int_arg(context.args, 0)
    if not admin.manages_admins:
        await reply(update, context, t("admin_not_allowed"))
        return
    if admin_id is None:
        await reply(update, context, t("admin_remove_usage"))
        return

    def remove(session: Session) -> Admin | None:
        removed = store.remove_admin(session, actor=admin, admin_id=admin_id)
        if removed is not None:
            audit.record(
                session,
                admin=admin,
                action="admin.remove",
                target=f"admin:{admin_id}",
                provider_id=removed.provider_id,
                before={"user": removed.telegram_user_id, "role": removed.role},
            )
        return removed

    removed = await context.services.db.run(remove)
    if removed is None:
        await reply(update, context, t("admin_remove_refused", {"id": admin_id}))
        return
    await clear_admin_menu(context.bot, chat_id=removed.telegram_user_id)
    await reply(update, context, t("admin_removed", {"id": admin_id}))


async def audit_log(update: Update, context: BotContext, admin: AdminIdentity) -> None:
    """Owners: ``/audit [page]``, newest first, ◀ ▶ to page."""
    await _send_audit_page(update, context, admin, int_arg(context.args, 0) or 1, edit=False)


async def on_audit_page(update: Update, context: BotContext, admin: AdminIdentity) -> None:
    """A ◀ / ▶ tap under the audit log."""
    query = update.callback_query
    if query is None:
        return
    await query.answer()
    number = int_arg((query.data or "").split("|")[2:], 0) or 1
    await _send_audit_page(update, context, admin, number, edit=True)


async def _send_audit_page(
    update: Update, context: BotContext, admin: AdminIdentity, number: int, *, edit: bool
) -> None:
    t = admin_t(admin)
    if not admin.manages_admins:
        await reply(update, context, t("admin_not_allowed"))
        return
    provider_id = admin.provider_id
    rows, pages = await context.services.db.run(
        lambda s: audit.page(s, provider_id=provider_id, number=number)
    )
    number = min(max(number, 1), pages)
    lines = [t("audit_title", {"page": number, "pages": pages})]
    lines += [describe(row, t) for row in rows]
    if not rows:
        lines.append(t("audit_empty"))
    buttons = []
    if number > 1:
        buttons.append(
            InlineKeyboardButton("◀", callback_data=pack(AUDIT, "page", str(number - 1)))
        )
    if number < pages:
        buttons.append(
            InlineKeyboardButton("▶", callback_data=pack(AUDIT, "page", str(number + 1)))
        )
    keyboard = InlineKeyboardMarkup([buttons]) if buttons else None
    text = "\n".join(lines)[:4000]
    query = update.callback_query
    if edit and query is not None and query.message is not None:
        await query.edit_message_text(text, reply_markup=keyboard)
        return
    await reply(update, context, text, keyboard)
