"""A provider's own FAQ entries: stored per cohort (or for all its cohorts), merged with
the built-in FAQ, added, edited, hidden and removed — each change audited.

Every function that takes an ``actor`` returns None for an entry or cohort of another
provider, so a guessed or forged id reads exactly like one that does not exist. A change
names the ``version`` the admin saw and is a conditional write: a double tap, or an edit
of an entry someone changed meanwhile, changes nothing the second time.

How a row becomes an ``Entry`` the matcher indexes (``entry_of``): a new entry is its own
questions and answers, id ``provider_<row id>``; an override (``builtin_id``) keeps the
built-in entry's id, market, questions and keywords, adds its own questions and keywords,
and replaces the answers (an answer the provider did not rewrite in a language may no
longer be true, so that language falls back like a built-in entry does: English, then
any); a hidden one removes the built-in entry. For a cohort, the provider-wide rows apply
first and the cohort's own on top.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, or_, update
from sqlmodel import Session, col, select

from bot.db.models import Cohort, FaqEntry, FaqImportPrompt, utcnow
from bot.providers import audit
from bot.providers.access import AdminIdentity
from flows.questions import Entry, builtin_entries
from flows.questions.entries import LOCALES
from flows.steps import N_

MAX_QUESTION = 300
MAX_ANSWER = 2000
MAX_KEYWORDS = 20
MAX_ENTRIES = 500
"""Own entries per provider and scope: the matcher's benchmark stays under 5 ms at 500."""
OWN_PREFIX = "provider_"
PROMPT_TTL = dt.timedelta(minutes=30)
"""How long after ``/faq <scope> import`` the admin's next file is taken as the import."""


@dataclass(frozen=True)
class FaqScope:
    """Where entries apply: one cohort of a provider, or (``cohort_id`` None) all of them."""

    provider_id: int
    cohort_id: int | None
    market: str  # the cohort's market; "both" for all cohorts
    name: str  # the cohort's name; "" for all cohorts

    @property
    def key(self) -> str:
        """The scope as typed in ``/faq`` and packed in buttons: a cohort id or ``all``."""
        return str(self.cohort_id) if self.cohort_id is not None else "all"


@dataclass(frozen=True)
class Texts:
    """What an admin wrote for one entry: questions per locale, answers per locale."""

    questions: Mapping[str, Sequence[str]]
    answers: Mapping[str, str]
    keywords: Sequence[str] = ()


class FaqRefused(ValueError):
    """A change the store will not make; ``code`` is the message id telling the admin why."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def builtin_by_id() -> dict[str, Entry]:
    """Every built-in entry by its id."""
    return {entry.id: entry for entry in builtin_entries()}


def scope_of(session: Session, *, actor: AdminIdentity, key: str) -> FaqScope | None:
    """The scope ``key`` (a cohort id or ``all``) names, if it is the admin's."""
    if key.lower() in ("all", "*"):
        if actor.provider_id is None:
            return None
        return FaqScope(actor.provider_id, None, "both", "")
    raw = key.strip().lstrip("#")
    if not (raw.isdecimal() and len(raw) < 12):
        return None
    cohort = session.get(Cohort, int(raw))
    if cohort is None or cohort.id is None or not actor.sees(cohort.provider_id):
        return None
    return FaqScope(cohort.provider_id, cohort.id, cohort.market, cohort.name)


def _in_scope(provider_id: int, cohort_id: int | None) -> Any:
    cohort = col(FaqEntry.cohort_id)
    where = col(FaqEntry.provider_id) == provider_id
    return where & (cohort.is_(None) if cohort_id is None else cohort == cohort_id)


def rows_in(session: Session, scope: FaqScope) -> list[FaqEntry]:
    """The rows of exactly this scope, oldest first."""
    query = select(FaqEntry).where(_in_scope(scope.provider_id, scope.cohort_id))
    return list(session.exec(query.order_by(col(FaqEntry.id))).all())


def rows_for_cohort(session: Session, *, cohort_id: int) -> list[FaqEntry]:
    """The rows a cohort's sellers are answered from: the provider's for all its cohorts,
    then the cohort's own (so the cohort's win)."""
    provider_id = session.exec(select(Cohort.provider_id).where(Cohort.id == cohort_id)).first()
    if provider_id is None:
        return []
    query = select(FaqEntry).where(
        col(FaqEntry.provider_id) == provider_id,
        or_(col(FaqEntry.cohort_id).is_(None), col(FaqEntry.cohort_id) == cohort_id),
    )
    rows = session.exec(query.order_by(col(FaqEntry.id))).all()
    return sorted(rows, key=lambda row: row.cohort_id is not None)


def stamp(session: Session, *, cohort_id: int) -> tuple[Any, ...]:
    """What changes whenever a row a cohort is answered from is added, edited or removed:
    one indexed aggregate query (the cache's check, see ``bot.questions.faq``)."""
    provider = select(Cohort.provider_id).where(Cohort.id == cohort_id).scalar_subquery()
    count, versions, last = session.exec(
        select(func.count(), func.sum(FaqEntry.version), func.max(FaqEntry.id)).where(
            col(FaqEntry.provider_id) == provider,
            or_(col(FaqEntry.cohort_id).is_(None), col(FaqEntry.cohort_id) == cohort_id),
        )
    ).one()
    # a removal lowers the count, an addition raises the last id, an edit raises a version:
    # no clock involved, so workers whose clocks disagree still see every change
    return (int(count), int(versions or 0), last)


def entry_id(row: FaqEntry) -> str:
    """The id the matcher knows the row's entry by."""
    return row.builtin_id or f"{OWN_PREFIX}{row.id}"


def entry_of(row: FaqEntry, builtins: Mapping[str, Entry] | None = None) -> Entry | None:
    """The entry a row stands for (None for a hidden built-in one, or an override of a
    built-in entry no longer shipped)."""
    if row.hidden:
        return None
    questions = {k: tuple(v) for k, v in row.questions.items() if k in LOCALES}
    keywords = tuple(str(k) for k in row.keywords)
    market = row.market
    if row.builtin_id:
        builtin = (builtins if builtins is not None else builtin_by_id()).get(row.builtin_id)
        if builtin is None:
            return None
        market = builtin.market
        for locale, variants in builtin.questions.items():
            questions[locale] = tuple(dict.fromkeys((*questions.get(locale, ()), *variants)))
        keywords = (*builtin.keywords, *keywords)
    try:
        return Entry(
            id=entry_id(row),
            market=market,
            questions=questions,
            answers={k: str(v) for k, v in row.answers.items() if k in LOCALES},
            keywords=keywords,
        )
    except ValueError:
        return None  # a row emptied by hand in the database: not worth breaking answers


def merged_entries(market: str, rows: Iterable[FaqEntry]) -> tuple[Entry, ...]:
    """What a seller of ``market`` is answered from: the built-in entries with the rows
    applied in order (a later row for the same built-in id wins; hidden ones removed)."""
    builtins = builtin_by_id()
    own: dict[str, Entry | None] = {}
    for row in rows:
        own[entry_id(row)] = entry_of(row, builtins)
    merged: list[Entry] = []
    for entry in builtins.values():
        chosen = own.pop(entry.id, entry)
        if chosen is not None:
            merged.append(chosen)
    merged.extend(entry for entry in own.values() if entry is not None)
    return tuple(entry for entry in merged if entry.serves(market))


def cleaned(texts: Texts) -> Texts:
    """The texts trimmed and capped, empty ones dropped; ``FaqRefused`` if nothing is left
    of the questions or of the answers, or a locale is unknown."""
    unknown = (set(texts.questions) | set(texts.answers)) - set(LOCALES)
    if unknown:
        raise FaqRefused(N_("faq_unknown_language"), language=", ".join(sorted(unknown)))
    questions = {
        locale: kept
        for locale, variants in texts.questions.items()
        if (kept := [" ".join(q.split())[:MAX_QUESTION] for q in variants if q.strip()])
    }
    answers = {k: v.strip()[:MAX_ANSWER] for k, v in texts.answers.items() if v.strip()}
    keywords = [" ".join(k.split())[:60] for k in texts.keywords if k.strip()][:MAX_KEYWORDS]
    return Texts(questions, answers, keywords)


def _check(texts: Texts, *, builtin_id: str | None) -> None:
    if not texts.answers:
        raise FaqRefused(N_("faq_needs_answer"))
    if not texts.questions and builtin_id is None:
        raise FaqRefused(N_("faq_needs_question"))


def _title(row: FaqEntry) -> str:
    for variants in row.questions.values():
        if variants:
            return str(variants[0])[:80]
    return ""


def _audit(
    session: Session, admin: AdminIdentity, action: str, row: FaqEntry, **after: Any
) -> None:
    audit.record(
        session,
        admin=admin,
        action=action,
        target=f"faq:{row.id}",
        provider_id=row.provider_id,
        after={"cohort_id": row.cohort_id, "entry": row.builtin_id, "question": _title(row)}
        | after,
    )


def find_same(rows: Iterable[FaqEntry], texts: Texts, builtin_id: str | None) -> FaqEntry | None:
    """The row holding exactly these texts (a message or file sent twice)."""
    for row in rows:
        if (
            row.builtin_id == builtin_id
            and not row.hidden
            and row.questions == {k: list(v) for k, v in texts.questions.items()}
            and row.answers == dict(texts.answers)
        ):
            return row
    return None


def add_entry(
    session: Session,
    *,
    admin: AdminIdentity,
    scope: FaqScope,
    texts: Texts,
    builtin_id: str | None = None,
    audited: bool = True,
    scope_rows: list[FaqEntry] | None = None,
) -> tuple[FaqEntry, bool]:
    """A new entry of the scope (or the override of ``builtin_id``), and whether it is new.

    The same texts sent again give the existing row back. An override of a built-in entry
    that the scope already overrides or hides replaces that row's texts. This is the one
    way an entry is added, from ``/faq``, a file, or an answered ticket. ``scope_rows``
    (the scope's rows, kept up to date by the caller: a new row is appended) saves reading
    them again for each of a file's rows.
    """
    texts = cleaned(texts)
    _check(texts, builtin_id=builtin_id)
    market = scope.market
    if builtin_id is not None:
        builtin = builtin_by_id().get(builtin_id)
        if builtin is None:
            raise FaqRefused(N_("faq_unknown_builtin"), id=builtin_id[:64])
        if scope.cohort_id is not None and not builtin.serves(scope.market):
            raise FaqRefused(N_("faq_builtin_other_market"), id=builtin_id)
        market = builtin.market
    rows = rows_in(session, scope) if scope_rows is None else scope_rows
    same = find_same(rows, texts, builtin_id)
    if same is not None:
        return same, False
    existing = (
        next((r for r in rows if r.builtin_id == builtin_id), None)
        if builtin_id is not None
        else None
    )
    now = utcnow()
    if existing is not None:
        existing.questions = {k: list(v) for k, v in texts.questions.items()}
        existing.answers = dict(texts.answers)
        existing.keywords = list(texts.keywords)
        existing.hidden = False
        existing.version += 1
        existing.updated_by = admin.telegram_user_id
        existing.updated_at = now
        session.add(existing)
        session.flush()
        if audited:
            _audit(session, admin, "faq.edit", existing)
        return existing, True
    if len(rows) >= MAX_ENTRIES:
        raise FaqRefused(N_("faq_too_many"), max=MAX_ENTRIES)
    row = FaqEntry(
        provider_id=scope.provider_id,
        cohort_id=scope.cohort_id,
        market=market,
        builtin_id=builtin_id,
        questions={k: list(v) for k, v in texts.questions.items()},
        answers=dict(texts.answers),
        keywords=list(texts.keywords),
        created_by=admin.telegram_user_id,
        updated_by=admin.telegram_user_id,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    if scope_rows is not None:
        scope_rows.append(row)
    if audited:
        _audit(session, admin, "faq.add", row)
    return row, True


def own_entry(session: Session, *, actor: AdminIdentity, number: int) -> FaqEntry | None:
    """Row ``number``, if it is the admin's provider's."""
    row = session.get(FaqEntry, number)
    if row is None or not actor.sees(row.provider_id):
        return None
    return row


def _conditional(session: Session, row: FaqEntry, version: int, values: Mapping[str, Any]) -> bool:
    """Write ``values`` only if the row is still at ``version`` (one statement)."""
    statement = (
        update(FaqEntry)
        .where(col(FaqEntry.id) == row.id, col(FaqEntry.version) == version)
        .values(**values, version=version + 1)
    )
    return bool(session.connection().execute(statement).rowcount == 1)


def set_language(
    session: Session,
    *,
    admin: AdminIdentity,
    number: int,
    version: int | None,
    locale: str,
    question: str,
    answer: str,
) -> FaqEntry | None:
    """Replace the entry's question and answer in ``locale`` (adding the language when it
    had none); None when it is not the admin's, or changed since ``version``."""
    row = own_entry(session, actor=admin, number=number)
    if row is None or (version is not None and row.version != version):
        return None
    texts = cleaned(Texts({locale: [question]}, {locale: answer}))
    _check(texts, builtin_id=row.builtin_id)
    questions = dict(row.questions) | {k: list(v) for k, v in texts.questions.items()}
    answers = dict(row.answers) | dict(texts.answers)
    values = {
        "questions": questions,
        "answers": answers,
        "hidden": False,
        "updated_by": admin.telegram_user_id,
        "updated_at": utcnow(),
    }
    if not _conditional(session, row, row.version, values):
        return None
    session.expire(row)
    fresh = session.get(FaqEntry, number)
    assert fresh is not None
    _audit(session, admin, "faq.edit", fresh, language=locale)
    return fresh


def replace_texts(session: Session, *, admin: AdminIdentity, row: FaqEntry, texts: Texts) -> bool:
    """Replace all of a row's texts (a file's row for it), if it did not change meanwhile."""
    texts = cleaned(texts)
    _check(texts, builtin_id=row.builtin_id)
    values = {
        "questions": {k: list(v) for k, v in texts.questions.items()},
        "answers": dict(texts.answers),
        "keywords": list(texts.keywords),
        "hidden": False,
        "updated_by": admin.telegram_user_id,
        "updated_at": utcnow(),
    }
    return _conditional(session, row, row.version, values)


def hide_builtin(
    session: Session,
    *,
    admin: AdminIdentity,
    scope: FaqScope,
    builtin_id: str,
    audited: bool = True,
) -> FaqEntry:
    """Keep built-in entry ``builtin_id`` from the scope's sellers (again: no change)."""
    builtin = builtin_by_id().get(builtin_id)
    if builtin is None:
        raise FaqRefused(N_("faq_unknown_builtin"), id=builtin_id[:64])
    if scope.cohort_id is not None and not builtin.serves(scope.market):
        raise FaqRefused(N_("faq_builtin_other_market"), id=builtin_id)
    existing = next((r for r in rows_in(session, scope) if r.builtin_id == builtin_id), None)
    now = utcnow()
    if existing is not None:
        if existing.hidden:
            return existing
        existing.hidden = True
        existing.version += 1
        existing.updated_by, existing.updated_at = admin.telegram_user_id, now
        row = existing
    else:
        row = FaqEntry(
            provider_id=scope.provider_id,
            cohort_id=scope.cohort_id,
            market=builtin.market,
            builtin_id=builtin_id,
            hidden=True,
            created_by=admin.telegram_user_id,
            updated_by=admin.telegram_user_id,
            created_at=now,
            updated_at=now,
        )
    session.add(row)
    session.flush()
    if audited:
        _audit(session, admin, "faq.hide", row)
    return row


def remove_entry(
    session: Session, *, admin: AdminIdentity, number: int, version: int | None = None
) -> FaqEntry | None:
    """Remove the admin's entry ``number`` (an override or a hidden built-in entry comes
    back as shipped); None when it is not theirs, already gone, or changed since
    ``version``."""
    row = own_entry(session, actor=admin, number=number)
    if row is None:
        return None
    seen = row.version if version is None else version
    statement = delete(FaqEntry).where(col(FaqEntry.id) == number, col(FaqEntry.version) == seen)
    if session.connection().execute(statement).rowcount != 1:
        return None
    _audit(session, admin, "faq.remove", row)
    return row


def await_file(session: Session, *, admin: AdminIdentity, scope: FaqScope) -> None:
    """The admin's next CSV or XLSX file is an import into ``scope`` (replaces a prompt)."""
    session.connection().execute(
        delete(FaqImportPrompt).where(
            col(FaqImportPrompt.admin_telegram_id) == admin.telegram_user_id
        )
    )
    session.add(FaqImportPrompt(admin_telegram_id=admin.telegram_user_id, scope=scope.key))
    session.flush()


def take_file_prompt(session: Session, *, admin: AdminIdentity) -> str | None:
    """The scope key the admin's file is for, once (None: no prompt, or a stale one)."""
    prompt = session.exec(
        select(FaqImportPrompt).where(FaqImportPrompt.admin_telegram_id == admin.telegram_user_id)
    ).first()
    if prompt is None:
        return None
    taken = session.connection().execute(
        delete(FaqImportPrompt).where(col(FaqImportPrompt.id) == prompt.id)
    )
    if taken.rowcount != 1 or prompt.created_at < utcnow() - PROMPT_TTL:
        return None  # another worker took it, or it is too old to mean this file
    return prompt.scope
