"""Turns the domain's outcomes and prompts into message text and keyboards.

Texts are plain (no parse mode), so a seller's own words never need escaping.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from telegram import InlineKeyboardMarkup

from bot.platform.i18n import Translator
from bot.transport.keyboards import answer_keyboard
from flows.bulk import RowError
from flows.engine import active_steps, example_for
from flows.errors import ValidationError
from flows.products import Product
from flows.progress import FlowEnv, Outcome, Progress, Prompt, Say
from flows.steps import N_, Choice, InputKind
from flows.tracks import MARKETS, TRACK_NAMES

MAX_BAR_CELLS = 12
"""One cell per step up to this many steps; longer flows scale to this width."""
MAX_ROW_ERRORS = 20
MAX_ECHO = 80


@dataclass(frozen=True)
class Reply:
    """One message to send."""

    text: str
    keyboard: InlineKeyboardMarkup | None = None


def currency_of(progress: Progress, env: FlowEnv) -> str:
    """The currency prices are in for this seller (GBP until a track says otherwise)."""
    return env.products_for(progress.track).currency


def prompt_reply(prompt: Prompt, t: Translator, *, before: Iterable[str] = ()) -> Reply:
    """The question, with what comes before it, its position, tips and buttons."""
    lines = [line for line in before if line]
    if prompt.position is not None:
        lines.append(progress_bar(*prompt.position, t, label=prompt.position_label))
    lines.extend(say(item, t) for item in prompt.say)
    if prompt.example != "":
        lines.append(t("prompt_example", {"example": prompt.example}))
    lines.extend("💡 " + t(tip) for tip in prompt.tips[:3])
    return Reply("\n\n".join(lines), prompt_keyboard(prompt, t))


def prompt_keyboard(prompt: Prompt, t: Translator) -> InlineKeyboardMarkup | None:
    """The question's buttons, if it has any."""
    return answer_keyboard(
        prompt.key,
        prompt.choices,
        lambda choice: _label(prompt, choice, t),
        columns=1 if prompt.key in ("language", "track") else 2,
    )


def _label(prompt: Prompt, choice: Choice, t: Translator) -> str:
    if prompt.key == "language":  # each language in its own name; the current one ticked
        return ("✓ " if choice.value == t.locale else "") + choice.label
    return t(choice.label, choice.params)


def say(item: Say, t: Translator) -> str:
    """One message of the flow, translated."""
    return t(item.msgid, item.params)


def progress_bar(position: int, total: int, t: Translator, *, label: str = "progress_step") -> str:
    """``Step 3 of 7`` with a bar, so a seller sees how far they are.

    One cell per step, so every step looks different from the one before; a flow of
    more than ``MAX_BAR_CELLS`` steps fills the cells in proportion.
    """
    return _progress_bar(position, total, t, label)


@lru_cache(maxsize=1024)
def _progress_bar(position: int, total: int, t: Translator, label: str) -> str:
    """The same bar for every seller at that step in that language: made once."""
    cells = min(total, MAX_BAR_CELLS)
    filled = position if total <= MAX_BAR_CELLS else position * cells // total
    bar = "▰" * filled + "▱" * (cells - filled)
    step = t(label, {"position": position, "total": total})
    return f"{step}  {bar}"


def error_text(error: ValidationError, example: str | Decimal, t: Translator) -> str:
    """What was wrong, and what a right answer looks like."""
    text = "⚠️ " + t(error.code, error.params)
    if example != "":
        text += "\n" + t("error_example", {"example": example})
    return text


def row_errors_text(errors: Iterable[RowError], t: Translator) -> str:
    """A bulk file's errors, row by row (the first ``MAX_ROW_ERRORS``)."""
    errors = list(errors)
    lines = []
    for error in errors[:MAX_ROW_ERRORS]:
        message = t(error.code, _shortened(error.params))
        if error.row:
            where = t("bulk_row", {"row": error.row, "column": error.column})
            lines.append(f"• {where}: {message}")
        else:
            lines.append(f"• {message}")
    if len(errors) > MAX_ROW_ERRORS:
        lines.append(t("bulk_more_errors", {"count": len(errors) - MAX_ROW_ERRORS}))
    return "\n".join(lines)


def _shortened(params: Mapping[str, Any]) -> dict[str, Any]:
    """Echoed cell values cut to ``MAX_ECHO`` characters: a 4,000-character link said back
    twenty times is no help, and would not fit in a message."""
    return {
        key: value[: MAX_ECHO - 1] + "…"
        if isinstance(value, str) and len(value) > MAX_ECHO
        else value
        for key, value in params.items()
    }


def outcome_reply(outcome: Outcome, prompt: Prompt, env: FlowEnv, t: Translator) -> Reply:
    """Everything one answer produces: acknowledgements, then the next prompt; or, for a
    refused answer, what was wrong and the example (``refusal_reply``)."""
    before = [say(item, t) for item in outcome.say]
    if outcome.error is not None:
        return refusal_reply(outcome, prompt, env, t, before=before)
    if prompt.key == "review":
        before.append(summary_text(outcome.progress, env, t))
    return prompt_reply(prompt, t, before=before)


def refusal_reply(
    outcome: Outcome, prompt: Prompt, env: FlowEnv, t: Translator, *, before: list[str]
) -> Reply:
    """A refused answer: what was wrong and what a right one looks like, with the step's
    buttons; not the question, progress bar and tips again. The question is just above in
    the chat, and a seller who mistypes twice would otherwise read it all three times."""
    assert outcome.error is not None
    example = prompt.example if prompt.example != "" else example_for(outcome.progress, env)
    lines = [*before, error_text(outcome.error, example, t)]
    if outcome.row_errors:
        lines.append(row_errors_text(outcome.row_errors, t))
    return Reply("\n\n".join(line for line in lines if line), prompt_keyboard(prompt, t))


def summary_text(
    progress: Progress, env: FlowEnv, t: Translator, *, title: str = N_("summary_title")
) -> str:
    """Everything entered so far, one line per answered step, under ``title`` (the seller's
    "your answers" by default; a reviewer reads "the seller's answers")."""
    lines = [t(title)] + [
        f"• {label}: {value}" for _, label, value in summary_items(progress, env, t)
    ]
    if len(lines) == 1:
        lines.append(t("summary_empty"))
    return "\n".join(lines)


def summary_items(progress: Progress, env: FlowEnv, t: Translator) -> list[tuple[str, str, str]]:
    """(step id, label, value) of each answered step, as the summary says them."""
    items: list[tuple[str, str, str]] = []
    for key in ("market", "track"):
        if key in progress.answers:
            names = MARKETS if key == "market" else TRACK_NAMES
            value = t(names[progress.answers[key]])
            label = t(N_("label_market") if key == "market" else N_("label_track"))
            items.append((key, label, value))
    for step in active_steps(progress, env):
        if not step.label or step.id not in progress.answers:
            continue
        value = _summary_value(step.kind, step.id, progress.answers[step.id], progress, t)
        items.append((step.id, t(step.label), value))
    return items


def _summary_value(
    kind: InputKind, step_id: str, value: Any, progress: Progress, t: Translator
) -> str:
    if kind is InputKind.FILE:
        return t("summary_file_received", {"name": value.get("file_name") or "📷"})
    if kind is InputKind.PRODUCTS:
        return products_text([Product.from_dict(item) for item in value], t)
    if step_id == "incorporation_date":
        return t.date(dt.date.fromisoformat(value))
    if step_id == "company_number" and progress.answers.get("company_registered_name"):
        return f"{value} ({progress.answers['company_registered_name']})"
    return str(value)


def products_text(products: list[Product], t: Translator) -> str:
    """``3 products`` and one line each: title and price in the market's currency."""
    head = t("summary_products", {"count": len(products)})
    lines = [head]
    for product in products[:10]:
        price = t.money(Decimal(product.price), product.currency)
        lines.append(f"   – {product.title} · {price}")
    return "\n".join(lines)
