"""Alembic migrations against the models, on SQLite and PostgreSQL.

The models are the truth the code runs on; the migrations are what a production database
goes through. These tests keep the two in step, and make sure a database holding sellers
survives every migration from the first revision on. Written against the revision list
(``ScriptDirectory.walk_revisions``), so they keep their meaning as revisions are added.
"""

from __future__ import annotations

import datetime as dt
import itertools
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import Script, ScriptDirectory
from sqlalchemy import JSON, Boolean, DateTime, Engine, bindparam, event, inspect, text
from sqlalchemy.types import TypeEngine
from sqlmodel import Session, SQLModel, col, select

import bot.db.models  # noqa: F401  (registers every table on the metadata)
from bot.db import revision, uploads
from bot.db.engine import make_engine
from bot.db.migrate import (
    alembic_config,
    current_revision,
    head_revision,
    is_current,
    migrating,
    upgrade,
)
from bot.db.models import Application, Document, Product, Seller, StepEvent
from bot.db.uploads import FILE_FIELDS
from tests.processes import empty_database

BACKENDS = ("sqlite", "postgres")
APP_TABLES = {table.name for table in SQLModel.metadata.sorted_tables}

UTC = dt.UTC
CREATED = dt.datetime(2026, 3, 2, 9, 30, 15, 123456, tzinfo=UTC)
LATER = dt.datetime(2026, 3, 2, 10, 5, 0, tzinfo=UTC)
EXPIRES = dt.datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC)
ANSWERS: dict[str, Any] = {
    "language": "zh_Hans",
    "market": "uk",
    "company_name": "深圳市星河贸易有限公司",
    "uscc": "91110000802100433B",
    "products": [
        {
            "title": "无线蓝牙耳机 — Wireless Earbuds", "price": "12.99", "currency": "GBP",
            "images": ["a", "b"], "package_cm": [10, 8, 4], "weight_kg": "0.25",
        },
        {
            "title": "Phone case", "price": "3.50", "currency": "GBP", "images": ["c"],
            "package_cm": None, "weight_kg": None,
        },
    ],
    "legal_rep_id": {
        "file_id": "AgACAgQAAxkBAAIB", "file_unique_id": "AQADxyz", "kind": "photo",
        "mime_type": "image/jpeg", "size": 183_204, "file_name": "",
    },
    "consent": True,
    "declined": False,
    "nothing": None,
    "count": 3,
    "note": "emoji 🛍️ and quotes \" ' survive",
}  # fmt: skip
PLAIN = {key: value for key, value in ANSWERS.items() if key not in ("products", "legal_rep_id")}
# Rows as the FIRST revision's schema has them, inserted with plain SQL (not the models,
# which follow the newest revision). Table order respects the foreign keys.
ROWS: dict[str, list[dict[str, Any]]] = {
    "provider": [{"id": 1, "name": "星河出海服务 Agency Ltd", "created_at": CREATED}],
    "cohort": [
        {
            "id": 1, "provider_id": 1, "market": "uk", "name": "英国第一批 UK cohort 1",
            "join_token": "uk-2026-a", "group_chat_id": -1001234567890,
            "rules": {"require_invite_code": False, "skip_steps": ["email"]},
            "product_rules": {"max_price": "100.00"}, "created_at": CREATED,
        },
    ],
    "invitecode": [
        {
            "id": 1, "code": "TTS-UK-2026", "market": "uk", "provider_id": 1, "cohort_id": 1,
            "max_uses": 5, "uses": 2, "expires_at": EXPIRES, "revoked": False,
            "created_at": CREATED,
        },
        {
            "id": 2, "code": "OLD-CODE", "market": "uk", "provider_id": None, "cohort_id": None,
            "max_uses": None, "uses": 0, "expires_at": None, "revoked": True,
            "created_at": CREATED,
        },
    ],
    "seller": [
        {
            "id": 1, "telegram_user_id": 7_000_000_001, "chat_id": 7_000_000_001,
            "locale": "zh_Hans", "market": "uk", "track": "uk_crossborder",
            "state": "business_licence", "answers": ANSWERS, "cohort_id": 1,
            "start_payload": "uk-2026-a", "version": 6,
            "blocked": False, "created_at": CREATED, "last_activity_at": LATER,
            "submitted_at": None,
        },
        {
            "id": 2, "telegram_user_id": 42, "chat_id": 42, "locale": "en", "market": None,
            "track": None, "state": "language", "answers": {}, "cohort_id": None,
            "start_payload": None, "version": 1, "blocked": True, "created_at": CREATED,
            "last_activity_at": CREATED, "submitted_at": LATER,
        },
    ],
    "stepevent": [
        {"id": n, "seller_id": 1, "from_state": a, "to_state": b, "actor": "seller",
         "created_at": CREATED + dt.timedelta(seconds=n)}
        for n, (a, b) in enumerate(
            [("language", "market"), ("market", "track"), ("track", "company_name"),
             ("company_name", "uscc"), ("uscc", "business_licence")],
            start=1,
        )
    ],
}  # fmt: skip
TYPES: dict[str, TypeEngine[Any]] = {
    "rules": JSON(),
    "product_rules": JSON(),
    "answers": JSON(),
    "revoked": Boolean(),
    "blocked": Boolean(),
    **{
        name: DateTime(timezone=True)
        for name in ("created_at", "expires_at", "last_activity_at", "submitted_at")
    },
}


def revisions() -> list[Script]:
    """Every revision, oldest first."""
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return list(reversed(list(script.walk_revisions("base", "heads"))))


def downgrade(engine: Engine, revision: str) -> None:
    """The counterpart of ``bot.db.migrate.upgrade`` (the bot itself never downgrades)."""
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with migrating(engine) as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def app_tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names()) & APP_TABLES


def insert_rows(engine: Engine) -> None:
    with engine.begin() as connection:
        for table, rows in ROWS.items():
            names = list(rows[0])
            statement = text(
                f"INSERT INTO {table} ({', '.join(names)}) "
                f"VALUES ({', '.join(':' + name for name in names)})"
            ).bindparams(*(bindparam(name, type_=TYPES[name]) for name in names if name in TYPES))
            connection.execute(statement, rows)


def read_rows(
    engine: Engine, tables: tuple[str, ...] | None = None
) -> dict[str, list[dict[str, Any]]]:
    """The columns ``ROWS`` filled, read back with plain SQL and made comparable."""
    found: dict[str, list[dict[str, Any]]] = {}
    with engine.connect() as connection:
        for table, rows in ROWS.items():
            if tables is not None and table not in tables:
                continue
            names = list(rows[0])
            statement = text(f"SELECT {', '.join(names)} FROM {table} ORDER BY id").columns(
                **{name: TYPES[name] for name in names if name in TYPES}
            )
            found[table] = [
                {name: _aware(value) for name, value in row._mapping.items()}
                for row in connection.execute(statement)
            ]
    return found


def _aware(value: Any) -> Any:
    """SQLite hands timezone-aware columns back naive; they were stored as UTC."""
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def test_the_revisions_form_one_line_from_a_single_first_revision() -> None:
    found = revisions()
    assert found, "no migrations at all"
    assert found[0].down_revision is None
    assert found[-1].revision == head_revision()
    for older, newer in itertools.pairwise(found):
        assert newer.down_revision == older.revision


def test_a_freshly_migrated_database_matches_the_models_exactly(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == [], (
        "the models and the migrations disagree; autogenerate a revision:\n"
        + "\n".join(map(repr, differences))
    )


def test_an_empty_database_is_not_current_and_a_migrated_one_is(empty_engine: Engine) -> None:
    assert current_revision(empty_engine) is None
    assert is_current(empty_engine) is False
    upgrade(empty_engine)
    assert current_revision(empty_engine) == head_revision()
    assert is_current(empty_engine) is True
    assert app_tables(empty_engine) == APP_TABLES


def test_the_start_up_check_agrees_with_alembic_without_importing_it(
    empty_engine: Engine,
) -> None:
    """``bot.db.revision.HEAD`` must move with every new migration (bump it with yours)."""
    assert head_revision() == revision.HEAD
    assert revision.stored_revision(empty_engine) is None
    first = revisions()[0].revision
    upgrade(empty_engine, first)
    assert revision.stored_revision(empty_engine) == current_revision(empty_engine) == first
    assert revision.is_current(empty_engine) is False
    upgrade(empty_engine)
    assert revision.stored_revision(empty_engine) == current_revision(empty_engine)
    assert revision.is_current(empty_engine) is True


def test_a_database_behind_the_newest_revision_is_not_current(empty_engine: Engine) -> None:
    first = revisions()[0].revision
    upgrade(empty_engine, first)
    assert current_revision(empty_engine) == first
    assert is_current(empty_engine) is (first == head_revision())


def test_data_written_at_the_first_revision_survives_upgrading_to_the_newest(
    empty_engine: Engine,
) -> None:
    upgrade(empty_engine, revisions()[0].revision)
    insert_rows(empty_engine)
    assert read_rows(empty_engine) == ROWS  # the reading itself is faithful

    upgrade(empty_engine, "head")

    assert is_current(empty_engine)
    unchanged = ("provider", "cohort", "invitecode")
    assert {table: rows for table, rows in read_rows(empty_engine, unchanged).items()} == {
        table: ROWS[table] for table in unchanged
    }
    with Session(empty_engine) as session:  # today's models read the moved rows
        for old in ROWS["seller"]:
            seller = session.get(Seller, old["id"])
            assert seller is not None
            assert (seller.telegram_user_id, seller.chat_id, seller.locale) == (
                old["telegram_user_id"], old["chat_id"], old["locale"],
            )  # fmt: skip
            assert (seller.blocked, seller.start_payload) == (old["blocked"], old["start_payload"])
            assert _aware(seller.created_at) == old["created_at"]
            assert seller.current_application_id == old["id"]
            application = session.get(Application, old["id"])
            assert application is not None and application.seller_id == seller.id
            assert (application.market, application.track, application.state) == (
                old["market"], old["track"], old["state"],
            )  # fmt: skip
            assert (application.cohort_id, application.version) == (
                old["cohort_id"], old["version"],
            )  # fmt: skip
            assert _aware(application.submitted_at) == old["submitted_at"]
        first = session.get(Application, 1)
        assert first is not None and first.answers == PLAIN  # uploads left the JSON
        document = session.exec(select(Document)).one()
        assert (document.application_id, document.step) == (1, "legal_rep_id")
        assert {name: getattr(document, name) for name in FILE_FIELDS} == ANSWERS["legal_rep_id"]
        products = session.exec(select(Product).order_by(col(Product.position))).all()
        assert [(p.application_id, p.position, p.title) for p in products] == [
            (1, 0, "无线蓝牙耳机 — Wireless Earbuds"), (1, 1, "Phone case"),
        ]  # fmt: skip
        assert (products[0].images, products[0].package_cm, products[0].weight_kg) == (
            ["a", "b"], [10, 8, 4], "0.25",
        )  # fmt: skip
        assert products[1].package_cm is None and products[1].weight_kg is None
        events = session.exec(select(StepEvent).order_by(col(StepEvent.id))).all()
        assert [(e.application_id, e.from_state, e.to_state) for e in events] == [
            (1, row["from_state"], row["to_state"]) for row in ROWS["stepevent"]
        ]
        assert uploads.join(session, 1, first.answers) == ANSWERS  # the flow sees it all
        assert session.get(Application, 2) is not None
        added = Application(seller_id=2)  # new ids follow the moved ones (PostgreSQL sequence)
        session.add(added)
        session.flush()
        assert added.id == 3


def test_downgrading_to_base_removes_everything_and_upgrading_again_restores_it(
    empty_engine: Engine,
) -> None:
    upgrade(empty_engine)
    downgrade(empty_engine, "base")
    assert current_revision(empty_engine) is None
    assert app_tables(empty_engine) == set()
    upgrade(empty_engine)
    assert is_current(empty_engine)
    assert app_tables(empty_engine) == APP_TABLES


def test_every_revision_upgrades_and_downgrades_one_step_at_a_time(empty_engine: Engine) -> None:
    steps = revisions()
    for script in steps:
        upgrade(empty_engine, script.revision)
        assert current_revision(empty_engine) == script.revision
    for script in reversed(steps):
        assert current_revision(empty_engine) == script.revision
        downgrade(empty_engine, "-1")
    assert current_revision(empty_engine) is None
    assert app_tables(empty_engine) == set()


def test_two_workers_migrating_an_empty_postgresql_database_at_once_both_succeed(
    tmp_path: Path,
) -> None:
    with empty_database("postgres", tmp_path) as url:
        first, second = make_engine(url), make_engine(url)
        migrated, release = threading.Event(), threading.Event()

        def hold_before_commit(_connection: Any) -> None:
            migrated.set()  # the first worker has run every migration, not yet committed
            release.wait(10)

        event.listen(first, "commit", hold_before_commit)
        try:
            with ThreadPoolExecutor(2) as pool:
                one = pool.submit(upgrade, first)
                assert migrated.wait(10), "the first upgrade never reached its commit"
                other = pool.submit(upgrade, second)
                _wait_until_blocked(second, other.done)
                release.set()
                one.result(timeout=10)
                other.result(timeout=10)
            assert is_current(second)
            assert app_tables(second) == APP_TABLES
        finally:
            release.set()
            first.dispose()
            second.dispose()


def _wait_until_blocked(engine: Engine, done: Any, *, timeout: float = 5.0) -> None:
    """Until another session of the database waits on a lock (or ``done()`` says it ended)."""
    deadline = time.monotonic() + timeout
    query = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        while time.monotonic() < deadline and not done():
            if connection.execute(query).scalar_one():
                return
            time.sleep(0.02)
