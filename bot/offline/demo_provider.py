"""The providers' side of the offline demo (``python -m bot demo --as provider``).

Seeded once per database: a provider whose owner is the demo user, a UK cohort, and three
sellers who joined by the cohort's link and stopped at different steps, one of them with a
submitted application waiting for review, one with a question for a person (``/tickets``).
The sellers are walked through the real ``Application`` (their replies are not shown), so
what the owner then meets (``/queue``, ``/stats``, ``/export``…) is what real sellers
leave behind, not rows made up here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select
from telegram import Update

from bot.db.models import Admin, Application, Cohort, Provider
from bot.offline.demo_user import DemoUser
from bot.offline.local_api import LocalBotAPI, live_buttons
from bot.providers import store
from bot.providers.cohorts.store import create_cohort

__all__ = ["DEMO_COHORT", "DEMO_PROVIDER", "ProviderDemo", "owner_locale", "seed_provider"]

DEMO_PROVIDER = "Demo Provider"
DEMO_COHORT = "UK sellers · demo"
PDF = b"%PDF-1.4\n%demo\n"


@dataclass(frozen=True)
class SeededSeller:
    """A seller the demo walks in: who, in which language, and what they typed or tapped
    (``tap:VALUE`` a button, ``photo``, ``file:NAME`` a PDF, anything else text)."""

    user_id: int
    name: str
    language: str
    script: tuple[str, ...]


def _seeded_sellers(invite_code: str) -> tuple[SeededSeller, ...]:
    return (
        SeededSeller(
            424201,
            "Wei",
            "zh_Hans",
            ("tap:zh_Hans", "tap:uk", "tap:uk_crossborder", "深圳市星河贸易有限公司",
             "91110000802100433B", "file:licence.pdf", "photo", invite_code, "07400 123456",
             "shop@example.com", "tap:add", "Wireless Earbuds Bluetooth 5.3", "£12.99",
             "photo", "tap:images_done", "30x20x10", "0.5", "tap:done", "tap:submit"),
        ),  # submitted: waits in /queue
        SeededSeller(
            424202,
            "Sari",
            "id",
            ("tap:id", "tap:uk", "tap:uk_individual", "photo", "photo", "file:address.pdf"),
        ),  # stopped at the UK mobile number
        SeededSeller(
            424203,
            "Tom",
            "en",
            ("tap:en", "tap:uk", "tap:uk_business", "Acme Trading Ltd",
             "Is there a training session this week?"),
        ),  # stopped at the Companies House number, asked what the FAQ cannot answer
    )  # fmt: skip


@dataclass(frozen=True)
class ProviderDemo:
    """What the banner names: the cohort and the application waiting for review."""

    cohort_id: int
    join_token: str
    submitted_id: int | None
    """The seeded application submitted for review (None if erased since)."""


async def seed_provider(
    app: Any,
    api: LocalBotAPI,
    engine: Engine,
    *,
    owner_id: int,
    invite_code: str,
    update_ids: Iterator[int],
) -> ProviderDemo:
    """The demo provider of ``owner_id``, seeded on first use (with its sellers walked in
    through ``app``); later runs find it as the owner left it."""
    with Session(engine) as session:
        found = _provider_demo(session, owner_id)
        if found is not None:
            return found
        provider = store.create_provider(session, name=DEMO_PROVIDER, owner_telegram_id=owner_id)
        assert provider.id is not None
        cohort = create_cohort(session, provider_id=provider.id, name=DEMO_COHORT, market="uk")
        token = cohort.join_token
        session.commit()
    for seller in _seeded_sellers(invite_code):
        user = DemoUser(
            user_id=seller.user_id,
            language=seller.language,
            update_ids=update_ids,
            first_name=seller.name,
        )
        await _walk(app, api, user, (f"/start {token}", *seller.script))
    with Session(engine) as session:
        seeded = _provider_demo(session, owner_id)
    assert seeded is not None
    return seeded


def _provider_demo(session: Session, owner_id: int) -> ProviderDemo | None:
    row = session.exec(
        select(Admin, Cohort)
        .join(Provider, col(Provider.id) == Admin.provider_id)
        .join(Cohort, col(Cohort.provider_id) == Provider.id)
        .where(Admin.telegram_user_id == owner_id, Provider.name == DEMO_PROVIDER)
        .order_by(col(Cohort.id))
    ).first()
    if row is None:
        return None
    _admin, cohort = row
    assert cohort.id is not None
    submitted = session.exec(
        select(Application.id)
        .where(Application.cohort_id == cohort.id, col(Application.submitted_at).is_not(None))
        .order_by(col(Application.id))
    ).first()
    return ProviderDemo(cohort.id, cohort.join_token, submitted)


def owner_locale(engine: Engine, *, owner_id: int) -> str | None:
    """The language the demo's owner was last answered in (None before the first run)."""
    with Session(engine) as session:
        return session.exec(select(Admin.locale).where(Admin.telegram_user_id == owner_id)).first()


async def _walk(app: Any, api: LocalBotAPI, user: DemoUser, script: tuple[str, ...]) -> None:
    """Send ``script`` as ``user`` would, one update at a time."""
    for number, line in enumerate(script):
        if line.startswith("tap:"):
            live = live_buttons(api, chat_id=user.chat_id)
            assert live is not None, f"no buttons for {line}"
            message_id, buttons = live
            data = next(data for _label, data in buttons if data.rsplit("|", 1)[-1] == line[4:])
            update = user.press(data, message_id=message_id)
        elif line == "photo":
            update = user.photo(f"seed-photo-{user.chat_id}-{number}")
        elif line.startswith("file:"):
            file_id = f"seed-file-{user.chat_id}-{number}"
            api.add_file(file_id, PDF)
            update = user.document(file_id, line[5:], "application/pdf", len(PDF))
        else:
            update = user.text(line)
        await app.process_update(Update.de_json(update, app.bot))
