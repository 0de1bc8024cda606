"""A document photo sent before the typed steps it answers, and what was read off it.

A cross-border seller is asked the company name, then the USCC, then the business
licence; an Indonesian individual the NIK, then the tax number, then the KTP photo. The
order stays (a seller who types is asked exactly as before), but the steps a document
answers also take its photo (``Step.reads`` names the document):

- the photo is kept as the document step's answer *ahead* of its turn (``AHEAD``); when
  the flow reaches that step it moves on without asking (``skip_ahead``);
- the bot reads it (``bot.documents``, in the sandbox) and offers the fields that pass
  the typed answers' validators (``offer``), stored as ``PROPOSAL`` with an id;
- one tap on the offer's button (``use.<id>``, shown for the step the seller was on)
  saves every offered field through the validation a typed answer meets
  (``flows.engine``); fields of later steps are put ahead too, so the flow goes on to the
  next step nobody answered. Any other answer drops the offer, so a stale button (or a
  second tap) never saves twice nor overwrites what the seller typed since.

Nothing here is saved without the tap: an offer is a proposal, not an answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flows.documents import FIELDS
from flows.errors import ValidationError
from flows.progress import FlowEnv, Progress
from flows.steps import InputKind, Step
from flows.tracks import TRACKS, find_step

__all__ = [
    "AHEAD",
    "PROPOSAL",
    "READ",
    "USE",
    "ahead",
    "document_step",
    "is_use",
    "labelled",
    "offer",
    "put_ahead",
    "skip_ahead",
    "use_value",
    "withdraw",
]

PROPOSAL = "_proposal"
"""Key of the fields offered from a photo: ``{"id": …, "fields": {step id: value}}``."""
AHEAD = "_ahead"
"""Key of the steps answered before their turn (a document sent early, offered fields)."""
READ = "read_document"
"""The action an outcome carries when a document photo arrived early: read it now."""
USE = "use"
"""The offer's button value is ``use.<id>``."""


def document_step(progress: Progress, env: FlowEnv) -> Step | None:
    """The document step whose photo may answer the step the seller is on, if any.

    Only a typed step a document answers (the company name and USCC from a licence, the
    NIK from a KTP), only while that document has not been sent in its own turn.
    """
    if progress.track is None:
        return None
    steps = TRACKS[progress.track]
    ids = [step.id for step in steps]
    if progress.state not in ids:
        return None
    here = ids.index(progress.state)
    if steps[here].kind is not InputKind.TEXT:
        return None
    context = env.context(progress)
    for later in steps[here + 1 :]:
        if (
            later.reads
            and steps[here].id in _fields_read(later.reads)
            and later.applies(context)
            and (later.id not in progress.answers or later.id in ahead(progress))
        ):
            return later
    return None


def _fields_read(kind: str) -> frozenset[str]:
    return next((fields for name, fields in FIELDS.items() if name == kind), frozenset())


def offer(progress: Progress, fields: Mapping[str, str], env: FlowEnv) -> dict[str, str]:
    """The fields read worth offering, in the track's order: each for a step from the
    current one on that applies, nobody answered, and whose validator (and uniqueness
    check) takes the value; the values as the validator spells them. Empty unless the
    current step is among them (its button is the offer's)."""
    if progress.track is None:
        return {}
    context = env.context(progress)
    ids = [step.id for step in TRACKS[progress.track]]
    if progress.state not in ids:
        return {}
    offered: dict[str, str] = {}
    for step in TRACKS[progress.track][ids.index(progress.state) :]:
        raw = fields.get(step.id)
        if raw is None or step.id in progress.answers or not step.applies(context):
            continue
        if step.kind is not InputKind.TEXT or step.validate is None:
            continue
        try:
            value = step.validate(raw, context)
            env.lookups.check_unique(step.id, str(value))
        except ValidationError:
            continue
        offered[step.id] = str(value)
    return offered if progress.state in offered else {}


def is_use(value: str) -> bool:
    """Whether a button's value is an offer's "use these"."""
    return value.startswith(USE + ".")


def use_value(offered: Mapping[str, Any]) -> str:
    """The button value that accepts ``offered`` (the stored proposal)."""
    return f"{USE}.{offered['id']}"


def put_ahead(progress: Progress, step_id: str) -> None:
    """Mark ``step_id`` answered before its turn: the flow will not ask it."""
    steps = ahead(progress)
    if step_id not in steps:
        progress.answers[AHEAD] = [*steps, step_id]


def withdraw(progress: Progress, step_id: str) -> None:
    """Take back an answer given ahead (a file the reader refused): asked at its turn."""
    progress.answers.pop(step_id, None)
    rest = [step for step in ahead(progress) if step != step_id]
    progress.answers.pop(AHEAD, None)
    if rest:
        progress.answers[AHEAD] = rest


def ahead(progress: Progress) -> list[str]:
    """The steps answered before their turn."""
    return [str(step) for step in progress.answers.get(AHEAD, ())]


def skip_ahead(progress: Progress) -> bool:
    """Whether the step just reached was answered ahead (and is no longer marked so)."""
    steps = ahead(progress)
    if progress.state not in steps:
        return False
    rest = [step for step in steps if step != progress.state]
    if rest:
        progress.answers[AHEAD] = rest
    else:
        progress.answers.pop(AHEAD, None)
    return True


def labelled(track: str | None, fields: Mapping[str, str]) -> list[tuple[str, str]]:
    """Each offered field as (its step's label message id, value), in order."""
    out = []
    for step_id, value in fields.items():
        step = find_step(track, step_id)
        if step is not None:
            out.append((step.label, value))
    return out
