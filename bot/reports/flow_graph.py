"""A track's state machine sorted into what a reader needs to see: the path and its detours.

The machine links every step to every later one (``answer``, because any step may be
switched off) and to every earlier one (``back``): 132 edges for the 15 states of a
track, which drawn as they are show nothing. Here each transition gets a kind, read from
the machine's own transitions by trigger name and the states' order only, so a trigger
added later (a jump from the summary to a step and back, say) is sorted without a change:

- ``MAIN``: the happy path, from the first state, always to the very next state;
- ``SKIP``: the main trigger jumping over optional steps only (steps with a condition);
- ``HIDDEN``: the main trigger jumping over steps that are always asked; the transition is
  there only for cohorts that switch steps off, so it is counted, not drawn;
- ``BRANCH``: the only way into a state off the main path (``reject``);
- ``BACK``: the ``back`` trigger, summarized as one note by the pictures;
- ``EDIT``: the summary's jump to a step and the way back (``jump``, ``resume``): from
  every step, so summarized in the same note;
- ``JUMP``: everything else (``reopen``, jumps to a step): drawn dashed, with the trigger.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from flows.machine import machine_for
from flows.steps import Step
from flows.tracks import INTAKE, track_steps

BACK_TRIGGER = "back"
EDIT_TRIGGERS = ("jump", "resume")
"""The summary's "change an answer" trip: to any step and back to the summary."""


class EdgeKind(StrEnum):
    MAIN = "main"
    SKIP = "skip"
    HIDDEN = "hidden"
    BRANCH = "branch"
    BACK = "back"
    EDIT = "edit"
    JUMP = "jump"


@dataclass(frozen=True, slots=True)
class Edge:
    source: str
    dest: str
    trigger: str
    kind: EdgeKind


@dataclass(frozen=True, slots=True)
class FlowGraph:
    """The states in the machine's order, the main path through them and every edge sorted."""

    track: str | None
    states: tuple[str, ...]
    main_path: tuple[str, ...]
    edges: tuple[Edge, ...]
    conditions: Mapping[str, str]
    """Optional state → the message id saying when it is asked (empty: no label given)."""

    def of_kind(self, *kinds: EdgeKind) -> tuple[Edge, ...]:
        return tuple(edge for edge in self.edges if edge.kind in kinds)


def _transitions(track: str | None) -> list[tuple[str, str, str]]:
    """Every declared (source, dest, trigger) once, in declaration order."""
    machine = machine_for(track).machine
    seen: dict[tuple[str, str, str], None] = {}
    for trigger, event in machine.events.items():
        for source, transitions in event.transitions.items():
            for transition in transitions:
                seen.setdefault((source, str(transition.dest), trigger), None)
    return list(seen)


def _main_path(
    states: tuple[str, ...], transitions: list[tuple[str, str, str]]
) -> tuple[tuple[str, ...], dict[str, str]]:
    """From the first state, follow the transition to the next state while there is one."""
    forward = {(s, d): t for s, d, t in reversed(transitions) if t != BACK_TRIGGER}
    path, triggers = [states[0]], {}
    for state, following in itertools.pairwise(states):
        trigger = forward.get((state, following))
        if trigger is None:
            break
        path.append(following)
        triggers[state] = trigger
    return tuple(path), triggers


def flow_graph(track: str | None) -> FlowGraph:
    """The sorted graph of a track (``None``: the intake before a track is chosen)."""
    steps: tuple[Step, ...] = INTAKE if track is None else track_steps(track)
    states = machine_for(track).states
    order = {state: index for index, state in enumerate(states)}
    optional = {step.id for step in steps if step.when is not None}
    transitions = _transitions(track)
    path, main_trigger = _main_path(states, transitions)
    on_path = set(path)
    edges = []
    for source, dest, trigger in transitions:
        kind = _kind(source, dest, trigger, order, main_trigger, on_path)
        skipped = states[order[source] + 1 : order[dest]]
        if kind is EdgeKind.SKIP and not all(state in optional for state in skipped):
            kind = EdgeKind.HIDDEN
        edges.append(Edge(source, dest, trigger, kind))
    conditions = {step.id: step.when_label for step in steps if step.id in optional}
    return FlowGraph(track, states, path, tuple(edges), conditions)


def _kind(
    source: str,
    dest: str,
    trigger: str,
    order: Mapping[str, int],
    main_trigger: Mapping[str, str],
    on_path: set[str],
) -> EdgeKind:
    if trigger == BACK_TRIGGER:
        return EdgeKind.BACK
    if trigger in EDIT_TRIGGERS:
        return EdgeKind.EDIT
    step = order[dest] - order[source]
    if step == 1 and main_trigger.get(source) == trigger:
        return EdgeKind.MAIN
    if step > 1 and main_trigger.get(source) == trigger and dest in on_path:
        return EdgeKind.SKIP
    if step > 0 and dest not in on_path:
        return EdgeKind.BRANCH
    return EdgeKind.JUMP
