"""``/export`` and ``/documents``: a cohort's applications and one application's files.

Both build their files in a worker thread, into a temporary folder that is removed once
the files are sent; the admin's provider scopes what they reach (a forged id reads like
one that does not exist), and every export is in the audit log.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import tempfile
from collections.abc import Callable
from pathlib import Path

from sqlmodel import Session, col, select
from telegram import InputFile, Update

from bot.db.models import Application, Cohort, Document
from bot.providers import audit
from bot.providers.access import AdminIdentity
from bot.providers.cohorts import store as cohorts
from bot.providers.gate import admin_t
from bot.providers.replies import int_arg, reply
from bot.reports import exports
from bot.reports.document_zip import DOWNLOAD_LIMIT, UPLOAD_LIMIT, Fetched, pack_zips
from bot.transport.context import BotContext
from bot.transport.downloads import DownloadFailed, FileTooLarge, download_capped

CHAT_UPLOAD_LIMIT = 50 * 1024 * 1024


async def export_command(update: Update, context: BotContext, admin: AdminIdentity) -> None:
    """``/export [cohort] [xlsx|csv]``: the cohort's applications (both formats by default);
    without a cohort, the admin's only cohort, if they have one only."""
    t = admin_t(admin)
    args = context.args or []
    cohort_id = int_arg(args, 0)
    if not args:
        cohort_id = await context.services.db.run(lambda s: _only_cohort(s, admin))
    formats = [a.lower() for a in args[1:]] or list(exports.FORMATS)
    if cohort_id is None or any(f not in exports.FORMATS for f in formats):
        await reply(update, context, t("export_usage"))
        return
    cohort = await context.services.db.run(
        lambda s: cohorts.cohort_of(s, actor=admin, cohort_id=cohort_id)
    )
    if cohort is None:
        await reply(update, context, t("cohort_not_found", {"id": cohort_id}))
        return
    chat = update.effective_chat
    assert chat is not None  # the handler's filter: private messages
    await reply(update, context, t("export_started", {"name": cohort.name}))
    with tempfile.TemporaryDirectory(prefix="export-") as folder:
        for fmt in dict.fromkeys(formats):
            path = Path(folder) / exports.file_name(cohort, fmt, today=dt.date.today())
            done = await context.services.db.run(_exporting(admin, cohort, fmt, path))
            if path.stat().st_size > CHAT_UPLOAD_LIMIT:
                await reply(update, context, t("export_too_large", {"id": cohort.id}))
                continue
            with path.open("rb") as handle:
                await context.bot.send_document(
                    chat.id,
                    InputFile(handle, filename=path.name),
                    caption=t("export_caption", {"name": cohort.name, "count": done.applications}),
                )


def _only_cohort(session: Session, admin: AdminIdentity) -> int | None:
    if admin.is_superadmin:
        return None  # the whole installation: which one is never obvious
    rows = cohorts.cohorts_of(session, actor=admin)
    return rows[0].id if len(rows) == 1 else None


def _exporting(
    admin: AdminIdentity, cohort: Cohort, fmt: str, path: Path
) -> Callable[[Session], exports.Exported]:
    return lambda session: _export(session, admin, cohort, fmt, path)


def _export(
    session: Session, admin: AdminIdentity, cohort: Cohort, fmt: str, path: Path
) -> exports.Exported:
    done = exports.write_export(session, cohort_id=cohort.id or 0, fmt=fmt, path=path)
    audit.record(
        session,
        admin=admin,
        action="cohort.export",
        target=f"cohort:{cohort.id}",
        provider_id=cohort.provider_id,
        after={
            "format": fmt,
            "applications": done.applications,
            "products": done.products,
            "documents": done.documents,
        },
    )
    return done


def _documents_of(
    session: Session, admin: AdminIdentity, application_id: int
) -> list[Document] | None:
    """The application's documents, if it is the admin's to see (audited); else None."""
    application = session.get(Application, application_id)
    if application is None:
        return None
    cohort = session.get(Cohort, application.cohort_id) if application.cohort_id else None
    if not admin.sees(cohort.provider_id if cohort else None):
        return None
    documents = list(
        session.exec(
            select(Document)
            .where(Document.application_id == application_id)
            .order_by(col(Document.step))
        )
    )
    audit.record(
        session,
        admin=admin,
        action="application.documents",
        target=f"application:{application_id}",
        provider_id=cohort.provider_id if cohort else None,
        after={"documents": len(documents)},
    )
    return documents


async def documents_command(update: Update, context: BotContext, admin: AdminIdentity) -> None:
    """``/documents <application id>``: its uploaded files as ZIP archives."""
    t = admin_t(admin)
    application_id = int_arg(context.args, 0)
    if application_id is None:
        await reply(update, context, t("documents_usage"))
        return
    documents = await context.services.db.run(lambda s: _documents_of(s, admin, application_id))
    if documents is None:
        await reply(update, context, t("application_not_found", {"id": application_id}))
        return
    if not documents:
        await reply(update, context, t("documents_none", {"id": application_id}))
        return
    chat = update.effective_chat
    assert chat is not None
    with tempfile.TemporaryDirectory(prefix="documents-") as folder:
        fetched: list[Fetched] = []
        missing = 0
        for number, document in enumerate(documents):
            try:
                data = await download_capped(
                    context.bot, document.file_id, max_bytes=DOWNLOAD_LIMIT
                )
            except (FileTooLarge, DownloadFailed):
                missing += 1
                continue
            kept = Path(folder) / f"download-{number}"
            await asyncio.to_thread(kept.write_bytes, data)  # one file in memory at a time
            fetched.append(Fetched(document.step, document.file_name, document.mime_type, kept))
        zips = await asyncio.to_thread(
            pack_zips, fetched, Path(folder), stem=f"application-{application_id}",
            limit=UPLOAD_LIMIT,
        )  # fmt: skip
        for number, path in enumerate(zips, start=1):
            caption = t(
                "documents_caption",
                {"id": application_id, "part": number, "parts": len(zips)},
            )
            with path.open("rb") as handle:
                await context.bot.send_document(
                    chat.id, InputFile(handle, filename=path.name), caption=caption
                )
    if missing:
        await reply(update, context, t("documents_missing", {"count": missing}))
