"""The desk's pages as HTML, in the admin's language, from the same catalogs as the chat.

The markup is in ``templates/`` (Jinja2, every value escaped, see ``templating``); this
module gathers what each page shows. The pages carry no script and no inline style (the
Content-Security-Policy forbids both): ``static/desk.js`` loads a page into the shell,
follows ``data-view`` links, sends ``data-post`` forms, and fetches ``data-src`` images
with the ``initData`` header (an ``<img src>`` could not send it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from bot.desk.reads import COUNT_CAP, STATES, Detail, FileRef, Filters, Queue, Row
from bot.desk.templating import render, template
from bot.platform.i18n import Translator
from bot.providers.review.buttons import reason_names, verdict_text
from bot.providers.review.commands import actor_name, waited
from bot.providers.review.decisions import Decision, Verdict, offered_mask
from bot.providers.review.notices import step_name
from bot.reports.state_names import state_label, track_label
from bot.transport.render import summary_items
from flows.rejections import MAX_FREE_TEXT, REASONS
from flows.steps import N_
from flows.tracks import MARKETS, SUBMITTED

STATE_NAMES = {
    "submitted": N_("desk_state_submitted"),
    "approved": N_("desk_state_approved"),
    "returned": N_("desk_state_returned"),
}

SHELL = template("shell.html")
"""The page Telegram opens: no data at all, the views arrive through ``desk.js``."""
REFUSED = template("refused.html")
NOT_FOUND = template("not_found.html")
QUEUE = template("queue.html")
APPLICATION = template("application.html")


def shell(base: str) -> str:
    return render(SHELL, base=base)


def refused(t: Translator) -> str:
    """What anybody who may not see the desk (or this page) gets: nothing about anything."""
    return render(REFUSED, t=t)


def not_found(t: Translator) -> str:
    return render(NOT_FOUND, t=t)


@dataclass(frozen=True)
class QueueLine:
    """A queue row and what it shows in the admin's words."""

    row: Row
    market: str
    track: str
    when: str


def _line(row: Row, now: dt.datetime, t: Translator) -> QueueLine:
    when = (
        t("queue_waiting", {"time": waited(row.submitted_at, now, t)})
        if row.state == SUBMITTED
        else state_label(row.track, row.state, t)
    )
    market = t(MARKETS[row.market]) if row.market is not None else "—"
    return QueueLine(row, market, track_label(row.track, t), when)


def queue_page(queue: Queue, filters: Filters, now: dt.datetime, t: Translator) -> str:
    """The queue: filters, then one row per application."""
    everything = t("desk_all")
    return render(
        QUEUE,
        t=t,
        shown=f"{COUNT_CAP}+" if queue.total > COUNT_CAP else str(queue.total),
        states=[(state, t(STATE_NAMES[state])) for state in STATES],
        chosen_state=filters.state,
        cohorts=[("", everything)] + [(str(id_), name) for id_, name in queue.cohorts],
        chosen_cohort=str(filters.cohort_id) if filters.cohort_id is not None else "",
        markets=[("", everything)] + [(code, t(name)) for code, name in MARKETS.items()],
        chosen_market=filters.market or "",
        rows=[_line(row, now, t) for row in queue.rows],
    )


def queue_view(filters: Filters) -> str:
    """The ``data-view`` of the queue with these filters."""
    query = {
        "state": filters.state,
        "cohort": "" if filters.cohort_id is None else str(filters.cohort_id),
        "market": filters.market or "",
    }
    return "queue?" + urlencode({key: value for key, value in query.items() if value})


@dataclass(frozen=True)
class DecisionForm:
    """What the decision form needs: the version decided on and the reasons offered."""

    id: int
    version: int
    reasons: list[tuple[str, str]]
    max_note: int = MAX_FREE_TEXT


def _decision_form(detail: Detail, t: Translator) -> DecisionForm:
    case = detail.case
    offered = offered_mask(case)
    reasons = [
        (reason.code, t(reason.button))
        for index, reason in enumerate(REASONS)
        if offered >> index & 1
    ]
    return DecisionForm(case.id, case.version, reasons)


def application_page(
    detail: Detail, refs: list[FileRef], t: Translator, *, notice: str = ""
) -> str:
    """One application: who, what changed, the answers, the files, the history, the decision."""
    case = detail.case
    key = N_("review_new") if case.review_changes is None else N_("review_resubmitted")
    names = {"id": case.id, "company": case.company or "—", "cohort": case.cohort_name or "—"}
    changed = None
    if case.review_changes is not None:
        changed = ", ".join(step_name(case, step, t) for step in case.review_changes) or "—"
    last_reasons = ""
    if changed is not None and detail.last_reasons:
        last_reasons = reason_names(detail.last_reasons, t) or "—"
    changed_steps = set(case.review_changes or ())
    answers = (
        []
        if case.anonymized
        else [
            (label, value, step in changed_steps)
            for step, label, value in summary_items(case.progress, case.env, t)
        ]
    )
    base = f"applications/{case.id}/files"
    events = [
        (
            event.created_at.strftime("%Y-%m-%d %H:%M UTC"),
            state_label(case.track, event.from_state, t),
            state_label(case.track, event.to_state, t),
            actor_name(event.actor, t),
        )
        for event in detail.events
    ]
    return render(
        APPLICATION,
        t=t,
        notice=notice,
        head=t(key, names),
        state=state_label(case.track, case.state, t),
        anonymized=case.anonymized,
        changed=changed,
        last_reasons=last_reasons,
        answers=answers,
        files=[(f"{base}/{number}", ref.caption, ref.photo) for number, ref in enumerate(refs)],
        decision=_decision_form(detail, t) if case.state == SUBMITTED else None,  # read first
        events=events,
    )


def decision_notice(decision: Decision, t: Translator) -> str:
    """What the deciding admin is told, the chat's very words."""
    return verdict_text(decision, t)


def decided(decision: Decision) -> bool:
    return decision.verdict is Verdict.DECIDED
