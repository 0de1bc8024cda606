"""Changing saved products from the products menu: pick one, then remove or replace it.

"Change a product" lists the saved products (``answers["_manage"]`` holds where the
seller is: the list, or one product's actions). A product is named by its position
and a fingerprint of its content, so a button of an older list can never remove
another product. Removing below the minimum is refused: replace the product instead
(the replacement is entered as a draft with ``replaces`` and takes the old one's place
only once it is complete, so cancelling keeps the old one).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from flows.answers import Answer, ChoiceAnswer
from flows.errors import StaleAnswer, ValidationError
from flows.progress import DRAFT, MANAGE, Progress, Say
from flows.steps import N_, Choice

CHANGE, REMOVE, REPLACE, CLOSE = "change", "remove", "replace", "close"


def fingerprint(product: Mapping[str, Any]) -> str:
    """Eight hex digits of a product's content: tells an old list's button from a new one."""
    text = json.dumps(product, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:8]


def _item_value(progress: Progress, index: int) -> str:
    return f"{index}.{fingerprint(progress.answers['products'][index])}"


def manage_key(progress: Progress) -> str | None:
    """The prompt key while saved products are being changed, else None."""
    manage = progress.answers.get(MANAGE)
    if manage is None:
        return None
    if "item" in manage:
        return f"products.item.{manage['item']}"
    return "products.pick"


def manage_choices(progress: Progress) -> tuple[Choice, ...]:
    """One button per saved product (the list), or what to do with the picked one."""
    manage = progress.answers.get(MANAGE) or {}
    close = Choice(CLOSE, N_("button_back_to_products"))
    if "item" in manage:
        return (
            Choice(REPLACE, N_("button_replace_product")),
            Choice(REMOVE, N_("button_remove_product")),
            close,
        )
    items = tuple(
        Choice(
            _item_value(progress, index),
            N_("button_product_item"),
            {"number": index + 1, "title": _short(str(item["title"]))},
        )
        for index, item in enumerate(progress.answers.get("products", ()))
    )
    return (*items, close)


def picked_title(progress: Progress) -> str:
    """The title of the product whose action is being asked ("" when none is picked)."""
    index = _picked_index(progress)
    return "" if index is None else str(progress.answers["products"][index]["title"])


def _short(title: str, limit: int = 40) -> str:
    return title if len(title) <= limit else title[: limit - 1] + "…"


def _picked_index(progress: Progress) -> int | None:
    manage = progress.answers.get(MANAGE) or {}
    if "item" not in manage:
        return None
    return int(str(manage["item"]).split(".")[0])


def handle(
    progress: Progress, answer: Answer, *, min_products: int, first_field: str
) -> tuple[dict[str, Any], tuple[Say, ...]]:
    """The list of saved products, then remove or replace the one picked."""
    if not isinstance(answer, ChoiceAnswer):
        raise ValidationError("error_products_use_buttons")
    values = {choice.value for choice in manage_choices(progress)}
    if answer.value not in values:  # a product of an older list, changed or removed since
        raise StaleAnswer(answer.step)
    if answer.value == CLOSE:
        progress.answers.pop(MANAGE)
        return {}, ()
    index = _picked_index(progress)
    if index is None:  # a product picked from the list
        progress.answers[MANAGE] = {"item": answer.value}
        return {}, ()
    saved = progress.answers["products"]
    if answer.value == REPLACE:
        progress.answers.pop(MANAGE)
        progress.answers[DRAFT] = {"field": first_field, "replaces": index}
        return {}, ()
    if len(saved) - 1 < min_products:
        raise ValidationError("error_products_remove_minimum", min=min_products)
    removed = saved.pop(index)
    progress.answers.pop(MANAGE)
    say = Say("product_removed", {"title": removed["title"], "total": len(saved)})
    return {"products": saved}, (say,)
