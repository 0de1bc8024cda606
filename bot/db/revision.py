"""Which schema revision the database is at, without importing Alembic.

Every start and every readiness probe asks whether the database is current. Alembic
answers through its migration environment (about 0.1 s of imports, then its script
directory); a database at the newest revision, the usual case, needs only
``SELECT version_num FROM alembic_version``. ``HEAD`` names that revision: a test
(``tests/bot/db/test_migrations.py``) fails when a new migration does not move it.
"""

from __future__ import annotations

from sqlalchemy import Engine, inspect, text

HEAD = "0017"
"""The newest migration's revision id (checked against Alembic's script directory)."""


def stored_revision(engine: Engine) -> str | None:
    """The revision recorded in the database (None for an empty database)."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def is_current(engine: Engine) -> bool:
    """Whether the database is migrated to ``HEAD``."""
    return stored_revision(engine) == HEAD
