"""A real ``Application`` on the in-process Bot API, driven update by update, for the
reliability suite: fast enough for property-based tests, with no network at all.

Updates enter as Telegram's JSON through the ordered update processor, exactly as the
updater hands them over; every handler error is kept (a test fails on any), and the whole
database can be fingerprinted to prove that a refused update changed nothing.
"""

from __future__ import annotations

import asyncio
import itertools
import re
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Engine, select
from sqlmodel import Session, SQLModel
from telegram import Update
from telegram.ext import Application

from bot.app import build_application
from bot.db import repo
from bot.db.models import Application as ApplicationRow
from bot.db.models import StepEvent
from bot.offline.demo import DEMO_TOKEN
from bot.offline.local_api import LocalBotAPI, SentMessage
from bot.platform.settings import Settings
from tests.snapshots import seller_snapshot

# Columns that move without the seller's state changing: activity clocks, redelivery records.
VOLATILE = {"created_at", "updated_at"}
UNTRACKED_TABLES = {"processedupdate", "alembic_version"}
# A message id the catalogs did not translate would reach the seller as itself.
RAW_MSGID = re.compile(r"\b(?:error|ask|button|hint|command)_[a-z0-9_]+\b")


class Driver:
    """One application and one event loop, reused across many examples."""

    def __init__(self, engine: Engine, *, superadmin_ids: tuple[int, ...] = ()) -> None:
        self.engine = engine
        self.api = LocalBotAPI(on_send=self._sent)
        self.by_chat: dict[int, list[SentMessage]] = {}
        self.errors: list[BaseException] = []
        self.loop = asyncio.new_event_loop()
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        url = engine.url.render_as_string(hide_password=False)
        settings = Settings(  # type: ignore[arg-type]
            bot_token=DEMO_TOKEN,
            database_url=url,
            rate_limit_per_second=1_000_000,
            superadmin_ids=superadmin_ids,
        )
        app = build_application(settings, engine=engine, request=self.api)
        self.app: Application = app  # type: ignore[type-arg]

        async def keep(update: object, context: Any) -> None:
            self.errors.append(context.error)

        self.app.add_error_handler(keep)
        self.loop.run_until_complete(self.app.initialize())

    def close(self) -> None:
        self.loop.run_until_complete(self.app.shutdown())
        self.loop.close()

    def _sent(self, message: SentMessage) -> None:
        self.by_chat.setdefault(message.chat_id, []).append(message)

    # --- updates -------------------------------------------------------------------------
    def next_update_id(self) -> int:
        return next(self._update_ids)

    def message(
        self, user_id: int, content: dict[str, Any], *, chat: dict[str, Any] | None = None,
        kind: str = "message", language: str = "en",
    ) -> dict[str, Any]:  # fmt: skip
        """Update JSON of a message from ``user_id`` (in their private chat by default)."""
        chat = chat or {"id": user_id, "type": "private", "first_name": "Fuzz"}
        text = content.get("text")
        if isinstance(text, str) and text.startswith("/") and "entities" not in content:
            length = len(text.split(" ")[0].encode("utf-16-le", "surrogatepass")) // 2
            command = {"type": "bot_command", "offset": 0, "length": length}
            content = {**content, "entities": [command]}
        body: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": 1_764_600_000,
            "chat": chat,
            **content,
        }
        if chat["type"] != "channel":
            body["from"] = user(user_id, language)
        if kind == "edited_message" or kind == "edited_channel_post":
            body["edit_date"] = body["date"] + 1
        return {"update_id": self.next_update_id(), kind: body}

    def callback(
        self, user_id: int, data: str, *, message_id: int = 1, chat_id: int = 0
    ) -> dict[str, Any]:
        """Update JSON of a tap on a button with ``data``."""
        chat_id = chat_id or user_id
        return {
            "update_id": self.next_update_id(),
            "callback_query": {
                "id": str(next(self._message_ids)),
                "from": user(user_id),
                "chat_instance": "fuzz",
                "data": data,
                "message": {
                    "message_id": message_id,
                    "date": 1_764_600_000,
                    "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
                    "from": {"id": 7000001, "is_bot": True, "first_name": "Bot"},
                    "text": "…",
                },
            },
        }

    def push(self, *updates: dict[str, Any]) -> None:
        """Feed updates at once through the ordered processor; wait until all are handled."""
        self.loop.run_until_complete(self._push(updates))
        if self.errors:
            raise AssertionError(f"handler raised {self.errors[0]!r}") from self.errors[0]

    async def _push(self, updates: tuple[dict[str, Any], ...]) -> None:
        processor = self.app.update_processor
        parsed = [Update.de_json(u, self.app.bot) for u in updates]
        await asyncio.gather(
            *(processor.process_update(u, self.app.process_update(u)) for u in parsed)
        )

    def race(self, *updates: dict[str, Any]) -> None:
        """Handle updates all at once *past* the per-sender ordering, as two webhook
        workers would each handle their copy of a double tap; wait until all are done."""
        parsed = [Update.de_json(u, self.app.bot) for u in updates]

        async def race() -> None:
            await asyncio.gather(*(self.app.process_update(u) for u in parsed))

        self.loop.run_until_complete(race())
        if self.errors:
            raise AssertionError(f"handler raised {self.errors[0]!r}") from self.errors[0]

    # --- state ---------------------------------------------------------------------------
    def seller_at(self, user_id: int, track: str, state: str, answers: dict[str, Any]) -> None:
        """A seller whose current application is at ``state`` of ``track``."""
        with Session(self.engine) as session:
            seller = repo.create_seller(
                session.connection(),
                telegram_user_id=user_id,
                chat_id=user_id,
                locale="en",
                start_payload=None,
            )
            application = session.get(ApplicationRow, seller.current_application_id)
            assert application is not None
            application.track, application.state = track, state
            application.market = answers.get("market")
            application.answers = dict(answers)
            session.add(application)
            session.commit()

    def application_id(self, user_id: int) -> int:
        """The id of the seller's current application."""
        with Session(self.engine) as session:
            return seller_snapshot(session, user_id).application_id

    def state(self, user_id: int) -> tuple[Any, ...]:
        """What a seller's current application holds, and its history of steps."""
        with Session(self.engine) as session:
            s = seller_snapshot(session, user_id)
            steps = session.exec(
                select(StepEvent.from_state, StepEvent.to_state)  # type: ignore[call-overload]
                .where(StepEvent.application_id == s.application_id)
                .order_by(StepEvent.id)
            ).all()
        return (s.state, s.answers, s.version, s.track, s.locale, [tuple(r) for r in steps])

    def replies(self, chat_id: int) -> list[SentMessage]:
        return self.by_chat.get(chat_id, [])

    def fingerprint(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every table the bot keeps state in, minus clocks."""
        rows: dict[str, list[tuple[Any, ...]]] = {}
        with self.engine.connect() as connection:
            for table in SQLModel.metadata.sorted_tables:
                if table.name in UNTRACKED_TABLES:
                    continue
                columns = [c for c in table.columns if c.name not in VOLATILE]
                found = connection.execute(select(*columns)).all()
                rows[table.name] = sorted(tuple(map(repr, r)) for r in found)
        return rows


def user(user_id: int, language: str = "en") -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": "Fuzz", "language_code": language}


def chats(user_id: int) -> Iterator[dict[str, Any]]:
    """The chat types Telegram has, for an update from ``user_id``."""
    yield {"id": user_id, "type": "private", "first_name": "Fuzz"}
    yield {"id": -4_000_000_001, "type": "group", "title": "Sellers"}
    yield {"id": -1_001_234_567_890, "type": "supergroup", "title": "Shop team"}
    yield {"id": -1_009_876_543_210, "type": "channel", "title": "News"}
