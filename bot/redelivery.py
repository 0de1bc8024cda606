"""What makes an update "the same one again": its id and a digest of its content.

Telegram redelivers an update byte for byte (same ``update_id``, same message), so the
pair identifies it. The id alone does not: after a week without updates Telegram picks the
next ``update_id`` at random, and the offline demo numbers its updates from 1 on every run,
so an id seen before can name a new message. Order means nothing either: two webhook
workers take a seller's updates in any order. Processed pairs are kept for
``RETENTION`` (longer than Telegram keeps an unconfirmed update: 24 hours) and then pruned.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from telegram import Update

RETENTION = dt.timedelta(days=7)
PRUNE_EVERY_SECONDS = 600.0  # each process deletes expired records at most this often


def update_digest(update: Update) -> str:
    """A 32-hex-digit digest of the update's content (its JSON, keys sorted)."""
    canonical = json.dumps(update.to_dict(), sort_keys=True, ensure_ascii=False, default=str)
    # surrogatepass: JSON may carry a lone surrogate ("\ud800"); it must not crash the digest
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()[:32]
