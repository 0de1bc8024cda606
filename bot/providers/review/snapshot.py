"""What a seller submitted, reduced to what a reviewer compares: the diff between two
submissions names the steps the seller changed, so a resubmission shows the admin what
is new instead of the whole application again.

Files compare by ``file_unique_id`` (the same file sent again is no change); private
keys (``_editing``, drafts) and the last rejection's reasons are not answers and are left
out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.db.uploads import is_file
from flows.rejections import ANSWER_KEY as REJECTION_KEY


def snapshot(answers: Mapping[str, Any]) -> dict[str, Any]:
    """The comparable form of a submission's answers (JSON-safe)."""
    taken: dict[str, Any] = {}
    for key, value in answers.items():
        if key.startswith("_") or key == REJECTION_KEY:
            continue
        taken[key] = {"file": value.get("file_unique_id")} if is_file(value) else value
    return taken


def changed_steps(before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> list[str] | None:
    """The answer keys that differ between two snapshots, sorted; None without a ``before``."""
    if before is None:
        return None
    return sorted(key for key in before.keys() | after.keys() if before.get(key) != after.get(key))


def submission_values(
    previous: Mapping[str, Any] | None, answers: Mapping[str, Any]
) -> dict[str, Any]:
    """The application columns a submission writes: the new snapshot and what changed."""
    taken = snapshot(answers)
    return {"submitted_answers": taken, "review_changes": changed_steps(previous, taken)}
