"""Errors the domain raises, as values a seller can be told about.

Hierarchy::

    FlowError                 anything the flow refuses
    ├── ValidationError       an answer that is not acceptable for the current step
    └── StaleAnswer           an answer meant for another step (an old button)

``ValidationError.code`` is a message id in the catalogs (``error_uk_mobile``);
``params`` fill its placeholders. The handler turns both into a localized sentence.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class FlowError(Exception):
    """Base of every error the onboarding domain reports."""


class ValidationError(FlowError):
    """The seller's answer was refused; ``code`` names the message that says why."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params: Mapping[str, Any] = params

    def __repr__(self) -> str:  # params may hold personal data: keep them out of reprs
        return f"ValidationError({self.code!r})"


class StaleAnswer(FlowError):
    """An answer for a step the seller is no longer on (an earlier message's button)."""
