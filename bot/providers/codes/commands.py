"""Invite codes in the admin's chat: usage, generate (as a CSV file), import, revoke."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session
from telegram import InputFile, Update

from bot.db.models import Cohort, utcnow
from bot.providers import audit
from bot.providers.access import AdminIdentity
from bot.providers.codes import store as codes
from bot.providers.codes.files import MAX_IMPORT_BYTES, CodeFileError, read_code_file
from bot.providers.cohorts import store as cohorts
from bot.providers.gate import admin_t
from bot.providers.replies import int_arg, reply
from bot.transport.context import BotContext


async def codes_command(update: Update, context: BotContext, admin: AdminIdentity) -> None:
    """``/codes <cohort>`` usage; ``… new <n> [uses] [days]``; ``… revoke <code|all>``."""
    t = admin_t(admin)
    args = context.args or []
    cohort_id = int_arg(args, 0)
    cohort = None
    if cohort_id is not None:
        cohort = await context.services.db.run(
            lambda s: cohorts.cohort_of(s, actor=admin, cohort_id=cohort_id)
        )
    if cohort is None:
        refusal = (
            t("codes_usage") if cohort_id is None else t("cohort_not_found", {"id": cohort_id})
        )
        await reply(update, context, refusal)
        return
    action = args[1].lower() if len(args) > 1 else "usage"
    if action == "new":
        await _generate(update, context, admin, cohort, args[2:])
    elif action == "revoke" and len(args) > 2:
        await _revoke(update, context, admin, cohort, args[2])
    else:
        await _usage(update, context, admin, cohort)


async def _usage(update: Update, context: BotContext, admin: AdminIdentity, cohort: Cohort) -> None:
    t = admin_t(admin)
    rows = await context.services.db.run(lambda s: codes.codes_of(s, cohort=cohort))
    used = codes.usage(rows, now=utcnow())
    text = t(
        "codes_summary",
        {
            "name": cohort.name,
            "total": used.total,
            "used": used.used,
            "revoked": used.revoked,
            "expired": used.expired,
            "redemptions": used.redemptions,
        },
    )
    await reply(update, context, text + "\n\n" + t("codes_usage"))
    if rows:
        await context.bot.send_document(
            update.effective_chat.id if update.effective_chat else admin.telegram_user_id,
            InputFile(codes.codes_csv(rows), filename=f"invite-codes-cohort-{cohort.id}.csv"),
        )


async def _generate(
    update: Update, context: BotContext, admin: AdminIdentity, cohort: Cohort, args: list[str]
) -> None:
    t = admin_t(admin)
    count = int_arg(args, 0)
    uses = int_arg(args, 1) if len(args) > 1 else 1
    days = int_arg(args, 2) if len(args) > 2 else 30
    if args[1:2] == ["0"]:
        uses = 0
    if count is None or not 1 <= count <= codes.MAX_CODES_AT_ONCE or uses is None or days is None:
        await reply(update, context, t("codes_new_usage", {"max": codes.MAX_CODES_AT_ONCE}))
        return
    expires = utcnow() + dt.timedelta(days=days)

    def create(session: Session) -> list[str]:
        made = codes.generate(
            session, cohort=cohort, count=count, max_uses=uses or None, expires_at=expires
        )
        audit.record(
            session,
            admin=admin,
            action="codes.generate",
            target=f"cohort:{cohort.id}",
            provider_id=cohort.provider_id,
            after={"count": count, "uses": uses, "days": days},
        )
        return [code.code for code in made]

    made = await context.services.db.run(create)
    rows = await context.services.db.run(lambda s: codes.codes_of(s, cohort=cohort))
    fresh = [row for row in rows if row.code in set(made)]
    await context.bot.send_document(
        update.effective_chat.id if update.effective_chat else admin.telegram_user_id,
        InputFile(codes.codes_csv(fresh), filename=f"invite-codes-cohort-{cohort.id}-new.csv"),
        caption=t("codes_generated", {"count": len(made), "name": cohort.name, "days": days}),
    )


async def _revoke(
    update: Update, context: BotContext, admin: AdminIdentity, cohort: Cohort, which: str
) -> None:
    t = admin_t(admin)
    code = None if which.lower() == "all" else which

    def revoke(session: Session) -> int:
        count = codes.revoke(session, cohort=cohort, code=code)
        audit.record(
            session,
            admin=admin,
            action="codes.revoke",
            target=f"cohort:{cohort.id}",
            provider_id=cohort.provider_id,
            after={"code": code or "all unused", "count": count},
        )
        return count

    count = await context.services.db.run(revoke)
    await reply(update, context, t("codes_revoked", {"count": count}))


async def codes_import(update: Update, context: BotContext, admin: AdminIdentity) -> None:
    """A CSV or XLSX file captioned ``/codes_import <cohort>``: codes in its first column."""
    t = admin_t(admin)
    message = update.effective_message
    if message is None or message.document is None:
        return
    caption_args = (message.caption or "").split()[1:]
    cohort_id = int_arg(caption_args, 0)
    cohort = None
    if cohort_id is not None:
        cohort = await context.services.db.run(
            lambda s: cohorts.cohort_of(s, actor=admin, cohort_id=cohort_id)
        )
    if cohort is None:
        await reply(update, context, t("codes_import_usage"))
        return
    document = message.document
    if (document.file_size or 0) > MAX_IMPORT_BYTES:
        await reply(
            update, context, t("codes_import_too_large", {"max_kb": MAX_IMPORT_BYTES >> 10})
        )
        return
    file = await context.bot.get_file(document.file_id)
    data = bytes(await file.download_as_bytearray())
    try:
        found = await read_code_file(data, document.file_name or "")
    except CodeFileError as error:
        await reply(update, context, t("codes_import_unreadable", {"reason": error.reason(t)}))
        return

    def store(session: Session) -> codes.AddReport:
        report = codes.add_codes(
            session,
            codes=found,
            market=cohort.market,
            cohort_id=cohort.id,
            provider_id=cohort.provider_id,
        )
        audit.record(
            session,
            admin=admin,
            action="codes.import",
            target=f"cohort:{cohort.id}",
            provider_id=cohort.provider_id,
            after={
                "added": report.added,
                "duplicate": len(report.duplicate),
                "malformed": len(report.malformed),
            },
        )
        return report

    report = await context.services.db.run(store)
    await reply(
        update,
        context,
        t(
            "codes_import_report",
            {
                "added": report.added,
                "duplicate": len(report.duplicate),
                "malformed": len(report.malformed),
                "examples": ", ".join((report.duplicate + report.malformed)[:10]) or "—",
            },
        ),
    )
