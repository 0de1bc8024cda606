"""What a broadcast draft means: its recipients and the message each of them gets.

A draft's ``spec`` (JSON) holds cohort ids, the target, filters, texts per language, an
optional file and buttons. Cohorts are always re-read through ``cohorts.cohort_of`` with
the acting admin, so a forged cohort id (another provider's) selects nobody, and only the
groups linked to the admin's own cohorts can be targeted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from bot.broadcasts.html_check import check_html
from bot.db.models import Application, Cohort, Seller
from bot.outbox.store import Message
from bot.platform.i18n import LOCALES
from bot.providers.access import AdminIdentity
from bot.providers.cohorts.store import cohort_of
from bot.transport.context import translator
from bot.transport.keyboards import pack
from flows.errors import ValidationError
from flows.tracks import FINAL_STATES, INTAKE, REVIEW, TRACKS

TARGETS = ("private", "groups", "both")
ALL = "all"
GROUP_LANGUAGE = {"uk": "en", "id": "id"}
"""The language a cohort's group reads when texts differ per language."""
CONTINUE = "bc"
"""Callback kind of the "continue my application" button (``bc|go|``)."""
STATES = frozenset(
    [step.id for step in INTAKE]
    + [step.id for steps in TRACKS.values() for step in steps]
    + [*FINAL_STATES, REVIEW]
)


def new_spec() -> dict[str, Any]:
    return {
        "cohorts": [],
        "target": "private",
        "market": None,
        "state": None,
        "stalled_days": None,
        "language": None,
        "texts": {},
        "media": None,
        "buttons": [],
    }


@dataclass(frozen=True)
class Recipient:
    chat_id: int
    seller_id: int | None
    locale: str
    group: bool


def own_cohorts(session: Session, admin: AdminIdentity, ids: list[int]) -> list[Cohort]:
    """The cohorts of ``ids`` this admin may address (others read as absent)."""
    found = (cohort_of(session, actor=admin, cohort_id=int(i)) for i in ids)
    return [c for c in found if c is not None and not c.archived]


def recipients(
    session: Session, admin: AdminIdentity, spec: dict[str, Any], now: dt.datetime
) -> list[Recipient]:
    """Who gets the broadcast: one entry per chat, sellers first, then groups."""
    cohorts = own_cohorts(session, admin, spec.get("cohorts", []))
    if spec.get("market"):
        cohorts = [c for c in cohorts if c.market == spec["market"]]
    ids = [c.id for c in cohorts]
    found: dict[int, Recipient] = {}
    if ids and spec.get("target") in ("private", "both"):
        query = (
            select(Seller.chat_id, Seller.id, Seller.locale)
            .join(Application, col(Application.seller_id) == col(Seller.id))
            .where(col(Application.cohort_id).in_(ids))
            .order_by(col(Seller.id))
        )
        if spec.get("state"):
            query = query.where(col(Application.state) == spec["state"])
        if spec.get("stalled_days"):
            since = now - dt.timedelta(days=int(spec["stalled_days"]))
            query = query.where(
                col(Application.updated_at) <= since, col(Application.submitted_at).is_(None)
            )
        if spec.get("language"):
            query = query.where(col(Seller.locale) == spec["language"])
        for chat_id, seller_id, locale in session.exec(query).all():
            found.setdefault(chat_id, Recipient(chat_id, seller_id, locale, group=False))
    if spec.get("target") in ("groups", "both"):
        for cohort in cohorts:
            if cohort.group_chat_id is not None and cohort.group_chat_id not in found:
                language = GROUP_LANGUAGE.get(cohort.market, "en")
                found[cohort.group_chat_id] = Recipient(cohort.group_chat_id, None, language, True)
    return list(found.values())


def text_for(spec: dict[str, Any], locale: str) -> str:
    """The text a reader of ``locale`` gets: theirs, else the one for all, else English."""
    texts: dict[str, str] = spec.get("texts", {})
    for key in (locale, ALL, "en", *LOCALES):
        if texts.get(key):
            return texts[key]
    return ""


def languages(spec: dict[str, Any]) -> list[str]:
    """The languages whose preview differs: one for a text for all, else each given."""
    texts: dict[str, str] = spec.get("texts", {})
    if ALL in texts:
        return [ALL]
    return [locale for locale in LOCALES if locale in texts]


def message_for(spec: dict[str, Any], recipient: Recipient) -> Message:
    """Exactly what one recipient gets (the preview sends the same)."""
    media = spec.get("media") or {}
    return Message(
        chat_id=recipient.chat_id,
        seller_id=recipient.seller_id,
        text=text_for(spec, recipient.locale),
        photo_file_id=media.get("file_id") if media.get("kind") == "photo" else None,
        document_file_id=media.get("file_id") if media.get("kind") == "document" else None,
        buttons=buttons_for(spec, recipient.locale, group=recipient.group),
    )


def buttons_for(spec: dict[str, Any], locale: str, *, group: bool) -> list[list[dict[str, str]]]:
    """Button rows; "continue my application" only in a seller's own chat."""
    t = translator(locale if locale in LOCALES else "en")
    rows: list[list[dict[str, str]]] = []
    for button in spec.get("buttons", []):
        if button.get("kind") == "url":
            rows.append([{"text": button["text"], "url": button["url"]}])
        elif button.get("kind") == "continue" and not group:
            rows.append(
                [{"text": t("button_continue_application"), "callback_data": pack(CONTINUE, "go")}]
            )
    return rows


def check_ready(spec: dict[str, Any]) -> None:
    """Refuse a draft that cannot be sent: no cohort, no text, or a text Telegram refuses."""
    if not spec.get("cohorts"):
        raise ValidationError("error_broadcast_no_cohort")
    if not spec.get("texts"):
        raise ValidationError("error_broadcast_no_text")
    for text in spec["texts"].values():
        check_html(text, caption=bool(spec.get("media")))


def messages(
    session: Session, admin: AdminIdentity, spec: dict[str, Any], now: dt.datetime
) -> list[Message]:
    return [message_for(spec, r) for r in recipients(session, admin, spec, now)]
