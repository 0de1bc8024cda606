"""How an application is named to its seller: "Acme Trading Ltd · UK cross-border".

Shown above every prompt once a seller has more than one application, in the list of
``/applications`` and on its switch buttons, so an answer never lands in the wrong shop.
"""

from __future__ import annotations

from bot.platform.i18n import Translator
from bot.sellers.applications import Summary
from flows.engine import active_steps, current_step
from flows.progress import FlowEnv, Progress
from flows.steps import N_
from flows.tracks import FINAL_STATES, TRACK_NAMES

MAX_LABEL = 48  # characters of a company name on a button
STATE_NAMES = {
    "submitted": N_("application_state_submitted"),
    "approved": N_("application_state_approved"),
    "rejected": N_("application_state_rejected"),
}


def application_label(summary: Summary, t: Translator) -> str:
    """The company (else "Application 2") and the track, when chosen."""
    company = summary.company
    if len(company) > MAX_LABEL:
        company = company[: MAX_LABEL - 1] + "…"
    name = company or t("application_untitled", {"number": summary.number})
    track = TRACK_NAMES.get(summary.track or "")
    return f"{name} · {t(track)}" if track else name


def application_state(summary: Summary, env: FlowEnv, t: Translator) -> str:
    """Where the application stands: its step "3 of 9", or submitted / decided."""
    if summary.state in FINAL_STATES:
        return t(STATE_NAMES[summary.state])
    progress = Progress(summary.track, summary.state, dict(summary.answers))
    ids = [step.id for step in active_steps(progress, env)]
    step = current_step(progress) if summary.track else None
    if step is not None and step.id in ids:
        return t("application_state_step", {"step": ids.index(step.id) + 1, "total": len(ids) + 1})
    return t("application_state_started")


def heading(applications: tuple[Summary, ...], current_id: int, t: Translator) -> str | None:
    """The line above a prompt naming its application; None with only one application."""
    if len(applications) < 2:
        return None
    current = next((a for a in applications if a.id == current_id), None)
    return None if current is None else "📂 " + application_label(current, t)
