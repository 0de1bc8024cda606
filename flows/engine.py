"""``advance``: one seller answer in, one ``Outcome`` out; ``prompt``: what to ask now.

Every call works on a copy of the progress: a refused answer returns the original
progress untouched, so a wrong answer can never move the machine or corrupt answers.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flows import albums, product_manage, product_step, proposals
from flows.answers import Answer, ChoiceAnswer, FileAnswer, TextAnswer
from flows.bulk import BulkResult
from flows.errors import StaleAnswer, ValidationError
from flows.machine import machine_for
from flows.normalize import clean_text
from flows.progress import DRAFT, EDITING, PICKING, FlowEnv, Outcome, Progress, Prompt, Say
from flows.steps import N_, InputKind, Step
from flows.summary_step import EDIT, SUBMIT, forward, handle_review, review_key, review_prompt
from flows.tracks import FINAL_STATES, INTAKE, MARKET_OF_TRACK, REVIEW, TRACKS, find_step

__all__ = ["EDIT", "SUBMIT", "advance", "go_back", "prompt", "prompt_key"]
STATUS_MESSAGES = {
    "submitted": N_("status_submitted"),
    "approved": N_("status_approved"),
    "rejected": N_("status_rejected"),
}


def current_step(progress: Progress) -> Step | None:
    """The step the seller is on; None at review and after submission."""
    return find_step(progress.track, progress.state)


def prompt_key(progress: Progress) -> str:
    """What a button must carry to be current: the step, or the product field being entered."""
    draft = progress.answers.get(DRAFT)
    if progress.state == "products" and draft is not None:
        return f"products.{draft['field']}"
    if progress.state == "products" and (managing := product_manage.manage_key(progress)):
        return managing
    if progress.state == REVIEW:
        return review_key(progress)
    return progress.state


def advance(progress: Progress, answer: Answer | BulkResult, env: FlowEnv) -> Outcome:
    """Apply one answer. Raises ``StaleAnswer`` for a button of another step."""
    key = prompt_key(progress)
    if isinstance(answer, ChoiceAnswer) and answer.step != key:
        raise StaleAnswer(answer.step)
    rest = albums.rest_of_album(progress, answer, key)
    if rest is not None:
        return rest
    moved = progress.copy()
    try:
        return albums.remember(_advance(moved, answer, env), answer, key)
    except ValidationError as error:
        return Outcome(
            progress=progress, error=error, row_errors=product_step.bulk_row_errors(error)
        )


def _advance(progress: Progress, answer: Answer | BulkResult, env: FlowEnv) -> Outcome:
    # An offer read off a photo holds until the next answer: its tap uses it, any other
    # answer drops it (a refused one returns the progress as it was, offer included).
    offered = progress.answers.pop(proposals.PROPOSAL, None)
    if isinstance(answer, ChoiceAnswer) and proposals.is_use(answer.value):
        return _use_offer(progress, answer, offered, env)
    if progress.state in FINAL_STATES:
        raise ValidationError("error_already_submitted")
    if progress.state == REVIEW:
        return handle_review(progress, answer, env)
    step = current_step(progress)
    assert step is not None, f"unknown state {progress.state!r}"
    if step.kind is InputKind.PRODUCTS:
        result = product_step.handle(
            progress,
            answer,
            env.products_for(progress.track),
            min_products=env.min_products(progress.track),
        )
        if result.finished:
            _forward(progress, env)
        return Outcome(
            progress=progress, saved=result.saved, say=result.say, actions=result.actions
        )
    if isinstance(answer, BulkResult):
        raise ValidationError("error_expected_text")
    if isinstance(answer, FileAnswer) and (document := proposals.document_step(progress, env)):
        # the photo of a document that answers this step, sent first: kept for its own
        # step (not asked again), and read by the bot for an offer
        kept = _file(document, answer)
        progress.answers[document.id] = kept
        proposals.put_ahead(progress, document.id)
        return Outcome(progress=progress, saved={document.id: kept}, actions=(proposals.READ,))
    value, say = _accept(step, answer, progress, env)
    if step.kind is InputKind.CONFIRM and value == "no":
        progress.answers.pop("company_registered_name", None)
        _fire(progress, "back", env)
        return Outcome(progress=progress, saved={step.id: None})
    if step.id == "track" and progress.answers.get("track") != value:
        # products were checked against the old track's limits (currency, price cap)
        progress.answers.pop("products", None)
        progress.answers.pop(DRAFT, None)
    for stale in step.resets:
        progress.answers.pop(stale, None)
    progress.answers[step.id] = value
    if step.id == "track":
        progress.track = str(value)
    _forward(progress, env)
    return Outcome(progress=progress, saved={step.id: value}, say=say)


def _use_offer(progress: Progress, answer: ChoiceAnswer, offered: Any, env: FlowEnv) -> Outcome:
    """The seller's tap on an offer: every offered field saved as if typed, the flow on to
    the next step nobody answered. An offer used, replaced or dropped is stale."""
    if not isinstance(offered, dict) or answer.value != proposals.use_value(offered):
        raise StaleAnswer(answer.step)
    saved: dict[str, Any] = {}
    for step_id, raw in dict(offered.get("fields", {})).items():
        step = find_step(progress.track, step_id)
        if step is None or step.kind is not InputKind.TEXT or step_id in progress.answers:
            continue
        value, _ = _accept(step, TextAnswer(str(raw)), progress, env)
        progress.answers[step_id] = value
        saved[step_id] = value
        if step_id != progress.state:
            proposals.put_ahead(progress, step_id)
    if progress.state in saved:
        _forward(progress, env)
    return Outcome(progress=progress, saved=saved, say=(Say(N_("notice_offer_used")),))


def _accept(
    step: Step, answer: Answer, progress: Progress, env: FlowEnv
) -> tuple[Any, tuple[Say, ...]]:
    """Validate and normalize the answer for ``step``; run its outside look-up."""
    if step.kind in (InputKind.CHOICE, InputKind.CONFIRM):
        values = {choice.value for choice in step.choices_for(progress.answers)}
        if not isinstance(answer, ChoiceAnswer) or answer.value not in values:
            raise ValidationError("error_use_buttons")
        return answer.value, ()
    if step.kind is InputKind.FILE:
        return _file(step, answer), ()
    if not isinstance(answer, TextAnswer):
        raise ValidationError("error_expected_text")
    if not clean_text(answer.text):  # blanks and invisible characters only
        raise ValidationError("error_empty_answer")
    assert step.validate is not None
    value = step.validate(answer.text, env.context(progress))
    env.lookups.check_unique(step.id, str(value))
    if step.lookup == "companies_house":
        return value, _check_company(str(value), progress, env)
    if step.lookup == "invite_code" and progress.answers.get(step.id) != value:
        env.lookups.redeem_invite_code(str(value), market=MARKET_OF_TRACK[str(progress.track)])
    return value, ()


def _file(step: Step, answer: Answer) -> dict[str, Any]:
    rule = step.file
    assert rule is not None
    if not isinstance(answer, FileAnswer):
        raise ValidationError("error_expected_file")
    is_pdf = answer.mime_type == "application/pdf"
    is_image = answer.kind == "photo" or answer.mime_type in ("image/jpeg", "image/png")
    if not ((rule.photo and is_image) or (rule.pdf and is_pdf)):
        if rule.pdf:
            raise ValidationError("error_file_type_pdf")
        raise ValidationError("error_file_type_photo")
    if answer.size > rule.max_bytes:
        raise ValidationError("error_file_too_large", max_mb=rule.max_bytes // (1024 * 1024))
    return {
        "file_id": answer.file_id,
        "file_unique_id": answer.file_unique_id,
        "kind": answer.kind,
        "mime_type": answer.mime_type,
        "size": answer.size,
        "file_name": answer.file_name,
    }


def _check_company(number: str, progress: Progress, env: FlowEnv) -> tuple[Say, ...]:
    check = env.lookups.company(number)
    progress.answers.pop("company_registered_name", None)
    if check.outcome == "not_found":
        raise ValidationError("error_ch_not_found", number=number)
    if check.outcome == "found" and check.status != "active":
        raise ValidationError("error_ch_not_active", status=check.status or "?")
    if check.outcome == "found":
        progress.answers["company_registered_name"] = check.name
        return ()
    if check.outcome == "unavailable":
        return (Say("notice_ch_unavailable"),)
    return ()


def _forward(progress: Progress, env: FlowEnv) -> None:
    if not forward(progress, env):
        raise ValidationError("error_cannot_go_there")


def _fire(progress: Progress, trigger: str, env: FlowEnv) -> None:
    if not machine_for(progress.track).fire(trigger, progress, env.context(progress)):
        raise ValidationError("error_cannot_go_there")


def go_back(progress: Progress, env: FlowEnv) -> Outcome:
    """One step back (inside a product being entered first); answers are kept."""
    moved = progress.copy()
    if moved.state in FINAL_STATES:
        return Outcome(progress=progress, error=ValidationError("error_already_submitted"))
    if moved.state == "products" and product_step.back(moved):
        return Outcome(progress=moved)
    if moved.state == REVIEW and moved.answers.pop(PICKING, None):
        return Outcome(progress=moved)  # from the list of answers back to the summary
    if not machine_for(moved.track).fire("back", moved, env.context(moved)):
        return Outcome(progress=progress, error=ValidationError("error_nothing_before"))
    if moved.state in ("language", "market"):
        moved.track = None  # the intake machine takes over until a track is chosen again
        moved.answers.pop(EDITING, None)
    return Outcome(progress=moved)


def active_steps(progress: Progress, env: FlowEnv) -> tuple[Step, ...]:
    """The track's steps this seller is asked (optional ones by their conditions)."""
    if progress.track is None:
        return ()
    context = env.context(progress)
    return tuple(step for step in TRACKS[progress.track] if step.applies(context))


def prompt(progress: Progress, env: FlowEnv) -> Prompt:
    """What to ask the seller now, with buttons, position and tips."""
    steps = active_steps(progress, env)
    total = len(steps) + 1
    if progress.state in FINAL_STATES:
        return Prompt(progress.state, (Say(STATUS_MESSAGES[progress.state]),), None)
    if progress.state == REVIEW:
        return review_prompt(progress, env, (total, total))
    step = current_step(progress)
    assert step is not None, f"unknown state {progress.state!r}"
    if step.kind is InputKind.PRODUCTS:
        return _products_prompt(progress, env, step, _position(step, steps, total))
    params: dict[str, Any] = {}
    if step.kind is InputKind.CONFIRM:
        params["name"] = progress.answers.get("company_registered_name", "")
    in_intake = step.id in {s.id for s in INTAKE}
    return Prompt(
        step.id,
        (Say(step.ask, params),),
        step.kind,
        step.choices_for(progress.answers),
        _position(step, steps, total),
        step.tips_for(progress.answers),
        example=step.example if step.kind is InputKind.TEXT else "",
        position_label=N_("progress_intake") if in_intake else N_("progress_step"),
    )


def _position(step: Step, steps: tuple[Step, ...], total: int) -> tuple[int, int] | None:
    """Where ``step`` is: among the intake questions, or among the track's (review last)."""
    intake = [s.id for s in INTAKE]
    if step.id in intake:
        return (intake.index(step.id) + 1, len(intake))
    ids = [s.id for s in steps]
    return (ids.index(step.id) + 1, total) if step.id in ids else None


def _products_prompt(
    progress: Progress, env: FlowEnv, step: Step, position: tuple[int, int] | None
) -> Prompt:
    rules = env.products_for(progress.track)
    draft = progress.answers.get(DRAFT)
    if draft is None and (key := product_manage.manage_key(progress)):
        picked = product_manage.picked_title(progress)
        ask = Say("ask_product_action", {"title": picked}) if picked else Say("ask_product_pick")
        return Prompt(key, (ask,), step.kind, product_manage.manage_choices(progress), position)
    if draft is None:
        count = product_step.product_count(progress)
        minimum = env.min_products(progress.track)
        say = Say(step.ask, {"count": count, "min": minimum})
        choices = product_step.menu_choices(progress, min_products=minimum)
        return Prompt(prompt_key(progress), (say,), step.kind, choices, position, step.tips)
    field = product_step.FIELDS_BY_ID[draft["field"]]
    params = {
        "min": rules.images_min,
        "max": rules.images_max,
        "count": len(draft.get("images", ())),
        "example": field.example_for(rules),
        "price_min": rules.price_min,
        "price_max": rules.price_max,
        "currency": rules.currency,
        "title_min": rules.title_min,
        "title_max": rules.title_max,
    }
    return Prompt(
        prompt_key(progress),
        (Say(field.ask, params),),
        step.kind,
        product_step.draft_choices(field.id, rules),
        position,
        step.tips if field.id == "title" else (),
        example=field.example_for(rules),
    )


def example_for(progress: Progress, env: FlowEnv) -> str | Decimal:
    """A right answer for the current place, shown with every validation error."""
    draft = progress.answers.get(DRAFT)
    if progress.state == "products" and draft is not None:
        rules = env.products_for(progress.track)
        return product_step.FIELDS_BY_ID[draft["field"]].example_for(rules)
    step = current_step(progress)
    return step.example if step is not None else ""
