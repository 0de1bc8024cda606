"""The vocabulary tracks are written in: steps, choices, file rules, conditions.

A track is a tuple of ``Step`` values (see ``flows/tracks.py``); the state machine,
the prompts and the summary are all derived from that data, so a provider can change
a track (or override it per cohort) without touching handlers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from flows.products import ProductRules


def N_(msgid: str) -> str:
    """Mark a message id for extraction by ``pybabel``; translation happens in ``bot/i18n``."""
    return msgid


class InputKind(StrEnum):
    """What kind of answer a step takes; decides the keyboard and which updates it accepts."""

    CHOICE = "choice"
    TEXT = "text"
    FILE = "file"
    CONFIRM = "confirm"
    PRODUCTS = "products"


@dataclass(frozen=True, slots=True)
class Choice:
    """One button: ``value`` travels in callback data, ``label`` is a message id.

    ``params`` fill the label's placeholders (a saved product's title, say).
    """

    value: str
    label: str
    params: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class FileRule:
    """Which uploads a document step takes. Sizes follow what Telegram lets a bot download."""

    photo: bool = True
    pdf: bool = True
    max_bytes: int = 20 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class StepContext:
    """What a validator or a condition may need besides the answer itself."""

    answers: Mapping[str, Any]
    rules: Mapping[str, Any]
    products: ProductRules
    today: dt.date


Validator = Callable[[str, StepContext], Any]
Condition = Callable[[StepContext], bool]


@dataclass(frozen=True, slots=True)
class Step:
    """One question of a track.

    ``ask`` is the prompt's message id, ``example`` a right answer shown with the
    question and with every error, ``when`` a condition for optional steps (``when_label``
    says it in words, for the flow picture), ``lookup`` the name of an outside check the
    bot resolves (Companies House, invite codes), ``label`` the summary line's message id.
    ``resets`` names answers that no longer hold once this step is answered again (the
    confirmation of a company's name). ``reads`` names the document a file step's photo is
    (``licence``, ``ktp``): it may be sent early, at a step it answers (``flows.proposals``).
    """

    id: str
    ask: str
    kind: InputKind
    label: str = ""
    validate: Validator | None = None
    example: str = ""
    choices: tuple[Choice, ...] = ()
    choices_by_market: Mapping[str, tuple[Choice, ...]] = field(default_factory=dict)
    file: FileRule | None = None
    tips: tuple[str, ...] = ()
    tips_by_market: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    when: Condition | None = None
    when_label: str = ""
    lookup: str | None = None
    resets: tuple[str, ...] = ()
    reads: str = ""

    def applies(self, context: StepContext) -> bool:
        """Whether the seller is asked this step at all (a cohort may switch steps off)."""
        if self.id in context.rules.get("skip_steps", ()):
            return False
        return self.when is None or self.when(context)

    def choices_for(self, answers: Mapping[str, Any]) -> tuple[Choice, ...]:
        """The buttons for this step; track choices depend on the market picked before."""
        if self.choices_by_market:
            return self.choices_by_market.get(str(answers.get("market", "")), ())
        return self.choices

    def tips_for(self, answers: Mapping[str, Any]) -> tuple[str, ...]:
        """The tips shown with this step; the track tips depend on the market picked."""
        if self.tips_by_market:
            return self.tips_by_market.get(str(answers.get("market", "")), self.tips)
        return self.tips


def plain(validator: Callable[[str], Any]) -> Validator:
    """Adapt a validator of the raw text alone to the step signature."""

    def validate(raw: str, _context: StepContext) -> Any:
        return validator(raw)

    validate.__name__ = getattr(validator, "__name__", "validate")
    return validate
