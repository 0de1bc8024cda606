"""How far an application got: a track's states in funnel order, and which of two is further.

The funnel of ``/stats`` lists a track's steps (the intake first), then the summary, the
submission and the approval. An application remembers the furthest of these states it
has been in (``further``, applied at every state change), so the funnel counts
applications instead of re-reading their whole history.
"""

from __future__ import annotations

from collections.abc import Sequence

from flows.tracks import APPROVED, INTAKE, REVIEW, SUBMITTED, track_steps

START = INTAKE[0].id
"""Where every application is furthest before it has moved at all."""


def funnel_order(track: str | None) -> list[str]:
    """The funnel's states: the track's steps (or the intake), the summary, the outcome."""
    steps = track_steps(track) if track else INTAKE
    return [step.id for step in steps] + [REVIEW, SUBMITTED, APPROVED]


def rank(order: Sequence[str], state: str) -> int:
    """``state``'s place in ``order``. A state not in it is another track's step, reached
    only after the whole intake (which every order starts with): it ranks as the intake's
    last step."""
    try:
        return order.index(state)
    except ValueError:
        return len(INTAKE) - 1


def further(track: str | None, reached: str, state: str) -> str:
    """The further of ``reached`` and the newly entered ``state`` along ``track``'s funnel.

    A state outside the funnel (``rejected``) never becomes the furthest.
    """
    order = funnel_order(track)
    if state in order and order.index(state) > rank(order, reached):
        return state
    return reached
