"""Everything stored about one seller, as a JSON document and as a short summary.

The JSON is the seller's copy of their data (UK GDPR art. 15, UU PDP art. 7): the seller
row, every application with its answers, documents' metadata (not the bytes: Telegram
keeps those, and the seller sent them), products, the step history and their questions
(tickets: what they asked, where they stood, and what became of it).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlmodel import Session, col, select

from bot.db import repo
from bot.db.models import Application, Cohort, Delivery, Document, Product, StepEvent, Ticket
from bot.platform.i18n import Translator
from bot.sellers.labels import STATE_NAMES
from flows.tracks import TRACK_NAMES

_SELLER_FIELDS = (
    "telegram_user_id", "chat_id", "locale", "start_payload", "blocked", "created_at",
)  # fmt: skip


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def _row(row: Any, *, leave_out: tuple[str, ...] = ()) -> dict[str, Any]:
    data = row.model_dump()
    return {k: _plain(v) for k, v in data.items() if k not in leave_out}


def collect(session: Session, *, telegram_user_id: int) -> dict[str, Any] | None:
    """The seller's data as plain JSON values; None for a user the bot does not know."""
    seller = repo.get_seller(session, telegram_user_id=telegram_user_id)
    if seller is None or seller.id is None:
        return None
    data: dict[str, Any] = {f: _plain(getattr(seller, f)) for f in _SELLER_FIELDS}
    data["applications"] = [
        _application(session, application)
        for application in repo.applications_of(session, seller_id=seller.id)
    ]
    tickets = session.exec(
        select(Ticket).where(Ticket.seller_id == seller.id).order_by(col(Ticket.id))
    ).all()
    data["questions"] = [
        _row(ticket, leave_out=("seller_id", "provider_id", "cohort_id", "answered_by"))
        for ticket in tickets
    ]
    data["messages_queued_or_sent"] = len(
        session.exec(select(Delivery.id).where(Delivery.seller_id == seller.id)).all()
    )
    return data


def _application(session: Session, application: Application) -> dict[str, Any]:
    data = _row(application, leave_out=("seller_id", "version", "anonymized_at"))
    cohort = session.get(Cohort, application.cohort_id) if application.cohort_id else None
    data["cohort"] = cohort.name if cohort else None
    documents = session.exec(
        select(Document).where(Document.application_id == application.id)
    ).all()
    data["documents"] = [_row(d, leave_out=("application_id", "file_id")) for d in documents]
    products = session.exec(
        select(Product)
        .where(Product.application_id == application.id)
        .order_by(col(Product.position))
    ).all()
    data["products"] = [_row(p, leave_out=("application_id",)) for p in products]
    steps = session.exec(
        select(StepEvent)
        .where(StepEvent.application_id == application.id)
        .order_by(col(StepEvent.id))
    ).all()
    data["steps"] = [_row(s, leave_out=("application_id",)) for s in steps]
    return data


def as_json(data: dict[str, Any]) -> bytes:
    """Readable JSON, UTF-8 (Chinese names stay legible)."""
    return json.dumps(data, ensure_ascii=False, indent=2, default=str).encode()


def _state(state: str, t: Translator) -> str:
    if state in STATE_NAMES:
        return t(STATE_NAMES[state])
    return t("application_state_started")


def summary(data: dict[str, Any], t: Translator) -> str:
    """A few lines in the seller's language: what the file holds."""
    lines = [t("mydata_summary", {"count": len(data["applications"])})]
    for number, application in enumerate(data["applications"], start=1):
        track = application.get("track")
        lines.append(
            t(
                "mydata_application",
                {
                    "number": number,
                    "track": t(TRACK_NAMES[track]) if track in TRACK_NAMES else "—",
                    "state": _state(application["state"], t),
                    "answers": len(application["answers"]),
                    "documents": len(application["documents"]),
                    "products": len(application["products"]),
                    "steps": len(application["steps"]),
                },
            )
        )
    lines.append(t("mydata_footer"))
    return "\n".join(lines)
