"""Answers carried over from another application of the same company (``/new``).

The new application holds them from the start, with their step ids under ``REUSED``.
When the seller reaches one of those steps, it is answered again from the stored value,
through the same validation as typed text (so a value the new track refuses, or a USCC
past its limit, stops the fast-forward there and the seller is asked as usual). Only text
steps are replayed: buttons, files and confirmations are always the seller's to give.
"""

from __future__ import annotations

from dataclasses import replace

from flows.answers import TextAnswer
from flows.engine import advance, current_step
from flows.progress import FlowEnv, Outcome, Say
from flows.steps import N_, InputKind

REUSED = "_reused"


def fast_forward(outcome: Outcome, env: FlowEnv) -> Outcome:
    """``outcome`` moved on past every reused text step it reaches now."""
    if not outcome.accepted or not outcome.progress.answers.get(REUSED):
        return outcome
    progress, saved, replayed = outcome.progress, dict(outcome.saved), 0
    while True:
        pending = [str(item) for item in progress.answers.get(REUSED, ())]
        step = current_step(progress)
        if step is None or step.id not in pending or step.kind is not InputKind.TEXT:
            break
        trial = advance(progress, TextAnswer(str(progress.answers.get(step.id, ""))), env)
        if not trial.accepted:
            break
        progress = trial.progress
        rest = [item for item in pending if item != step.id]
        if rest:
            progress.answers[REUSED] = rest
        else:
            progress.answers.pop(REUSED, None)
        saved.update(trial.saved)
        replayed += 1
    if not replayed:
        return outcome
    note = Say(N_("notice_answers_reused"), {"count": replayed})
    return replace(outcome, progress=progress, saved=saved, say=(*outcome.say, note))
