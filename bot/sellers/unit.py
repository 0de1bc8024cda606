"""The unit-of-work contract of a seller update: what a unit sees, what it may write.

A unit is a plain function ``(SellerView, FlowEnv) -> (Write | None, value)``: it reads a
detached snapshot, decides (usually by advancing the flow), and says what to store. The
store (``bot.sellers.store``) runs it inside the seller's transaction and re-runs it on a
version conflict, so a unit must not have side effects beyond its return value.

Exceptions a unit or the store raise::

    Exception
    ├── NeedsCompanyLookup   the flow needs a Companies House answer not fetched yet
    ├── DuplicateUpdate      this update was applied already (Telegram redelivered it)
    └── ConcurrentUpdate     the seller kept changing under us; gave up
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from bot.sellers.applications import NewApplication, Summary
from flows.progress import CompanyCheck, FlowEnv, Progress

T = TypeVar("T")


class NeedsCompanyLookup(Exception):
    """The flow needs a Companies House answer that has not been fetched yet."""

    def __init__(self, number: str) -> None:
        super().__init__(number)
        self.number = number


class DuplicateUpdate(Exception):
    """The seller's progress already includes this update (Telegram delivered it again)."""


class ConcurrentUpdate(Exception):
    """The seller kept changing under us; give up after the store's attempts."""


@dataclass(frozen=True)
class SellerView:
    """A detached snapshot of a seller and their current application.

    Safe to use after the session has closed. ``progress`` and ``version`` are the current
    application's; ``id`` is the seller's.
    """

    id: int
    telegram_user_id: int
    chat_id: int
    locale: str
    progress: Progress
    version: int
    application_id: int = 0
    cohort_id: int | None = None
    """The current application's cohort, as read."""
    rules: Mapping[str, Any] = field(default_factory=dict)
    product_rules: Mapping[str, Any] = field(default_factory=dict)
    is_new: bool = False
    confirmation: Mapping[str, Any] | None = None
    applications: tuple[Summary, ...] = ()

    @property
    def current(self) -> Summary | None:
        """The current application among ``applications``."""
        return next((a for a in self.applications if a.id == self.application_id), None)


@dataclass(frozen=True)
class Write:
    """What a unit of work wants stored; ``None`` fields stay as they are.

    ``progress`` is the current application's. ``new_application`` opens one and
    ``switch_to`` makes another of the seller's applications current (after ``progress``
    is stored); then ``then``, if given, runs on the seller as they are now and its value
    replaces the unit's (to ask the question of the application now current).
    ``confirmation`` replaces the pending confirmation; an empty mapping clears it.
    """

    progress: Progress | None = None
    locale: str | None = None
    actor: str = "seller"
    confirmation: Mapping[str, Any] | None = None
    new_application: NewApplication | None = None
    switch_to: int | None = None
    then: Callable[[SellerView, FlowEnv], Any] | None = None

    @property
    def moves(self) -> bool:
        """Whether the write changes which application is current."""
        return self.new_application is not None or self.switch_to is not None


@dataclass(frozen=True)
class Result(Generic[T]):
    """The seller as stored after the unit, and whatever the unit returned."""

    seller: SellerView
    value: T


Unit = Callable[[SellerView, FlowEnv], tuple[Write | None, T]]
CompanyLookup = Callable[[str], Awaitable[CompanyCheck]]
