"""The products step: a guided single product, field by field, or a bulk file.

The product being entered lives in ``answers["_draft"]`` (field name + values so far),
so it survives a restart like every other answer. Fields are data (``PRODUCT_FIELDS``);
limits come from the cohort's ``ProductRules``.
Saved products are changed from the menu (``flows/product_manage.py``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flows import product_manage, products
from flows.answers import Answer, ChoiceAnswer, FileAnswer, TextAnswer
from flows.bulk import BulkResult
from flows.errors import ValidationError
from flows.products import Product, ProductRules
from flows.progress import DRAFT, MANAGE, Progress, Say
from flows.steps import N_, Choice


@dataclass(frozen=True, slots=True)
class ProductField:
    """One field of the guided product upload."""

    id: str
    ask: str
    example: str | Decimal
    parse: Callable[[str, ProductRules], Any] | None = None
    optional_unless_package_required: bool = False
    examples_by_currency: Mapping[str, str | Decimal] = dataclasses.field(default_factory=dict)

    def example_for(self, rules: ProductRules) -> str | Decimal:
        """A right answer in the market's terms (whole rupiah, long Indonesian titles).

        Numbers are Decimals, so the bot writes them the seller's way (``0,5`` in Indonesian).
        """
        return self.examples_by_currency.get(rules.currency, self.example)


PRODUCT_FIELDS: tuple[ProductField, ...] = (
    ProductField(
        "title",
        N_("ask_product_title"),
        "Wireless Earbuds Bluetooth 5.3",
        products.title,
        examples_by_currency={"IDR": "Kaos Polos Katun Premium Pria Wanita"},
    ),
    ProductField(
        "price",
        N_("ask_product_price"),
        Decimal("12.99"),
        products.price,
        examples_by_currency={"IDR": Decimal(150_000)},
    ),
    ProductField("images", N_("ask_product_images"), ""),
    ProductField(
        "package",
        N_("ask_product_package"),
        "30x20x10",
        products.package,
        optional_unless_package_required=True,
    ),
    ProductField(
        "weight",
        N_("ask_product_weight"),
        Decimal("0.5"),
        products.weight,
        optional_unless_package_required=True,
    ),
)
FIELDS_BY_ID = {field.id: field for field in PRODUCT_FIELDS}

ADD, TEMPLATE, DONE, CHANGE = "add", "template", "done", product_manage.CHANGE
CANCEL, SKIP, IMAGES_DONE = "cancel", "skip", "images_done"
BULK_MIME_TYPES = frozenset(
    {
        "text/csv",
        "text/comma-separated-values",
        "application/vnd.ms-excel",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
)


def is_bulk_file(answer: FileAnswer) -> bool:
    """Whether an upload at the products step is a product file rather than a photo."""
    name = answer.file_name.lower()
    return answer.kind == "document" and (
        name.endswith((".csv", ".xlsx")) or answer.mime_type in BULK_MIME_TYPES
    )


@dataclass(frozen=True, slots=True)
class StepResult:
    """What the products step did: values saved, messages, whether the step is finished."""

    saved: dict[str, Any]
    say: tuple[Say, ...] = ()
    finished: bool = False
    actions: tuple[str, ...] = ()
    row_errors: tuple[Any, ...] = ()


def product_count(progress: Progress) -> int:
    """How many products the seller has added."""
    return len(progress.answers.get("products", ()))


def menu_choices(progress: Progress, *, min_products: int) -> tuple[Choice, ...]:
    """Buttons of the products menu; "done" only once the minimum is reached."""
    choices = [Choice(ADD, N_("button_add_product")), Choice(TEMPLATE, N_("button_template"))]
    if product_count(progress):
        choices.append(Choice(CHANGE, N_("button_change_products")))
    if product_count(progress) >= min_products:
        choices.append(Choice(DONE, N_("button_products_done")))
    return tuple(choices)


def draft_choices(field_id: str, rules: ProductRules) -> tuple[Choice, ...]:
    """Buttons while a product is being entered."""
    choices: list[Choice] = []
    if field_id == "images":
        choices.append(Choice(IMAGES_DONE, N_("button_images_done")))
    if FIELDS_BY_ID[field_id].optional_unless_package_required and not rules.package_required:
        choices.append(Choice(SKIP, N_("button_skip")))
    choices.append(Choice(CANCEL, N_("button_cancel_product")))
    return tuple(choices)


def handle(
    progress: Progress, answer: Answer | BulkResult, rules: ProductRules, *, min_products: int
) -> StepResult:
    """Apply one answer to the products step of ``progress`` (mutates the given copy)."""
    draft = progress.answers.get(DRAFT)
    if isinstance(answer, BulkResult):
        return _bulk(progress, answer)
    if MANAGE in progress.answers:
        saved, say = product_manage.handle(
            progress, answer, min_products=min_products, first_field=PRODUCT_FIELDS[0].id
        )
        return StepResult(saved=saved, say=say)
    if draft is None:
        return _menu(progress, answer, min_products=min_products)
    return _draft_answer(progress, draft, answer, rules)


def _menu(progress: Progress, answer: Answer, *, min_products: int) -> StepResult:
    if not isinstance(answer, ChoiceAnswer):
        raise ValidationError("error_products_use_buttons")
    if answer.value == ADD:
        progress.answers[DRAFT] = {"field": PRODUCT_FIELDS[0].id}
        return StepResult(saved={})
    if answer.value == TEMPLATE:
        return StepResult(saved={}, actions=("send_product_template",))
    if answer.value == CHANGE and product_count(progress):
        progress.answers[MANAGE] = {}
        return StepResult(saved={})
    if answer.value == DONE:
        if product_count(progress) < min_products:
            raise ValidationError("error_products_minimum", min=min_products)
        return StepResult(saved={}, finished=True)
    raise ValidationError("error_use_buttons")


def _bulk(progress: Progress, result: BulkResult) -> StepResult:
    if result.errors:
        raise _BulkRejected(result)
    added = [product.to_dict() for product in result.products]
    progress.answers["products"] = [*progress.answers.get("products", ()), *added]
    progress.answers.pop(DRAFT, None)
    progress.answers.pop(MANAGE, None)
    say = Say("products_added", {"count": len(added), "total": product_count(progress)})
    return StepResult(saved={"products": progress.answers["products"]}, say=(say,))


class _BulkRejected(ValidationError):
    """A bulk file with row errors: nothing is added, every row's error is reported."""

    def __init__(self, result: BulkResult) -> None:
        super().__init__("error_bulk_rows", count=len(result.errors))
        self.row_errors = result.errors


def bulk_row_errors(error: ValidationError) -> tuple[Any, ...]:
    """The row errors carried by a refused bulk file (empty for other errors)."""
    return tuple(getattr(error, "row_errors", ()))


def _draft_answer(
    progress: Progress, draft: dict[str, Any], answer: Answer, rules: ProductRules
) -> StepResult:
    field = FIELDS_BY_ID[draft["field"]]
    if isinstance(answer, ChoiceAnswer):
        if answer.value == CANCEL:
            progress.answers.pop(DRAFT)
            return StepResult(saved={}, say=(Say("product_cancelled"),))
        if answer.value == SKIP and SKIP in {c.value for c in draft_choices(field.id, rules)}:
            return _next_field(progress, draft, rules)
        if answer.value == IMAGES_DONE and field.id == "images":
            if len(draft.get("images", ())) < rules.images_min:
                raise ValidationError("error_images_minimum", min=rules.images_min)
            return _next_field(progress, draft, rules)
        raise ValidationError("error_use_buttons")
    if field.id == "images":
        return _image(progress, draft, answer, rules)
    if not isinstance(answer, TextAnswer):
        raise ValidationError("error_expected_text")
    assert field.parse is not None
    value = field.parse(answer.text, rules)
    draft[field.id] = _json_safe(value)
    return _next_field(progress, draft, rules)


def _image(
    progress: Progress, draft: dict[str, Any], answer: Answer, rules: ProductRules
) -> StepResult:
    if not isinstance(answer, FileAnswer):
        raise ValidationError("error_expected_image")
    if len(draft.get("images", ())) >= rules.images_max:
        raise ValidationError("error_images_count", min=rules.images_min, max=rules.images_max)
    products.image(answer.mime_type, answer.size, answer.width, answer.height, rules)
    images = [*draft.get("images", ()), answer.file_id]
    draft["images"] = images
    if len(images) >= rules.images_max:
        return _next_field(progress, draft, rules)
    say = Say("image_received", {"count": len(images), "max": rules.images_max})
    return StepResult(saved={}, say=(say,))


def _next_field(progress: Progress, draft: dict[str, Any], rules: ProductRules) -> StepResult:
    ids = [field.id for field in PRODUCT_FIELDS]
    position = ids.index(draft["field"]) + 1
    if position < len(ids):
        draft["field"] = ids[position]
        return StepResult(saved={})
    product = Product(
        title=draft["title"],
        price=Decimal(draft["price"]),
        currency=rules.currency,
        images=tuple(draft.get("images", ())),
        package_cm=tuple(draft["package"]) if draft.get("package") else None,
        weight_kg=Decimal(draft["weight"]) if draft.get("weight") else None,
    )
    progress.answers.pop(DRAFT)
    saved = [*progress.answers.get("products", ())]
    replaces = draft.get("replaces")
    if replaces is not None and 0 <= int(replaces) < len(saved):
        saved[int(replaces)] = product.to_dict()
        say = Say("product_replaced", {"title": product.title, "total": len(saved)})
    else:
        saved.append(product.to_dict())
        say = Say("product_saved", {"title": product.title, "total": len(saved)})
    progress.answers["products"] = saved
    return StepResult(saved={"products": saved}, say=(say,))


def back(progress: Progress) -> bool:
    """Step back inside a product being entered; False when there is no draft."""
    if progress.answers.pop(MANAGE, None) is not None:
        return True  # /back leaves the list of saved products for the menu
    draft = progress.answers.get(DRAFT)
    if draft is None:
        return False
    ids = [field.id for field in PRODUCT_FIELDS]
    position = ids.index(draft["field"])
    if position == 0:
        progress.answers.pop(DRAFT)
    else:
        draft["field"] = ids[position - 1]
    return True


def _json_safe(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, tuple):
        return list(value)
    return value
