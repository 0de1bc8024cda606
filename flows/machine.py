"""One ``transitions`` machine per track, built once from the track's data.

States are the step ids, then ``review``, ``submitted``, ``approved``, ``rejected``.
``answer`` moves to the next step that applies, ``back`` to the previous one, ``submit``
from review, ``approve``/``reject`` from submitted (declared edges: the decisions
themselves are conditional writes in ``bot.providers.review``).
Optional steps are conditions, so "next" is a list of candidate transitions tried in
order: the first whose step applies wins (transitions evaluates them that way).

Editing from the summary: ``jump`` goes from review to the step the seller picked (the
``target`` keyword names it), and ``resume`` leaves an edited step for the next step
that applies and is still unanswered, else straight back to review. ``EDGE_KINDS``
tells which triggers are the main path and which are back or jump edges (diagrams).

The machine is shared by every seller and every worker thread. A trigger fires on a
``_Cursor``, the thread's own model, registered with the machine once: it takes the
progress's state, the machine moves it, the new state is copied back. Attaching each
``Progress`` for one trigger instead (``add_model``/``remove_model``) mutates the
shared machine, so it needed a lock held by every step of every seller, and cost a third
of a millisecond per trigger (profiled in ``bench.bench_updates``). The conditions read
only the ``context`` keyword, never the model.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from functools import cache
from types import MappingProxyType
from typing import Any, Protocol

from transitions import EventData, Machine, MachineError

from flows.progress import REDO
from flows.steps import Step, StepContext
from flows.tracks import APPROVED, INTAKE, REJECTED, REVIEW, SUBMITTED, TRACKS, track_steps

MAIN, BACK, JUMP, DECISION = "main", "back", "jump", "decision"
EDGE_KINDS: Mapping[str, str] = MappingProxyType(
    {
        "answer": MAIN,
        "submit": MAIN,
        "back": BACK,
        "jump": JUMP,
        "resume": JUMP,
        "approve": DECISION,
        "reject": DECISION,
        "reopen": DECISION,
    }
)
"""Trigger → the kind of edge it draws: the main path, a step back, an edit jump, a decision."""


class HasState(Protocol):
    state: str


def _applies(step: Step) -> Any:
    def condition(event: EventData) -> bool:
        context: StepContext = event.kwargs["context"]
        return step.applies(context)

    condition.__name__ = f"applies_{step.id}"
    return condition


def _unanswered(step: Step) -> Any:
    """Not answered yet, or answered but to be asked again after a rejection (``REDO``)."""

    def condition(event: EventData) -> bool:
        context: StepContext = event.kwargs["context"]
        return step.id not in context.answers or step.id in context.answers.get(REDO, ())

    condition.__name__ = f"unanswered_{step.id}"
    return condition


def _targets(step: Step) -> Any:
    def condition(event: EventData) -> bool:
        return bool(event.kwargs.get("target") == step.id)

    condition.__name__ = f"targets_{step.id}"
    return condition


def _edits(steps: tuple[Step, ...], closing: str) -> list[dict[str, Any]]:
    """Jump from review to a picked step, and resume from it to what is still unanswered."""
    configs: list[dict[str, Any]] = [
        {
            "trigger": "jump",
            "source": closing,
            "dest": step.id,
            "conditions": [_targets(step), _applies(step)],
        }
        for step in steps
    ]
    for index, step in enumerate(steps):
        for later in steps[index + 1 :]:
            configs.append(
                {
                    "trigger": "resume",
                    "source": step.id,
                    "dest": later.id,
                    "conditions": [_applies(later), _unanswered(later)],
                }
            )
        configs.append({"trigger": "resume", "source": step.id, "dest": closing})
    return configs


def _transitions(
    steps: tuple[Step, ...], *, closing: str | None, editable: tuple[Step, ...] = ()
) -> list[dict[str, Any]]:
    """Declarative transition configs: forward and backward through the steps, edit jumps."""
    configs: list[dict[str, Any]] = []
    for index, step in enumerate(steps):
        for later in steps[index + 1 :]:
            configs.append(
                {
                    "trigger": "answer",
                    "source": step.id,
                    "dest": later.id,
                    "conditions": [_applies(later)],
                }
            )
        if closing is not None:
            configs.append({"trigger": "answer", "source": step.id, "dest": closing})
        for earlier in reversed(steps[:index]):
            configs.append(
                {
                    "trigger": "back",
                    "source": step.id,
                    "dest": earlier.id,
                    "conditions": [_applies(earlier)],
                }
            )
    if closing is not None:
        for earlier in reversed(steps):
            configs.append(
                {
                    "trigger": "back",
                    "source": closing,
                    "dest": earlier.id,
                    "conditions": [_applies(earlier)],
                }
            )
        configs += [
            {"trigger": "submit", "source": REVIEW, "dest": SUBMITTED},
            {"trigger": "approve", "source": SUBMITTED, "dest": APPROVED},
            {"trigger": "reject", "source": SUBMITTED, "dest": REJECTED},
            {"trigger": "reopen", "source": REJECTED, "dest": REVIEW},
        ]
        configs += _edits(editable, closing)
    return configs


class _Cursor:
    """A model of the machine: only a state, lent to one trigger at a time."""

    def __init__(self, state: str) -> None:
        self.state = state


class FlowMachine:
    """A track's state machine; ``fire`` moves one progress object by one trigger."""

    def __init__(
        self, steps: tuple[Step, ...], *, closing: str | None, editable: tuple[Step, ...] = ()
    ) -> None:
        states = [step.id for step in steps]
        if closing is not None:
            states += [REVIEW, SUBMITTED, APPROVED, REJECTED]
        self.states: tuple[str, ...] = tuple(states)
        self._machine = Machine(
            model=None,
            states=states,
            transitions=_transitions(steps, closing=closing, editable=editable),
            initial=states[0],
            send_event=True,
            auto_transitions=False,
        )
        self._registering = threading.Lock()
        self._cursors = threading.local()

    def fire(self, trigger: str, progress: HasState, context: StepContext, **kwargs: Any) -> bool:
        """Apply ``trigger``; False when no transition applies from the current state."""
        event = self._machine.events.get(trigger)
        if event is None:
            return False
        cursor = self._cursor()
        cursor.state = progress.state
        try:
            moved = bool(event.trigger(cursor, context=context, **kwargs))
        except MachineError:
            return False
        if moved:
            progress.state = cursor.state
        return moved

    def _cursor(self) -> _Cursor:
        """This thread's model of the machine, registered on first use."""
        cursor: _Cursor | None = getattr(self._cursors, "cursor", None)
        if cursor is None:
            cursor = _Cursor(self.states[0])
            with self._registering:  # add_model changes the machine's list of models
                self._machine.add_model(cursor, initial=cursor.state)
            self._cursors.cursor = cursor
        return cursor

    @property
    def machine(self) -> Machine:
        """The underlying machine, for diagrams."""
        return self._machine


@cache
def machine_for(track: str | None) -> FlowMachine:
    """The shared machine of a track (``None``: the intake before a track is chosen)."""
    if track is None:
        return FlowMachine(INTAKE, closing=None)
    # only the track's own steps are editable from the summary: a new market is /restart
    return FlowMachine(track_steps(track), closing=REVIEW, editable=TRACKS[track])
