"""The desk's pages as HTML, in the admin's language, from the same catalogs as the chat.

Every value is escaped here; the pages carry no script and no inline style (the
Content-Security-Policy forbids both): ``static/desk.js`` loads a page into the shell,
follows ``data-view`` links, sends ``data-post`` forms, and fetches ``data-src`` images
with the ``initData`` header (an ``<img src>`` could not send it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from html import escape
from urllib.parse import urlencode

from bot.desk.reads import COUNT_CAP, STATES, Detail, FileRef, Filters, Queue, Row
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

IN_F_STRINGS = (
    N_("desk_title"), N_("desk_no_access"), N_("desk_queue"), N_("desk_filter_state"),
    N_("desk_filter_apply"), N_("desk_resubmitted"), N_("desk_reject_reasons"), N_("desk_note"),
    N_("desk_erased"), N_("desk_files"), N_("desk_chart_funnel"), N_("desk_chart_daily"),
    N_("desk_codes"), N_("desk_codes_left"), N_("desk_join_link"), N_("desk_menu_button"),
)  # fmt: skip
"""Message ids only used inside f-strings here and in ``cohort_page`` (and the menu
button's, in ``bot.providers.menus``): ``pybabel extract`` does not look into f-strings."""
STATE_NAMES = {
    "submitted": N_("desk_state_submitted"),
    "approved": N_("desk_state_approved"),
    "returned": N_("desk_state_returned"),
}

SHELL = """<!doctype html>
<html>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Review desk</title>
<link rel="stylesheet" href="{base}static/desk.css">
<script src="https://telegram.org/js/telegram-web-app.js"></script>
<script src="{base}static/desk.js" defer></script>
</head>
<body>
<main id="desk" data-base="{base}" aria-live="polite"><p class="muted">…</p></main>
</body>
</html>
"""
"""The page Telegram opens: no data at all, the views arrive through ``desk.js``."""


def shell(base: str) -> str:
    return SHELL.format(base=escape(base, quote=True))


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _view(view: str, text: str, *, css: str = "") -> str:
    klass = f' class="{css}"' if css else ""
    return f'<a href="#" data-view="{_e(view)}"{klass}>{_e(text)}</a>'


def nav(t: Translator) -> str:
    return f'<nav class="top">{_view("queue", t("desk_queue"))}</nav>'


def refused(t: Translator) -> str:
    """What anybody who may not see the desk (or this page) gets: nothing about anything."""
    return (
        f'<section class="refused"><h1>{_e(t("desk_title"))}</h1>'
        f"<p>{_e(t('desk_no_access'))}</p></section>"
    )


def not_found(t: Translator) -> str:
    return f'{nav(t)}<section class="refused"><p>{_e(t("review_not_found"))}</p></section>'


def _options(pairs: Iterable[tuple[str, str]], chosen: str) -> str:
    return "".join(
        f'<option value="{_e(value)}"{" selected" if value == chosen else ""}>{_e(text)}</option>'
        for value, text in pairs
    )


def _filters(queue: Queue, filters: Filters, t: Translator) -> str:
    everything = t("desk_all")
    cohort_options = [("", everything)] + [(str(id_), name) for id_, name in queue.cohorts]
    market_options = [("", everything)] + [(code, t(name)) for code, name in MARKETS.items()]
    state_options = [(state, t(STATE_NAMES[state])) for state in STATES]
    chosen_cohort = str(filters.cohort_id) if filters.cohort_id is not None else ""
    return (
        '<form class="filters" data-get="queue">'
        f'<label>{_e(t("desk_filter_state"))}<select name="state">'
        f"{_options(state_options, filters.state)}</select></label>"
        f'<label>{_e(t("desk_filter_cohort"))}<select name="cohort">'
        f"{_options(cohort_options, chosen_cohort)}</select></label>"
        f'<label>{_e(t("label_market"))}<select name="market">'
        f"{_options(market_options, filters.market or '')}</select></label>"
        f'<button type="submit">{_e(t("desk_filter_apply"))}</button>'
        "</form>"
    )


def _row(row: Row, now: dt.datetime, t: Translator) -> str:
    marks = ""
    if row.rejections:
        marks = f'<span class="mark">🔁 {_e(t("desk_resubmitted"))}</span>'
    cohort = (
        _view(f"cohorts/{row.cohort_id}", row.cohort_name)
        if row.cohort_id is not None
        else _e(t("queue_unassigned"))
    )
    when = (
        t("queue_waiting", {"time": waited(row.submitted_at, now, t)})
        if row.state == SUBMITTED
        else state_label(row.track, row.state, t)
    )
    return (
        f'<tr data-application="{row.id}">'
        f"<td>{_view(f'applications/{row.id}', f'#{row.id}')}</td>"
        f"<td>{_e(row.company or '—')} {marks}</td>"
        f"<td>{cohort}</td>"
        f"<td>{_e(t(MARKETS[row.market]) if row.market is not None else '—')}</td>"
        f"<td>{_e(track_label(row.track, t))}</td>"
        f'<td class="when">{_e(when)}</td>'
        "</tr>"
    )


def queue_page(queue: Queue, filters: Filters, now: dt.datetime, t: Translator) -> str:
    """The queue: filters, then one row per application."""
    shown = f"{COUNT_CAP}+" if queue.total > COUNT_CAP else str(queue.total)
    title = t("desk_queue_count", {"count": shown})
    head = "".join(
        f"<th>{_e(t(key))}</th>"
        for key in (
            N_("desk_col_id"), N_("desk_col_company"), N_("desk_filter_cohort"),
            N_("label_market"), N_("label_track"), N_("desk_col_waiting"),
        )
    )  # fmt: skip
    if queue.rows:
        body = "".join(_row(row, now, t) for row in queue.rows)
        table = f'<table class="queue"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
    else:
        table = f'<p class="muted">{_e(t("queue_empty"))}</p>'
    return (
        f"<header><h1>{_e(t('desk_title'))}</h1></header>{_filters(queue, filters, t)}"
        f"<h2>{_e(title)}</h2>{table}"
    )


def queue_view(filters: Filters) -> str:
    """The ``data-view`` of the queue with these filters."""
    query = {
        "state": filters.state,
        "cohort": "" if filters.cohort_id is None else str(filters.cohort_id),
        "market": filters.market or "",
    }
    return "queue?" + urlencode({key: value for key, value in query.items() if value})


def _answers(detail: Detail, t: Translator) -> str:
    case = detail.case
    changed = set(case.review_changes or ())
    rows = []
    for step, label, value in summary_items(case.progress, case.env, t):
        klass = ' class="changed"' if step in changed else ""
        rows.append(f"<tr{klass}><th>{_e(label)}</th><td>{_e(value)}</td></tr>")
    return f'<table class="answers">{"".join(rows)}</table>'


def _files(detail: Detail, refs: list[FileRef], t: Translator) -> str:
    if not refs:
        return f'<p class="muted">{_e(t("review_no_files"))}</p>'
    items = []
    base = f"applications/{detail.case.id}/files"
    for number, ref in enumerate(refs):
        source = f"{base}/{number}"
        if ref.photo:
            items.append(
                f'<figure><img alt="{_e(ref.caption)}" data-src="{_e(source)}">'
                f"<figcaption>{_e(ref.caption)}</figcaption></figure>"
            )
        else:
            items.append(
                f'<figure class="document"><a href="#" data-download="{_e(source)}">'
                f"📄 {_e(ref.caption)}</a></figure>"
            )
    return f'<div class="files">{"".join(items)}</div>'


def _history(detail: Detail, t: Translator) -> str:
    case = detail.case
    lines = [
        f"<li>{_e(event.created_at.strftime('%Y-%m-%d %H:%M UTC'))} · "
        f"{_e(state_label(case.track, event.from_state, t))} → "
        f"{_e(state_label(case.track, event.to_state, t))} · {_e(actor_name(event.actor, t))}</li>"
        for event in detail.events
    ]
    return f'<ol class="history">{"".join(lines) or "<li>—</li>"}</ol>'


def _decision_form(detail: Detail, t: Translator) -> str:
    case = detail.case
    offered = offered_mask(case)
    boxes = "".join(
        f'<label class="reason"><input type="checkbox" name="reason" value="{_e(reason.code)}">'
        f" {_e(t(reason.button))}</label>"
        for index, reason in enumerate(REASONS)
        if offered >> index & 1
    )
    return (
        f'<form class="decision" data-post="applications/{case.id}/decision">'
        f'<input type="hidden" name="version" value="{case.version}">'
        f'<button type="submit" name="action" value="approve" class="approve">'
        f"{_e(t('review_button_approve'))}</button>"
        f"<fieldset><legend>{_e(t('desk_reject_reasons'))}</legend>{boxes}"
        f'<label class="note">{_e(t("desk_note"))}'
        f'<textarea name="note" maxlength="{MAX_FREE_TEXT}" rows="3"></textarea></label>'
        f'<button type="submit" name="action" value="reject" class="reject">'
        f"{_e(t('review_button_reject'))}</button></fieldset>"
        "</form>"
    )


def application_page(
    detail: Detail, refs: list[FileRef], t: Translator, *, notice: str = ""
) -> str:
    """One application: who, what changed, the answers, the files, the history, the decision."""
    case = detail.case
    key = N_("review_new") if case.review_changes is None else N_("review_resubmitted")
    names = {"id": case.id, "company": case.company or "—", "cohort": case.cohort_name or "—"}
    head = t(key, names)
    parts = [nav(t)]
    if notice:
        parts.append(f'<p class="notice" role="status">{_e(notice)}</p>')
    parts.append(f"<header><h1>{_e(head)}</h1>")
    state = t("application_state", {"state": state_label(case.track, case.state, t)})
    parts.append(f'<p class="state">{_e(state)}</p></header>')
    if case.anonymized:
        parts.append(f'<p class="muted">{_e(t("desk_erased"))}</p>')
        parts.append(f"<h2>{_e(t('application_history'))}</h2>{_history(detail, t)}")
        return "".join(parts)
    if case.review_changes is not None:
        steps = ", ".join(step_name(case, step, t) for step in case.review_changes) or "—"
        parts.append(f'<p class="changed">{_e(t("review_changed", {"steps": steps}))}</p>')
        if detail.last_reasons:
            reasons = reason_names(detail.last_reasons, t) or "—"
            last = t("desk_last_rejection", {"reasons": reasons})
            parts.append(f'<p class="muted">{_e(last)}</p>')
    parts.append(f"<h2>{_e(t('review_answers_title'))}</h2>{_answers(detail, t)}")
    parts.append(f"<h2>{_e(t('desk_files'))}</h2>{_files(detail, refs, t)}")
    if case.state == SUBMITTED:  # read first, then decide
        parts.append(_decision_form(detail, t))
    parts.append(f"<h2>{_e(t('application_history'))}</h2>{_history(detail, t)}")
    return "".join(parts)


def decision_notice(decision: Decision, t: Translator) -> str:
    """What the deciding admin is told, the chat's very words."""
    return verdict_text(decision, t)


def decided(decision: Decision) -> bool:
    return decision.verdict is Verdict.DECIDED
