"""Apply and check Alembic migrations from code (start-up, CLI, tests).

The configuration is built here rather than read from ``alembic.ini`` so the installed
package migrates a database wherever it runs; ``alembic.ini`` at the top is for
developers running ``alembic`` by hand.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

from bot.db.engine import make_sqlite_folder

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
MIGRATION_LOCK = 0x5E11E7  # advisory lock key: one migrating process at a time per database


def alembic_config(url: str) -> Config:
    """An Alembic configuration pointing at this package's migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database to ``revision`` (creating the SQLite folder if needed)."""
    make_sqlite_folder(engine)
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with migrating(engine) as connection:
        if connection.dialect.name == "postgresql":
            # workers starting together take turns; the lock ends with the transaction
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


@contextlib.contextmanager
def migrating(engine: Engine) -> Iterator[Connection]:
    """A connection in one transaction for migrations, committed at the end.

    SQLite changes a table by copying it (Alembic's batch mode), which drops the old
    table; with foreign keys enforced, dropping a table others point at fails. As
    SQLite's documentation prescribes, enforcement is off during the migration (it can
    only be switched outside a transaction) and ``foreign_key_check`` must find nothing
    before the commit.
    """
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            with connection.begin():
                yield connection
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"migration broke foreign keys: {broken[:5]}")
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None for an empty database)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    """The newest revision the code knows."""
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def is_current(engine: Engine) -> bool:
    """Whether the database is migrated to the newest revision."""
    return current_revision(engine) == head_revision()
