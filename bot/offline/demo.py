"""An offline terminal demo: walk the seller flows with no token and no network.

The real ``Application`` and handlers run against ``LocalBotAPI`` (an in-process Bot
API) and a database of your choice (a SQLite file by default, kept between runs: the
next demo resumes where the last one stopped, in the language ``--language`` names, else
the one chosen last). Type an answer, a number to press a button of the last message,
``photo`` to send a photo, ``file PATH`` to send a document, ``/back``, ``/status``… and
``quit`` to leave.

Update ids are new on every run (after the highest the database has recorded, and never
below the clock's seconds), because the bot ignores an update it has already seen. The
cross-border track needs an invite code: one is seeded (``DEMO_INVITE_CODE``) and the
banner names it. Files the bot sends (the product templates) are saved to a folder that
is printed, so they can be opened, filled in and sent back with ``file PATH``.
"""

from __future__ import annotations

import asyncio
import itertools
import mimetypes
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, TextIO

from sqlalchemy import Engine, func, inspect, select, table
from sqlalchemy import column as sql_column
from sqlmodel import Session
from telegram import Update
from telegram.ext import Application

from bot.db import repo
from bot.db.engine import make_engine
from bot.db.migrate import upgrade
from bot.db.models import Application as ApplicationRow
from bot.offline.demo_provider import (
    DEMO_COHORT,
    DEMO_PROVIDER,
    ProviderDemo,
    owner_locale,
    seed_provider,
)
from bot.offline.demo_user import TELEGRAM_CODES, DemoUser
from bot.offline.local_api import LINK, LocalBotAPI, SentMessage, live_buttons, replying_to
from bot.platform.settings import Settings, load_settings
from bot.providers.codes import store as codes
from bot.transport.context import translator


class Build(Protocol):
    """Builds the real ``Application`` (``bot.app.build_application``)."""

    def __call__(self, settings: Settings, *, engine: Engine, request: LocalBotAPI) -> Application:  # type: ignore[type-arg]
        ...


__all__ = [
    "DEMO_INVITE_CODE",
    "DEMO_TOKEN",
    "PROVIDER",
    "ROLES",
    "SELLER",
    "TELEGRAM_CODES",
    "DemoUser",
    "run_demo",
]

DEMO_TOKEN = "123456:DEMO-demo-demo-demo-demo-demo-demo-demo"
DEMO_INVITE_CODE = "DEMO-UK-2026"
DEMO_USER_ID = 424242
SELLER, PROVIDER = "seller", "provider"
ROLES = (SELLER, PROVIDER)
"""Who the person at the terminal plays (``--as``)."""


def first_update_id(engine: Engine) -> int:
    """An update id no earlier run used: above every ``*update_id`` column's maximum in the
    database (whatever table records them), and never below the clock's seconds."""
    seen = 0
    inspector = inspect(engine)
    with engine.connect() as connection:
        for name in inspector.get_table_names():
            for info in inspector.get_columns(name):
                if not str(info["name"]).endswith("update_id"):
                    continue
                highest: Any = connection.execute(
                    select(func.max(sql_column(str(info["name"])))).select_from(table(name))
                ).scalar()
                seen = max(seen, int(highest or 0))
    return max(seen + 1, int(time.time()))


def seed_invite_code(engine: Engine) -> None:
    """The demo's cross-border invite code (unlimited uses), added once per database."""
    with Session(engine) as session:
        if not codes.invite_code_exists(session, code=DEMO_INVITE_CODE):
            codes.add_invite_code(session, code=DEMO_INVITE_CODE, market="uk", max_uses=None)
            session.commit()


def use_language(engine: Engine, *, user_id: int, language: str | None) -> str:
    """The language of this run: ``language`` when given (``--language``), which a seller an
    earlier run created in another one is switched to as ``/language`` would; else the
    seller's stored one (English for a new seller)."""
    with Session(engine) as session:
        seller = repo.get_seller(session, telegram_user_id=user_id)
        if seller is None or language is None or seller.locale == language:
            return language or (seller.locale if seller is not None else "en")
        seller.locale = language
        current = (
            session.get(ApplicationRow, seller.current_application_id)
            if seller.current_application_id is not None
            else None
        )
        if current is not None and "language" in current.answers:
            current.answers = {**current.answers, "language": language}
            current.version += 1
        session.commit()
    return language


def default_files_dir(database_url: str) -> Path:
    """Beside the demo's SQLite file (``data/demo-files``), else ``./data/demo-files``."""
    prefix = "sqlite:///"
    if database_url.startswith(prefix) and ":memory:" not in database_url:
        return Path(database_url.removeprefix(prefix)).parent / "demo-files"
    return Path("data") / "demo-files"


class Screen:
    """Prints what the bot sends; files are saved to ``files_dir`` and their path shown."""

    def __init__(self, out: TextIO, files_dir: Path, language: str) -> None:
        self.out, self.files_dir, self.t = out, files_dir, translator(language)

    def __call__(self, message: SentMessage) -> None:
        out = self.out
        if message.method == "answerCallbackQuery":
            print(f"  (notice) {message.text}", file=out)
            return
        if message.method == "editMessageReplyMarkup" and not message.buttons:
            return  # an answered question's buttons removed: nothing new to read
        if message.method == "editMessageReplyMarkup":  # new buttons under the same text
            print("", file=out)
            self._buttons(message)
            return
        if message.file_name:
            path = self._save(message.file_name, message.file_bytes)
            saved = self.t("demo_file_saved", {"path": str(path)})
            print(f"\n📎 {message.file_name} ({len(message.file_bytes)} bytes) {saved}", file=out)
            if message.text:
                print(message.text, file=out)
            return
        print("\n" + message.text, file=out)
        self._buttons(message)

    def _buttons(self, message: SentMessage) -> None:
        for number, (label, _data) in enumerate(message.buttons, start=1):
            print(f"  [{number}] {label}", file=self.out)

    def _save(self, name: str, data: bytes) -> Path:
        self.files_dir.mkdir(parents=True, exist_ok=True)
        path = (self.files_dir / Path(name).name).resolve()
        path.write_bytes(data)
        return path


async def run_demo(
    *,
    build: Build,
    language: str | None = None,
    database_url: str = "sqlite:///./data/demo.sqlite3",
    read_line: Callable[[], str] = input,
    out: TextIO = sys.stdout,
    api: LocalBotAPI | None = None,
    user_id: int = DEMO_USER_ID,
    files_dir: Path | None = None,
    role: str = SELLER,
) -> None:
    """Run the demo until ``quit`` or end of input (``api`` lets a test watch Telegram).

    ``role`` is ``seller`` (the demo user answers the onboarding questions) or ``provider``
    (the demo user owns a seeded provider: ``bot.offline.demo_provider``).
    ``build`` is ``bot.app.build_application``, handed in by the caller so this room does
    not import the entry points that import it.
    """
    settings = load_settings(bot_token=DEMO_TOKEN, database_url=database_url)
    engine = make_engine(database_url)
    upgrade(engine)
    seed_invite_code(engine)
    if role == PROVIDER and language is None:
        language = owner_locale(engine, owner_id=user_id)
    language = use_language(engine, user_id=user_id, language=language)
    first_id = first_update_id(engine)
    screen = Screen(out, files_dir or default_files_dir(database_url), language)
    api = api or LocalBotAPI()
    app = build(settings, engine=engine, request=api)
    update_ids = itertools.count(first_id)
    user = DemoUser(user_id=user_id, language=language, update_ids=update_ids)
    uploads = itertools.count(first_id)
    t = translator(language)
    folder = str(screen.files_dir.resolve())
    try:
        async with app:
            if role == PROVIDER:
                seeded = await seed_provider(
                    app,
                    api,
                    engine,
                    owner_id=user_id,
                    invite_code=DEMO_INVITE_CODE,
                    update_ids=update_ids,
                )
                print(t("demo_provider_banner", _banner_params(seeded, folder)), file=out)
                first = "/queue"
            else:
                print(t("demo_banner", {"code": DEMO_INVITE_CODE, "folder": folder}), file=out)
                first = "/start"
            api.on_send = screen  # after the seeding, whose messages nobody reads
            await _process(app, user.text(first))
            while True:
                try:
                    line = (await asyncio.to_thread(read_line)).strip()
                except EOFError:
                    break
                if line in ("quit", "exit"):
                    break
                update = _update_for(line, user, api, uploads, out, t)
                if update is not None:
                    unserved = len(api.unserved)
                    await _process(app, update)
                    for method in api.unserved[unserved:]:  # a gap in LocalBotAPI: say so
                        print("  " + t("demo_unserved_method", {"method": method}), file=out)
    finally:
        engine.dispose()


def _banner_params(seeded: ProviderDemo, folder: str) -> dict[str, Any]:
    return {
        "provider": DEMO_PROVIDER,
        "cohort": DEMO_COHORT,
        "cohort_id": seeded.cohort_id,
        "application": seeded.submitted_id or "—",
        "folder": folder,
    }


def _update_for(
    line: str,
    user: DemoUser,
    api: LocalBotAPI,
    uploads: itertools.count[int],
    out: TextIO,
    t: Any,
) -> dict[str, Any] | None:
    live = live_buttons(api, chat_id=user.chat_id)
    if line.isdecimal() and live is not None and 1 <= int(line) <= len(live[1]):
        message_id, buttons = live
        data = buttons[int(line) - 1][1]
        if data.startswith(LINK):  # a page (the review desk, a t.me link): Telegram opens it
            print("  " + t("demo_link_button", {"url": data.removeprefix(LINK)}), file=out)
            return None
        return user.press(data, message_id=message_id)
    if line == "photo":
        return user.photo(f"demo-photo-{next(uploads)}")
    if line.startswith("file "):
        path = Path(line.removeprefix("file ").strip()).expanduser()
        if not path.is_file():
            print("  " + t("demo_no_such_file", {"path": str(path)}), file=out)
            return None
        file_id = f"demo-file-{next(uploads)}"
        api.add_file(file_id, path.read_bytes())
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return user.document(file_id, path.name, mime, path.stat().st_size)
    update = user.text(line)
    replied = replying_to(api, chat_id=user.chat_id)  # a prompt asked for a reply: as a client
    if replied is not None and not line.startswith("/"):
        update["message"]["reply_to_message"] = replied
    return update


async def _process(app: Any, data: dict[str, Any]) -> None:
    await app.process_update(Update.de_json(data, app.bot))
