"""The review step: submit, or pick one answer to change and come straight back.

"Edit" no longer walks one step back: it lists the answered steps (``PICKING`` set),
and a pick fires the machine's ``jump`` to that step with ``EDITING`` set, so the
engine's next forward move is ``resume`` (the next step still unanswered, else review)
instead of walking every later step again.
"""

from __future__ import annotations

from flows import product_step, proposals
from flows.answers import Answer, ChoiceAnswer
from flows.bulk import BulkResult
from flows.errors import StaleAnswer, ValidationError
from flows.machine import machine_for
from flows.progress import EDITING, PICKING, REDO, FlowEnv, Outcome, Progress, Prompt, Say
from flows.steps import N_, Choice, InputKind, Step
from flows.tracks import REVIEW, TRACKS

SUBMIT, EDIT, SUMMARY = "submit", "edit", "summary"
PICK_KEY = f"{REVIEW}.{EDIT}"


def review_key(progress: Progress) -> str:
    """``review``, or ``review.edit`` while the answers to pick from are listed."""
    return PICK_KEY if progress.answers.get(PICKING) else REVIEW


def editable_steps(progress: Progress, env: FlowEnv) -> tuple[Step, ...]:
    """The track's steps this seller answered and may change (those shown in the summary)."""
    if progress.track is None:
        return ()
    context = env.context(progress)
    return tuple(
        step
        for step in TRACKS[progress.track]
        if step.label and step.id in progress.answers and step.applies(context)
    )


def review_prompt(progress: Progress, env: FlowEnv, position: tuple[int, int]) -> Prompt:
    """Submit or edit; or, after "edit", one button per answer and one back to the summary."""
    if progress.answers.get(PICKING):
        choices = tuple(Choice(step.id, step.label) for step in editable_steps(progress, env))
        choices += (Choice(SUMMARY, N_("button_back_to_summary")),)
        return Prompt(PICK_KEY, (Say("ask_edit_which"),), InputKind.CHOICE, choices, position)
    choices = (Choice(SUBMIT, N_("button_submit")), Choice(EDIT, N_("button_edit")))
    return Prompt(REVIEW, (Say("ask_review"),), InputKind.CHOICE, choices, position)


def handle_review(progress: Progress, answer: Answer | BulkResult, env: FlowEnv) -> Outcome:
    """Apply a review button to ``progress`` (a copy the caller may discard)."""
    if not isinstance(answer, ChoiceAnswer):
        raise ValidationError("error_use_buttons")
    if progress.answers.get(PICKING):
        return _pick(progress, answer, env)
    if answer.value == EDIT:
        progress.answers[PICKING] = True
        return Outcome(progress=progress)
    if answer.value != SUBMIT:
        raise ValidationError("error_use_buttons")
    minimum = env.min_products(progress.track)
    if product_step.product_count(progress) < minimum:
        raise ValidationError("error_products_minimum", min=minimum)
    if not machine_for(progress.track).fire("submit", progress, env.context(progress)):
        raise ValidationError("error_cannot_go_there")
    return Outcome(progress=progress, saved={"submitted": True}, say=(Say("submitted_next"),))


def _pick(progress: Progress, answer: ChoiceAnswer, env: FlowEnv) -> Outcome:
    progress.answers.pop(PICKING)
    if answer.value == SUMMARY:
        return Outcome(progress=progress)
    if answer.value not in {step.id for step in editable_steps(progress, env)}:
        raise StaleAnswer(answer.step)  # a step no longer answered or no longer asked
    machine = machine_for(progress.track)
    if not machine.fire("jump", progress, env.context(progress), target=answer.value):
        raise ValidationError("error_cannot_go_there")
    progress.answers[EDITING] = True
    return Outcome(progress=progress)


def forward(progress: Progress, env: FlowEnv) -> bool:
    """Leave an answered step: when editing from it, on to the next step a rejection asks
    again (``REDO``) or an unanswered one, else back to review; else to the next step
    not answered ahead of its turn (``flows.proposals``)."""
    machine = machine_for(progress.track)
    editing = bool(progress.answers.get(EDITING))
    redo = [step for step in progress.answers.get(REDO, ()) if step != progress.state]
    if redo:  # this step is fixed; the rejection's others are still to ask
        progress.answers[REDO] = redo
    else:
        progress.answers.pop(REDO, None)
    context = env.context(progress)
    moved = (editing and machine.fire("resume", progress, context)) or machine.fire(
        "answer", progress, context
    )
    while moved and proposals.skip_ahead(progress):  # answered before its turn: not asked
        moved = machine.fire("answer", progress, context)
    if progress.state == REVIEW:
        progress.answers.pop(EDITING, None)
        progress.answers.pop(REDO, None)
    return moved
