"""The per-cohort rules an admin may change, each parsed and checked before it is stored.

Rules are data the flow already reads on every update (``FlowEnv.rules`` and
``FlowEnv.product_rules``), so a change applies to every application not yet submitted,
from its next answer on. A limit can only be made stricter than the platform's own: a
cohort cannot let UK cross-border prices above £134.50.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from flows.errors import ValidationError
from flows.products import RULES
from flows.tracks import MARKET_OF_TRACK, TRACKS


@dataclass(frozen=True)
class RuleChange:
    """A checked change: which JSON column, which key, which value (None removes it)."""

    column: str  # "rules" or "product_rules"
    key: str
    value: Any


def tracks_of(market: str, track: str | None) -> list[str]:
    """The tracks a cohort's sellers may take."""
    if track is not None:
        return [track]
    return [name for name, of_market in MARKET_OF_TRACK.items() if of_market == market]


def skippable_steps(market: str, track: str | None) -> list[str]:
    """Optional steps (those with a condition) of the cohort's tracks: a cohort may skip them."""
    steps: list[str] = []
    for name in tracks_of(market, track):
        steps += [
            step.id for step in TRACKS[name] if step.when is not None and step.id not in steps
        ]
    return steps


def parse_change(
    name: str, raw: str, *, market: str, track: str | None, current: Mapping[str, Any]
) -> RuleChange:
    """Check ``name = raw`` for a cohort; ``ValidationError`` says what a right value is."""
    raw = raw.strip()
    if name == "invite_code":
        return RuleChange("rules", "require_invite_code", _yes_no(raw))
    if name == "min_products":
        return RuleChange("rules", "min_products", _whole(raw, 1, 50))
    if name == "retention_days":  # closed applications anonymized after (bot.privacy)
        return RuleChange("rules", name, _whole(raw, 1, 3650))
    if name in ("reminder_days", "reminder_max"):
        low, high = (1, 60) if name == "reminder_days" else (0, 10)
        return RuleChange("rules", name, _whole(raw, low, high))
    if name == "skip":
        allowed = skippable_steps(market, track)
        skipped = [step for step in current.get("skip_steps", ()) if step != raw]
        if raw not in allowed:
            raise ValidationError("error_rule_skip", steps=", ".join(allowed) or "-")
        return RuleChange("rules", "skip_steps", [*skipped, raw])
    if name == "unskip":
        return RuleChange(
            "rules", "skip_steps", [s for s in current.get("skip_steps", ()) if s != raw]
        )
    if name == "price_max":
        ceiling = min(RULES[t].price_max for t in tracks_of(market, track))
        floor = max(RULES[t].price_min for t in tracks_of(market, track))
        price = _decimal(raw)
        if not floor <= price <= ceiling:
            raise ValidationError("error_rule_price", min=floor, max=ceiling)
        return RuleChange("product_rules", "price_max", str(price))
    raise ValidationError("error_rule_unknown")


def _yes_no(raw: str) -> bool:
    value = raw.lower()
    if value in ("yes", "on", "true", "1", "是", "ya"):
        return True
    if value in ("no", "off", "false", "0", "否", "tidak"):
        return False
    raise ValidationError("error_rule_yes_no")


def _whole(raw: str, low: int, high: int) -> int:
    if not raw.isdecimal() or len(raw) > len(str(high)) or not low <= int(raw) <= high:
        raise ValidationError("error_rule_number", min=low, max=high)
    return int(raw)


def _decimal(raw: str) -> Decimal:
    try:
        value = Decimal(raw.replace(",", "."))
    except InvalidOperation:
        raise ValidationError("error_rule_price_format") from None
    if not value.is_finite():
        raise ValidationError("error_rule_price_format")
    return value
