"""A scope's FAQ as a file in the admin's chat: ``/faq <cohort|all> export``, and the
import: a CSV or XLSX captioned ``/faq <cohort|all> import``, or the next one sent after
``/faq <cohort> import`` (``faq_store.await_file``: in the database, so any worker takes
it). What a file's rows mean, and why all or nothing: ``bot.questions.faq_files``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlmodel import Session
from telegram import InputFile, Message, Update
from telegram.ext import filters

from bot.platform.i18n import Translator
from bot.providers import audit
from bot.providers.access import AdminIdentity
from bot.providers.gate import admin_t
from bot.providers.replies import reply
from bot.questions import faq_store
from bot.questions.faq_files import (
    FaqFileError,
    Planned,
    RowProblem,
    export_csv,
    plan_import,
    read_faq_file,
)
from bot.questions.faq_sheet import MAX_IMPORT_BYTES
from bot.questions.faq_store import FaqRefused, FaqScope
from bot.transport.context import BotContext
from flows.steps import N_

IMPORT_CAPTION = re.compile(r"^/faq(?:@\w+)?\s+(\S+)\s+import\b", re.IGNORECASE)
"""A file's caption naming the scope of its import."""
SHEET_FILES = filters.Document.FileExtension("csv") | filters.Document.FileExtension("xlsx")
"""The files an import prompt waits for (sellers send product sheets the same way)."""
MAX_ERRORS_SHOWN = 20


async def find_scope(context: BotContext, admin: AdminIdentity, key: str) -> FaqScope | None:
    """The scope ``key`` names (a cohort id or ``all``), if it is the admin's."""
    return await context.services.db.run(lambda s: faq_store.scope_of(s, actor=admin, key=key[:20]))


def scope_name(scope: FaqScope, t: Translator) -> str:
    """ "cohort #12 «UK 1»", or "all your cohorts"."""
    if scope.cohort_id is None:
        return t("faq_scope_all")
    return t("faq_scope_cohort", {"id": scope.cohort_id, "name": scope.name})


async def prompt_for_file(
    update: Update, context: BotContext, admin: AdminIdentity, scope: FaqScope
) -> None:
    """``/faq <scope> import``: the admin's next sheet is the import."""
    t = admin_t(admin)
    await context.services.db.run(lambda s: faq_store.await_file(s, admin=admin, scope=scope))
    await reply(update, context, t("faq_import_prompt", {"scope": scope.key}))


async def export(
    update: Update, context: BotContext, admin: AdminIdentity, scope: FaqScope
) -> None:
    """``/faq <scope> export``: the scope's FAQ as a CSV document."""
    t = admin_t(admin)
    rows = await context.services.db.run(lambda s: faq_store.rows_in(s, scope))
    chat = update.effective_chat
    if chat is None:
        return
    await context.bot.send_document(
        chat.id,
        InputFile(export_csv(scope, rows), filename=f"faq-{scope.key}.csv"),
        caption=t("faq_export_caption", {"scope": scope_name(scope, t), "key": scope.key}),
    )


async def faq_import(update: Update, context: BotContext, admin: AdminIdentity) -> None:
    """A CSV or XLSX file captioned ``/faq <cohort|all> import``."""
    message = update.effective_message
    if message is not None:
        await _import(update, context, admin, message, message.caption or "")


async def faq_import_after_prompt(
    update: Update, context: BotContext, admin: AdminIdentity
) -> bool:
    """A file sent after ``/faq <scope> import`` (within ``PROMPT_TTL``); False for any
    other file, which is then the admin's own as a seller."""
    message = update.effective_message
    if message is None or message.document is None:
        return False
    key = await context.services.db.run(lambda s: faq_store.take_file_prompt(s, admin=admin))
    if key is None:
        return False
    await _import(update, context, admin, message, f"/faq {key} import")
    return True


async def _import(
    update: Update, context: BotContext, admin: AdminIdentity, message: Message, command: str
) -> None:
    t = admin_t(admin)
    found = IMPORT_CAPTION.match(command.strip())
    scope = await find_scope(context, admin, found.group(1)) if found else None
    document = message.document
    if scope is None or document is None:
        refusal = t("faq_scope_not_found", {"scope": found.group(1)[:20]}) if found else ""
        await reply(update, context, (refusal + "\n\n" + t("faq_usage")).strip())
        return
    if (document.file_size or 0) > MAX_IMPORT_BYTES:
        await reply(update, context, t("faq_import_too_large", {"max_kb": MAX_IMPORT_BYTES >> 10}))
        return
    file = await context.bot.get_file(document.file_id)
    data = bytes(await file.download_as_bytearray())
    try:
        rows = await read_faq_file(data, document.file_name or "")
    except FaqFileError as error:
        await reply(update, context, t(error.code, error.params))
        return

    def apply(session: Session) -> tuple[list[Planned], list[RowProblem]]:
        existing = faq_store.rows_in(session, scope)
        planned, problems = plan_import(scope, rows, existing)
        if problems:
            return planned, problems
        by_number = {row.id: row for row in existing}
        for step in planned:
            if step.action == "add" and step.texts is not None:
                faq_store.add_entry(
                    session,
                    admin=admin,
                    scope=scope,
                    texts=step.texts,
                    builtin_id=step.builtin_id,
                    audited=False,
                    scope_rows=existing,
                )
            elif step.action == "change" and step.texts is not None:
                row = by_number[step.number]
                if not faq_store.replace_texts(session, admin=admin, row=row, texts=step.texts):
                    raise FaqRefused(N_("faq_import_changed_meanwhile"))
            elif step.action == "hide" and step.builtin_id is not None:
                faq_store.hide_builtin(
                    session, admin=admin, scope=scope, builtin_id=step.builtin_id, audited=False
                )
        audit.record(
            session,
            admin=admin,
            action="faq.import",
            target=f"cohort:{scope.cohort_id}" if scope.cohort_id else "",
            provider_id=scope.provider_id,
            after=_counts(planned),
        )
        return planned, []

    try:
        planned, problems = await context.services.db.run(apply)
    except FaqRefused as refused:  # raised inside the unit: nothing of the file was saved
        await reply(
            update, context, t(refused.code, refused.params) + "\n" + t("faq_import_nothing_saved")
        )
        return
    if problems:
        await reply(update, context, _problems_text(problems, t))
        return
    await reply(update, context, t("faq_import_done", _counts(planned)))


def _counts(planned: Sequence[Planned]) -> dict[str, int]:
    actions = [step.action for step in planned]
    names = {"added": "add", "changed": "change", "hidden": "hide", "kept": "keep"}
    return {name: actions.count(action) for name, action in names.items()}


def _problems_text(problems: Sequence[RowProblem], t: Translator) -> str:
    lines = [t("faq_import_errors", {"count": len(problems)})]
    for problem in problems[:MAX_ERRORS_SHOWN]:
        text = t(problem.code, problem.params)
        lines.append(
            t("faq_import_row", {"row": problem.row, "problem": text}) if problem.row else text
        )
    if len(problems) > MAX_ERRORS_SHOWN:
        lines.append("…")
    lines.append(t("faq_import_nothing_saved"))
    return "\n".join(lines)[:4000]
