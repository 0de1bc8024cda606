"""Typed text in a private chat: an answer to the current step, or a question.

A text that is no valid answer and reads as a question (``flows.questions``) is a
question: it never counts as a wrong answer and never moves the flow. A text the step
would take is an answer, except where any text is (a company name, a product title):
there only a text that could be no name is a question (``asks_over_free_text``). After
``/ask`` alone, the next text is a question whatever it says (a confirmation with the
action ``ask`` marks that, so every worker process knows).

What to do with a question (the FAQ, a ticket) is ``bot.questions``'s business: the unit
only says "asked", with where the seller stood, and the current step to show again.
"""

from __future__ import annotations

from dataclasses import replace

from bot.db.models import utcnow
from bot.sellers.confirmations import Confirmation
from bot.sellers.dialog import Answered, Asked, answered, outcome_write
from bot.sellers.documents import reading_reply
from bot.sellers.unit import SellerView, Unit, Write
from bot.transport.render import Reply, outcome_reply, prompt_reply
from flows.answers import TextAnswer
from flows.engine import advance, prompt, prompt_key
from flows.progress import FlowEnv, Outcome
from flows.proposals import READ
from flows.questions import is_question
from flows.questions.free_text import asks_over_free_text
from flows.reuse import fast_forward
from flows.steps import N_

ASK = "ask"
"""The confirmation action of ``/ask`` alone: the seller's next text is a question."""
FREE_TEXT = frozenset({"company_name", "products.title"})
"""Prompt keys whose step takes any text, so a question is a valid answer there too."""


def text_unit(text: str, *, forced: bool = False) -> Unit[Answered]:
    """The unit of a typed text: the step's answer, or a question (``forced``: always,
    for ``/ask <text>``)."""

    def unit(view: SellerView, env: FlowEnv) -> tuple[Write | None, Answered]:
        if forced:
            return None, _asked(view, env, text)
        if _awaiting_question(view):
            return Write(confirmation={}), _asked(view, env, text)
        outcome = fast_forward(advance(view.progress, TextAnswer(text), env), env)
        if outcome.accepted:
            free = prompt_key(view.progress) in FREE_TEXT
            if free and asks_over_free_text(text, view.locale):
                return None, _asked(view, env, text)
        elif is_question(text, view.locale):
            return None, _asked(view, env, text)
        return applied(view, env, outcome)

    return unit


def applied(view: SellerView, env: FlowEnv, outcome: Outcome) -> tuple[Write | None, Answered]:
    """What an answer's outcome stores, and its reply: the next prompt, or the refusal (a
    document photo sent first: "reading it…", the prompt follows the reading)."""
    next_prompt = prompt(outcome.progress, env)
    reading = READ in outcome.actions
    return outcome_write(view, outcome), answered(
        env,
        outcome.progress,
        reading_reply if reading else lambda t: outcome_reply(outcome, next_prompt, env, t),
        actions=outcome.actions,
    )


def ask_next_unit(view: SellerView, env: FlowEnv) -> tuple[Write | None, Answered]:
    """``/ask`` alone: the seller's next text is a question (for ten minutes)."""
    issued = Confirmation.issue(ASK, now=utcnow())
    return Write(confirmation=issued.to_json()), answered(
        env, view.progress, lambda t: Reply(t(N_("ask_type_question")), None)
    )


def _awaiting_question(view: SellerView) -> bool:
    pending = Confirmation.from_json(view.confirmation)
    return pending is not None and pending.action == ASK and utcnow() < pending.expires_at


def _asked(view: SellerView, env: FlowEnv, text: str) -> Answered:
    """The question, and the current step again (its question and buttons, no tips)."""
    progress = view.progress
    now = replace(prompt(progress, env), tips=())
    asked = Asked(
        text=text,
        locale=view.locale,
        application_id=view.application_id,
        market=str(progress.answers.get("market") or ""),
        track=progress.track,
        step=progress.state,
    )
    reply = answered(
        env, progress, lambda t: prompt_reply(now, t, before=[t(N_("question_back_to_step"))])
    )
    return replace(reply, asked=asked)
