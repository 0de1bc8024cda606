"""Photo albums: Telegram sends each file of an album as its own message, with one
``media_group_id``, so ten photos sent at a one-file step used to answer that step and the
next ones (ID document, selfie, proof of address), then get "please type your answer as
text" seven times; at the product images step the tenth photo got the same text.

The rule: an album belongs to the prompt it was sent at. Its files answer that prompt while
it is still asked (product images take file after file, up to their limit); once the
prompt has moved on (a one-file step was answered, the images are full), the album's other
files change nothing. The first of them gets one sentence saying so; the rest get no reply
at all (``QUIET``). The album is remembered in ``answers["_album"]`` (internal, like every
``_`` key: never shown, exported or reviewed).
"""

from __future__ import annotations

from typing import Any

from flows.answers import Answer, FileAnswer
from flows.bulk import BulkResult
from flows.progress import Outcome, Progress, Say
from flows.steps import N_

ALBUM = "_album"
QUIET = "quiet"
"""An outcome action: nothing to send for this update."""


def rest_of_album(progress: Progress, answer: Answer | BulkResult, key: str) -> Outcome | None:
    """The outcome for a file of an album whose prompt has moved on; None to apply it."""
    memory = _memory(progress, answer)
    if memory is None or memory.get("key") == key:
        return None
    if memory.get("told"):
        return Outcome(progress=progress, actions=(QUIET,))
    told = progress.copy()
    told.answers[ALBUM] = {**memory, "told": True}
    return Outcome(progress=told, say=(Say(N_("album_rest_skipped")),))


def remember(outcome: Outcome, answer: Answer | BulkResult, key: str) -> Outcome:
    """After an accepted file of a new album: which prompt the album belongs to."""
    album = answer.album if isinstance(answer, FileAnswer) else ""
    if not album or not outcome.accepted or _memory(outcome.progress, answer) is not None:
        return outcome
    outcome.progress.answers[ALBUM] = {"id": album, "key": key, "told": False}
    return outcome


def _memory(progress: Progress, answer: Answer | BulkResult) -> dict[str, Any] | None:
    """What is remembered of the answer's album; None for a file of no or another album."""
    if not isinstance(answer, FileAnswer) or not answer.album:
        return None
    memory = progress.answers.get(ALBUM)
    if isinstance(memory, dict) and memory.get("id") == answer.album:
        return memory
    return None
