"""Review notices: what admins get when an application is submitted, and what the seller
gets when it is decided. They are not replies, so they go through the outbox (kind
``notification``). A submission's notice is written in the very transaction that submits
(``ReviewNotices.enqueue``, called by the seller store): the application is never
submitted without its reviewers being told, nor are they told of a submission that rolled
back, and the seller's answer costs one transaction, not three.

The outbox takes one delivery per chat per batch, so an admin's several messages (the
summary with its buttons, then the documents and the images by Telegram file id) are one
batch each, enqueued in order. Files go as albums (``sendMediaGroup``: photos in one,
documents in another, which Telegram does not mix), so a submission is two to four
messages instead of one per file.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import Engine, bindparam
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from bot.db.models import Admin, Application, Cohort, Seller
from bot.db.prepared import Prepared
from bot.outbox import store as outbox
from bot.outbox.store import Message
from bot.platform.i18n import Translator
from bot.platform.settings import Settings
from bot.providers.review.cases import Case, case_of
from bot.transport.context import BotContext, translator
from bot.transport.render import summary_text
from flows.steps import N_
from flows.tracks import find_step

MAX_IMAGES = 10
"""Product images sent with a notice (the rest are in the summary's product list)."""
ALBUM_SIZE = 10
"""Telegram's most files in one album."""
REVIEW = "adm_r"
Buttons = list[list[dict[str, str]]]


def review_buttons(case: Case, t: Translator) -> Buttons:
    """Approve / Reject for this version of the application."""
    tail = f"{case.id}|{case.version}|0"
    return [
        [
            {"text": t("review_button_approve"), "callback_data": f"{REVIEW}|a|{tail}"},
            {"text": t("review_button_reject"), "callback_data": f"{REVIEW}|x|{tail}"},
        ]
    ]


def step_name(case: Case, step_id: str, t: Translator) -> str:
    """A step's label in the admin's language (its id when it has none)."""
    if step_id in ("market", "track"):
        return t(N_("label_market") if step_id == "market" else N_("label_track"))
    step = find_step(case.track, step_id)
    return t(step.label) if step is not None and step.label else step_id


def summary(case: Case, t: Translator) -> str:
    """The admin's summary: who, which cohort, the answers, and what changed."""
    lines = [
        t(
            N_("review_new") if case.review_changes is None else N_("review_resubmitted"),
            {"id": case.id, "company": case.company or "—", "cohort": case.cohort_name or "—"},
        )
    ]
    if case.review_changes is not None:
        names = ", ".join(step_name(case, step, t) for step in case.review_changes)
        lines.append(t("review_changed", {"steps": names or "—"}))
    lines.append(summary_text(case.progress, case.env, t, title=N_("review_answers_title")))
    return "\n\n".join(lines)


def files(case: Case, t: Translator) -> list[tuple[str, str | None, str | None]]:
    """(caption, photo file id, document file id) for each upload and product image."""
    found: list[tuple[str, str | None, str | None]] = []
    for key, value in case.answers.items():
        if isinstance(value, dict) and "file_id" in value:
            caption = f"#{case.id} · {step_name(case, key, t)}"
            photo = value["file_id"] if value.get("kind") == "photo" else None
            found.append((caption, photo, None if photo else value["file_id"]))
    images = [
        (str(product.get("title", "")), image)
        for product in case.answers.get("products") or []
        for image in product.get("images") or []
        if isinstance(image, str) and not image.startswith("http")
    ]
    for title, image in images[:MAX_IMAGES]:
        found.append((f"#{case.id} · {title}", image, None))
    return found


Album = list[dict[str, str]]


def albums(case: Case, t: Translator) -> list[Album]:
    """The files as albums of up to ``ALBUM_SIZE``: the images, then the documents."""
    found = files(case, t)
    photos = [{"type": "photo", "media": p, "caption": c} for c, p, _ in found if p]
    documents = [{"type": "document", "media": d, "caption": c} for c, _, d in found if d]
    return [
        kind[start : start + ALBUM_SIZE]
        for kind in (photos, documents)
        for start in range(0, len(kind), ALBUM_SIZE)
    ]


def file_message(chat_id: int, album: Album, application_id: int) -> Message:
    """One album, or a lone file as itself (Telegram wants two or more in an album)."""
    if len(album) > 1:
        return Message(chat_id, "", parse_mode=None, media=album, application_id=application_id)
    (item,) = album
    photo = item["media"] if item["type"] == "photo" else None
    return Message(
        chat_id,
        item["caption"],
        parse_mode=None,
        photo_file_id=photo,
        document_file_id=None if photo else item["media"],
        application_id=application_id,
    )


def desk_button(desk_url: str, application_id: int, t: Translator) -> dict[str, str]:
    """ "Open in the review desk", straight at this application (private chats only:
    Telegram refuses ``web_app`` buttons elsewhere)."""
    return {"text": t("desk_open"), "web_app": f"{desk_url}?application={application_id}"}


def admin_messages(
    case: Case, chat_id: int, t: Translator, *, desk_url: str | None = None
) -> list[Message]:
    """One admin's notice about a submission, in order (a private chat: the admin's id)."""
    buttons = review_buttons(case, t)
    if desk_url:
        buttons.append([desk_button(desk_url, case.id, t)])
    head = Message(
        chat_id,
        summary(case, t),
        parse_mode=None,
        buttons=buttons,
        application_id=case.id,
    )
    return [head] + [file_message(chat_id, album, case.id) for album in albums(case, t)]


def reviewers(
    session: Session, provider_id: int | None, superadmin_ids: Collection[int], default_locale: str
) -> list[tuple[int, str]]:
    """(chat id, language) of who reviews: the provider's admins who opted in, or, for an
    application without a provider, the superadmins."""
    if provider_id is not None:
        rows = _REVIEWERS.rows(session.connection(), {"provider": provider_id})
        return [(user_id, locale) for user_id, locale in rows]
    found: list[tuple[int, str]] = []
    for user_id in sorted(superadmin_ids):
        admin = session.exec(select(Admin.locale).where(Admin.telegram_user_id == user_id)).first()
        seller = session.exec(select(Seller.locale).where(Seller.telegram_user_id == user_id))
        found.append((user_id, admin or seller.first() or default_locale))
    return found


_PROVIDER_OF = Prepared(
    core_select(col(Cohort.provider_id))
    .join(Application, col(Application.cohort_id) == col(Cohort.id))
    .where(col(Application.id) == bindparam("application"))
)
_REVIEWERS = Prepared(
    core_select(col(Admin.telegram_user_id), col(Admin.locale)).where(
        col(Admin.provider_id) == bindparam("provider"), col(Admin.notify_reviews)
    )
)


@dataclass(frozen=True)
class ReviewNotices:
    """Who is told of a submission, and how: the settings the notice needs."""

    superadmin_ids: frozenset[int]
    default_locale: str
    desk_url: str | None = None

    def enqueue(self, session: Session, application_id: int) -> int:
        """Queue the notice of a (re)submitted application in the caller's transaction: one
        outbox notification per slot, so each admin gets the summary first, then the
        files; how many admins are told. Nobody to tell costs two short queries."""
        found = _PROVIDER_OF.rows(session.connection(), {"application": application_id})
        provider_id = found[0][0] if found else None
        people = reviewers(session, provider_id, self.superadmin_ids, self.default_locale)
        if not people:
            return 0
        application = session.get(Application, application_id)
        assert application is not None
        case = case_of(session, application)
        per_admin = [
            admin_messages(case, chat, translator(locale), desk_url=self.desk_url)
            for chat, locale in people
        ]
        slots = max(len(messages) for messages in per_admin)
        for slot in range(slots):
            batch = [messages[slot] for messages in per_admin if slot < len(messages)]
            outbox.enqueue_in(session, batch, kind="notification")
        return len(people)


async def enqueue_in_order(engine: Engine, batches: Sequence[Sequence[Message]]) -> None:
    """Each batch as one outbox notification, in order, off the event loop."""
    for batch in batches:
        if batch:
            await asyncio.to_thread(outbox.enqueue, engine, list(batch), kind="notification")


def review_notices(settings: Settings) -> ReviewNotices:
    """The running bot's notices."""
    return ReviewNotices(
        frozenset(settings.superadmin_ids), settings.default_locale, settings.desk_url
    )


async def notify_submitted(context: BotContext, application_id: int) -> None:
    """Tell the reviewers about an application submitted outside the seller's own
    transaction (``/assign`` moving it to another provider's cohort)."""
    notices = review_notices(context.services.settings)
    await context.services.db.run(lambda session: notices.enqueue(session, application_id))
