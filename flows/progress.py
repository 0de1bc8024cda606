"""A seller's place in the flow and what the flow says back, as plain values.

``Progress`` is the wrapper a shared state machine moves (never a database row:
transitions attaches methods to its models). ``Outcome`` and ``Prompt`` are what the
bot renders; message ids and parameters only, no wording.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from flows.errors import ValidationError
from flows.products import RULES, ProductRules
from flows.steps import Choice, InputKind, StepContext

DRAFT = "_draft"
"""Key of the product being entered field by field, inside ``Progress.answers``."""
MANAGE = "_manage"
"""Key of where a seller changing saved products is (the list, or one product's actions)."""
EDITING = "_editing"
"""Set while a step picked from the summary is answered: the answer returns to review."""
REDO = "_redo"
"""Steps a rejection asks again after the one the seller was sent back to, in order."""
PICKING = "_picking"
"""Set while the review step lists the answers the seller may pick to change."""


@dataclass
class Progress:
    """Where one seller is: track (None until chosen), state (a step id) and answers."""

    track: str | None = None
    state: str = "language"
    answers: dict[str, Any] = field(default_factory=dict)

    def copy(self) -> Progress:
        """An independent copy, so a refused answer can never leak into stored progress."""
        return Progress(self.track, self.state, _copied(self.answers))


_SHARED = (str, int, float, bool, Decimal, dt.date, type(None))
"""Immutable answer values: a copy may share them."""


def _copied(value: Any) -> Any:
    """``copy.deepcopy`` for answers: they are JSON-shaped (dicts, lists, text, numbers),
    copied here without deepcopy's memo and dispatch, three times faster on a seller's
    answers; anything else goes through ``deepcopy`` itself."""
    if isinstance(value, _SHARED):
        return value
    if type(value) is dict:
        return {key: _copied(item) for key, item in value.items()}
    if type(value) is list:
        return [_copied(item) for item in value]
    return copy.deepcopy(value)


@dataclass(frozen=True, slots=True)
class Say:
    """One message to send: a message id and its parameters."""

    msgid: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CompanyCheck:
    """What the Companies House look-up found: found / not_found / unavailable / skipped."""

    outcome: str
    name: str | None = None
    status: str | None = None


class Lookups(Protocol):
    """Outside checks the bot resolves for the flow (database, Companies House)."""

    def company(self, number: str) -> CompanyCheck:
        """The prefetched Companies House result for ``number``."""
        ...

    def redeem_invite_code(self, code: str, *, market: str) -> None:
        """Use one redemption of ``code``; raise ``ValidationError`` when it cannot be used."""
        ...

    def check_unique(self, field: str, value: str) -> None:
        """Raise ``ValidationError`` when ``value`` of ``field`` may not be used again
        (a company or person another application already has); the limits are the bot's."""
        ...


@dataclass(frozen=True)
class FlowEnv:
    """Everything an answer is judged against besides the progress itself.

    ``rules`` are a cohort's overrides of the track (``require_invite_code``,
    ``skip_steps``, ``min_products``); ``product_rules`` override the market's product
    limits (``ProductRules.with_overrides``).
    """

    lookups: Lookups
    today: dt.date = field(default_factory=dt.date.today)
    rules: Mapping[str, Any] = field(default_factory=dict)
    product_rules: Mapping[str, Any] = field(default_factory=dict)

    def products_for(self, track: str | None) -> ProductRules:
        """The product limits that apply to ``track`` for this cohort."""
        base = RULES[track or "uk_business"]
        return base.with_overrides(self.product_rules) if self.product_rules else base

    def context(self, progress: Progress) -> StepContext:
        """The context validators and step conditions see."""
        return StepContext(
            answers=progress.answers,
            rules=self.rules,
            products=self.products_for(progress.track),
            today=self.today,
        )

    def min_products(self, track: str | None) -> int:
        """How many products a seller needs before submitting (data; default 1).

        A cohort may set it as a track rule or as a product rule; the stricter one wins.
        """
        set_by_track = int(self.rules.get("min_products", 1))
        return max(set_by_track, self.products_for(track).min_products)


@dataclass(frozen=True)
class Outcome:
    """The result of one answer: the new progress, what was saved, what to say."""

    progress: Progress
    saved: Mapping[str, Any] = field(default_factory=dict)
    say: tuple[Say, ...] = ()
    error: ValidationError | None = None
    row_errors: tuple[Any, ...] = ()
    actions: tuple[str, ...] = ()

    @property
    def accepted(self) -> bool:
        """Whether the answer was taken (an error leaves the progress as it was)."""
        return self.error is None


@dataclass(frozen=True)
class Prompt:
    """The question for the seller's current place: ``key`` goes into callback data."""

    key: str
    say: tuple[Say, ...]
    kind: InputKind | None
    choices: tuple[Choice, ...] = ()
    position: tuple[int, int] | None = None
    tips: tuple[str, ...] = ()
    example: str | Decimal = ""
    """A right answer, shown with the question (typed questions only)."""
    position_label: str = "progress_step"
    """How ``position`` is named: a track's steps, or the intake before a track is chosen."""
