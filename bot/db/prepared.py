"""The seller hot path's statements, compiled once by SQLAlchemy and run on the driver.

SQLAlchemy stays the only description of the statements: each is a Core construct over
the models' tables, compiled by the engine's own dialect, and its parameters and results
go through the column types' own bind and result processors (JSON, ``UtcDateTime``,
PostgreSQL's bind casts). What is left out is the execution machinery around each call:
profiled, SQLAlchemy's ``Connection.execute`` cost 20–30 µs per statement (execution
context, cache key, parameter and result objects), against 1–3 µs for ``sqlite3``
running the same SQL — most of a seller transaction. Here a statement is compiled once
per dialect and parameter shape (``COMPILED`` counts it, so a test can prove the cache
holds), and each call is one DBAPI ``execute`` with the parameters in driver form.

SQLAlchemy's ``before_cursor_execute`` listeners see each statement as they would see it
run by SQLAlchemy (``bench.bench_updates`` counts and replays statements that way). A
driver error is raised as SQLAlchemy would raise it (``DBAPIError.instance``: an
``IntegrityError`` is still an ``IntegrityError``), and a lost connection invalidates the
SQLAlchemy connection it came from, so the seller store's re-run on
``connection_invalidated`` works unchanged. Only the few statements an ordinary answer runs
come through here; everything else (first contact, moving applications, admin work) uses
SQLAlchemy as usual, in the same transaction.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import BindParameter

Processor = Callable[[Any], Any] | None
COMPILED = itertools.count()
"""Every compilation takes the next number (``next(COMPILED)``: how many so far, plus one)."""


@dataclass(frozen=True, slots=True)
class _Compiled:
    """One statement in one dialect, for one set of parameter names."""

    sql: str
    positional: tuple[str, ...] | None
    """Parameter names in placeholder order (SQLite's ``?``); None for named (psycopg)."""
    binds: tuple[tuple[str, Processor], ...]
    defaults: Mapping[str, Any]
    """Values the statement carries itself (a literal in a WHERE clause)."""
    results: tuple[Processor, ...] | None
    """Per column; None for a textual statement, whose rows come as the driver gives them."""

    def parameters(self, given: Mapping[str, Any]) -> Any:
        values = {**self.defaults, **given}
        for name, process in self.binds:
            if process is not None and name in values:
                values[name] = process(values[name])
        if self.positional is None:
            return values
        return tuple(values[name] for name in self.positional)

    def row(self, raw: Sequence[Any]) -> tuple[Any, ...]:
        if self.results is None:
            return tuple(raw)
        return tuple(
            value if process is None or value is None else process(value)
            for process, value in zip(self.results, raw, strict=True)
        )


class Prepared:
    """A Core statement the hot path runs on the DBAPI connection (built at import)."""

    def __init__(self, statement: ClauseElement) -> None:
        self._statement = statement
        self._compiled: dict[tuple[str, tuple[str, ...]], _Compiled] = {}

    def _for(self, dialect: Dialect, names: tuple[str, ...]) -> _Compiled:
        key = (dialect.name, names)
        found = self._compiled.get(key)
        if found is None:
            found = self._compiled[key] = _compile(self._statement, dialect, names)
        return found

    def rows(self, connection: Connection, parameters: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Run a statement that returns rows; every row, through the result processors."""
        compiled = self._for(connection.dialect, tuple(sorted(parameters)))
        cursor = _execute(connection, compiled, compiled.parameters(parameters))
        return [compiled.row(raw) for raw in cursor.fetchall()]

    def rowcount(self, connection: Connection, parameters: Mapping[str, Any]) -> int:
        """Run a statement that writes; how many rows it changed."""
        compiled = self._for(connection.dialect, tuple(sorted(parameters)))
        return int(_execute(connection, compiled, compiled.parameters(parameters)).rowcount)

    def many(self, connection: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        """Run a write once per row (rows of one shape: an INSERT's VALUES)."""
        compiled = self._for(connection.dialect, tuple(sorted(rows[0])))
        _execute(connection, compiled, [compiled.parameters(row) for row in rows], many=True)


def _compile(statement: ClauseElement, dialect: Dialect, names: tuple[str, ...]) -> _Compiled:
    next(COMPILED)
    compiled = statement.compile(dialect=dialect, column_keys=list(names))
    assert isinstance(compiled, SQLCompiler)
    binds: dict[str, Processor] = {}
    defaults: dict[str, Any] = {}
    for name, bind in compiled.binds.items():
        assert isinstance(bind, BindParameter)
        binds[name] = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if not bind.required:
            defaults[name] = bind.effective_value
    columns = getattr(statement, "exported_columns", None)  # a SELECT's, or RETURNING's
    results = None
    if columns is not None:
        results = tuple(
            column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns
        )
    positional = tuple(compiled.positiontup or ()) if compiled.positional else None
    return _Compiled(compiled.string, positional, tuple(binds.items()), defaults, results)


def _cursor(connection: Connection, dbapi_connection: Any) -> Any:
    """The driver connection's one cursor for these statements, made on first use: each
    call reads all it needs before the next (every row, or the row count), and making a
    cursor per statement was 2 % of a PostgreSQL seller update (psycopg's, profiled)."""
    info = connection.connection.info
    kept = info.get(_CURSOR)
    if kept is None or kept[0] is not dbapi_connection:  # a new driver connection: new cursor
        kept = info[_CURSOR] = (dbapi_connection, dbapi_connection.cursor())
    return kept[1]


_CURSOR = "bot.db.prepared.cursor"


def _execute(
    connection: Connection, compiled: _Compiled, parameters: Any, *, many: bool = False
) -> Any:
    """One DBAPI call; a driver error comes out as SQLAlchemy's, a lost connection invalidated."""
    dbapi_connection = connection.connection.driver_connection
    assert dbapi_connection is not None
    cursor = _cursor(connection, dbapi_connection)
    sql = compiled.sql
    if connection._has_events or connection.engine._has_events:  # e.g. a statement counter
        for listener in connection.dispatch.before_cursor_execute:
            sql, parameters = listener(connection, cursor, sql, parameters, None, many)
    try:
        if many:
            cursor.executemany(sql, parameters)
        else:
            cursor.execute(sql, parameters)
    except Exception as error:
        dialect = connection.dialect
        dbapi = dialect.loaded_dbapi
        if not isinstance(error, dbapi.Error):
            raise
        lost = dialect.is_disconnect(error, dbapi_connection, cursor)
        if lost:
            connection.invalidate(error)
        raise DBAPIError.instance(
            compiled.sql,
            parameters,
            error,
            dbapi.Error,
            connection_invalidated=lost,
            dialect=dialect,
        ) from error
    return cursor
