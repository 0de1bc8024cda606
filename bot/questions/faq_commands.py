"""``/faq`` in an admin's chat: list a cohort's FAQ, add, edit, hide, remove, export, import.

An entry is written in one message, the command on its first line, the question on the
second, the answer below::

    /faq 12 add
    需要英国手机号吗？
    需要，所有英国类型都要英国手机号……

Why a form and not a dialog of prompts: a provider adds entries in batches, copying a
question and its answer from their notes or the group; one message per entry is one
paste, survives a restart or another worker with no dialog state, and sent twice it saves
once (the store finds the same texts). ``/faq 12 add`` alone answers with this template
in the admin's language. The language is the one named after ``add`` (``en``, ``zh``,
``id``), else Chinese when the text has Chinese characters, else the admin's own; other
languages are added with ``/faq edit <n> <language>``, many entries at once with a file.

Every call and every button resolves the cohort or entry again for the acting admin
(``faq_store.scope_of``, ``own_entry``): a forged id reads as one that does not exist.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlmodel import Session
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.db.models import FaqEntry
from bot.providers.access import AdminIdentity
from bot.providers.gate import admin_t
from bot.providers.replies import button_fields, int_arg, reply
from bot.questions import faq_store
from bot.questions.faq_store import FaqRefused, FaqScope, Texts
from bot.questions.faq_transfer import export, find_scope, prompt_for_file, scope_name
from bot.transport.context import BotContext
from bot.transport.keyboards import pack
from flows.questions import builtin_entries
from flows.steps import N_
from flows.tracks import LANGUAGES

BUTTON = "adm_faq"
PAGE_SIZE = 15
LANGUAGE_WORDS = {
    "en": "en",
    "english": "en",
    "zh": "zh_Hans",
    "zh_hans": "zh_Hans",
    "cn": "zh_Hans",
    "中文": "zh_Hans",
    "id": "id",
    "indonesia": "id",
    "bahasa": "id",
}
_CJK = re.compile(r"[\u3400-\u9fff]")


async def faq_command(update: Update, context: BotContext, admin: AdminIdentity) -> None:
    """``/faq <cohort|all> [add [id] [lang] | hide <id> | export | import]``, ``/faq edit <n>
    [lang]``, ``/faq remove <n>``; an entry's texts on the lines below the command."""
    t = admin_t(admin)
    message = update.effective_message
    if message is None:
        return
    head, _, body = (message.text or "").partition("\n")
    args = head.split()[1:]
    verb = args[0].lower() if args else ""
    if verb in ("edit", "remove"):
        number = int_arg(args, 1)
        if number is None:
            await reply(update, context, t("faq_usage"))
        elif verb == "remove":
            await _remove(update, context, admin, number)
        else:
            await _edit(update, context, admin, number, _form(head, body, fixed=3))
        return
    scope = await find_scope(context, admin, args[0]) if args else None
    if scope is None:
        usage = t("faq_usage")
        refusal = t("faq_scope_not_found", {"scope": args[0][:20]}) + "\n\n" if args else ""
        await reply(update, context, refusal + usage)
        return
    action = args[1].lower() if len(args) > 1 else ""
    if action == "add":
        await _add(update, context, admin, scope, _form(head, body, fixed=3))
    elif action == "hide" and len(args) > 2:
        await _hide(update, context, admin, scope, args[2])
    elif action == "export":
        await export(update, context, admin, scope)
    elif action == "import":
        await prompt_for_file(update, context, admin, scope)
    else:
        text, keyboard = await _page(context, admin, scope, int_arg(args, 1) or 1)
        await reply(update, context, text, keyboard)


@dataclass(frozen=True)
class _Form:
    """An entry as typed: the words after the command that name a language or a built-in
    entry, then the question and the answer (on the lines below, or ``question | answer``
    on the command's line); ``stray`` is a word that is neither (a mistyped id)."""

    options: tuple[str, ...]
    question: str
    answer: str
    stray: str = ""

    @property
    def builtin_id(self) -> str | None:
        return next((o for o in self.options if o.lower() not in LANGUAGE_WORDS), None)

    def language(self, admin: AdminIdentity) -> str:
        """The language named, else Chinese for Chinese characters, else the admin's."""
        for option in self.options:
            if option.lower() in LANGUAGE_WORDS:
                return LANGUAGE_WORDS[option.lower()]
        if _CJK.search(self.question + self.answer):
            return "zh_Hans"
        return admin.locale if admin.locale in ("en", "id") else "en"


def _form(head: str, body: str, *, fixed: int) -> _Form:
    """The form after the ``fixed`` leading words of the first line (``/faq 12 add``)."""
    words = head.split()
    builtin_ids = faq_store.builtin_by_id()
    taken = fixed
    while taken < len(words) and taken < fixed + 2:
        if words[taken].lower() not in LANGUAGE_WORDS and words[taken] not in builtin_ids:
            break
        taken += 1
    options = tuple(words[fixed:taken])
    rest = head.split(maxsplit=taken)[taken].strip() if len(words) > taken else ""
    if body.strip():
        lines = [line.strip() for line in body.strip().splitlines()]
        stray = rest.split()[0] if rest else ""
        return _Form(options, lines[0], "\n".join(lines[1:]).strip(), stray)
    question, bar, answer = rest.partition("|")
    if not bar:  # no answer: one word is taken for a mistyped id, more for a question
        return _Form(options, "", "", rest if rest and len(rest.split()) == 1 else "")
    return _Form(options, question.strip(), answer.strip())


async def _add(
    update: Update, context: BotContext, admin: AdminIdentity, scope: FaqScope, form: _Form
) -> None:
    t = admin_t(admin)
    builtin_id = form.builtin_id
    if form.stray and (form.question or not builtin_id):
        await reply(update, context, t("faq_unknown_builtin", {"id": form.stray[:64]}))
        return
    if not form.question or not form.answer:
        target = f" {builtin_id}" if builtin_id else ""
        await reply(update, context, t("faq_add_template", {"scope": scope.key + " add" + target}))
        return
    locale = form.language(admin)
    texts = Texts({locale: [form.question]}, {locale: form.answer})

    def save(session: Session) -> tuple[FaqEntry, bool]:
        return faq_store.add_entry(
            session, admin=admin, scope=scope, texts=texts, builtin_id=builtin_id
        )

    try:
        row, new = await context.services.db.run(save)
    except FaqRefused as refused:
        await reply(update, context, t(refused.code, refused.params))
        return
    params = {"number": row.id, "scope": scope_name(scope, t), "language": LANGUAGES[locale]}
    await reply(update, context, t(N_("faq_added") if new else N_("faq_already"), params))


async def _edit(
    update: Update, context: BotContext, admin: AdminIdentity, number: int, form: _Form
) -> None:
    t = admin_t(admin)
    if not form.question or not form.answer:
        await _show(update, context, admin, number)
        return
    locale = form.language(admin)
    question, answer = form.question, form.answer

    def save(session: Session) -> FaqEntry | None:
        return faq_store.set_language(
            session,
            admin=admin,
            number=number,
            version=None,
            locale=locale,
            question=question,
            answer=answer,
        )

    try:
        row = await context.services.db.run(save)
    except FaqRefused as refused:
        await reply(update, context, t(refused.code, refused.params))
        return
    if row is None:
        await reply(update, context, t("faq_entry_not_found", {"number": number}))
        return
    await reply(update, context, t("faq_edited", {"number": number, "language": LANGUAGES[locale]}))


async def _show(update: Update, context: BotContext, admin: AdminIdentity, number: int) -> None:
    """One own entry in full, how to edit it, and a remove button bound to its version."""
    t = admin_t(admin)
    row = await context.services.db.run(
        lambda s: faq_store.own_entry(s, actor=admin, number=number)
    )
    if row is None:
        await reply(update, context, t("faq_entry_not_found", {"number": number}))
        return
    lines = [t("faq_entry_title", {"number": number})]
    if row.builtin_id:
        key = N_("faq_entry_hides") if row.hidden else N_("faq_entry_overrides")
        lines.append(t(key, {"id": row.builtin_id}))
    for locale, name in LANGUAGES.items():
        questions, answer = row.questions.get(locale), row.answers.get(locale)
        if questions or answer:
            lines.append(f"\n{name}:\n❓ {' / '.join(questions or ['—'])}\n💬 {answer or '—'}")
    lines.append("\n" + t("faq_edit_template", {"number": number}))
    remove = InlineKeyboardButton(
        t("faq_remove_button"), callback_data=pack(BUTTON, "rm", f"{number}.{row.version}")
    )
    await reply(update, context, "\n".join(lines)[:4000], InlineKeyboardMarkup([[remove]]))


async def _remove(
    update: Update,
    context: BotContext,
    admin: AdminIdentity,
    number: int,
    version: int | None = None,
) -> tuple[bool, str]:
    """Remove entry ``number`` (at ``version``, for a button); whether it was, and the
    text saying so (sent here for a command, shown as the tap's notice for a button)."""
    t = admin_t(admin)
    removed = await context.services.db.run(
        lambda s: faq_store.remove_entry(s, admin=admin, number=number, version=version)
    )
    text = t(N_("faq_removed") if removed else N_("faq_entry_not_found"), {"number": number})
    if update.callback_query is None:
        await reply(update, context, text)
    return removed is not None, text


async def _hide(
    update: Update, context: BotContext, admin: AdminIdentity, scope: FaqScope, builtin_id: str
) -> None:
    t = admin_t(admin)
    try:
        row = await context.services.db.run(
            lambda s: faq_store.hide_builtin(s, admin=admin, scope=scope, builtin_id=builtin_id)
        )
    except FaqRefused as refused:
        await reply(update, context, t(refused.code, refused.params))
        return
    params = {"id": builtin_id, "scope": scope_name(scope, t), "number": row.id}
    await reply(update, context, t("faq_hidden", params))


async def _page(
    context: BotContext, admin: AdminIdentity, scope: FaqScope, number: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    """One page of the scope's FAQ: the provider's own entries, then the built-in ones."""
    t = admin_t(admin)

    def read(session: Session) -> list[FaqEntry]:
        if scope.cohort_id is None:
            return faq_store.rows_in(session, scope)
        return faq_store.rows_for_cohort(session, cohort_id=scope.cohort_id)

    rows = await context.services.db.run(read)
    lines: list[str] = []
    changed = set()
    for row in rows:
        where = t("faq_line_all_cohorts") if row.cohort_id is None and scope.cohort_id else ""
        title = _row_title(row, admin.locale)
        if row.hidden:
            lines.append(t("faq_line_hidden", {"number": row.id, "id": row.builtin_id}) + where)
        elif row.builtin_id:
            lines.append(f"#{row.id} ✏️ {row.builtin_id} — {title}{where}")
        else:
            lines.append(f"#{row.id} ➕ {title}{where}")
        changed.add(row.builtin_id)
    own = len(lines)
    builtins = [e for e in builtin_entries() if e.serves(scope.market) and e.id not in changed]
    lines += [f"· {e.id} — {e.title(admin.locale)}" for e in builtins]
    pages = max(1, -(-len(lines) // PAGE_SIZE))
    number = min(max(number, 1), pages)
    params = {
        "scope": scope_name(scope, t),
        "own": own,
        "builtin": len(builtins),
        "page": number,
        "pages": pages,
    }
    shown = lines[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]
    text = "\n".join(
        [t("faq_list_title", params), *shown, "", t("faq_list_hint", {"scope": scope.key})]
    )
    buttons = []
    if number > 1:
        buttons.append(_page_button("◀", scope, number - 1))
    if number < pages:
        buttons.append(_page_button("▶", scope, number + 1))
    return text[:4000], InlineKeyboardMarkup([buttons]) if buttons else None


def _page_button(label: str, scope: FaqScope, number: int) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=pack(BUTTON, "p", f"{scope.key}.{number}"))


def _row_title(row: FaqEntry, locale: str) -> str:
    for candidate in (locale, "en", *row.questions):
        if row.questions.get(candidate):
            return str(row.questions[candidate][0])[:80]
    if row.builtin_id:  # an override with answers only keeps the built-in questions
        entry = faq_store.builtin_by_id().get(row.builtin_id)
        if entry is not None:
            return entry.title(locale)[:80]
    return "—"


async def on_faq_button(update: Update, context: BotContext, admin: AdminIdentity) -> None:
    """◀ ▶ under a list, 🗑 under an entry: both checked again for the acting admin."""
    query = update.callback_query
    if query is None:
        return
    t = admin_t(admin)
    action, value = button_fields(query)
    first, _, second = value.partition(".")
    page = int_arg([second], 0)
    if action == "p" and page is not None:
        scope = await find_scope(context, admin, first)
        if scope is not None:
            await query.answer()
            text, keyboard = await _page(context, admin, scope, page)
            if query.message is not None:
                await query.edit_message_text(text, reply_markup=keyboard)
            return
    number, version = int_arg([first], 0), int_arg([second], 0)
    if action == "rm" and number is not None and version is not None:
        removed, text = await _remove(update, context, admin, number, version)
        await query.answer(text[:200])
        if removed and query.message is not None:
            await query.edit_message_reply_markup(reply_markup=None)
        return
    await query.answer(t("notice_stale_button"))
