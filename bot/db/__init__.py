"""Storage: SQLModel tables, the engine, keyword-only queries, Alembic migrations."""
