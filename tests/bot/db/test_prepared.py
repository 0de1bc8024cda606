"""Prepared statements (``bot.db.prepared``) mean exactly what SQLAlchemy's execution means:
the same rows, types and errors, on both databases, compiled once per shape."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import Engine, bindparam, event, insert, update
from sqlalchemy import select as core_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from bot.db import prepared, repo
from bot.db.models import Application, ProcessedUpdate
from bot.db.prepared import Prepared

MOMENT = dt.datetime(2026, 12, 7, 14, 30, 5, 123456, tzinfo=dt.UTC)
_INSERT = Prepared(insert(ProcessedUpdate))
_READ = Prepared(
    core_select(col(ProcessedUpdate.digest), col(ProcessedUpdate.created_at)).where(
        col(ProcessedUpdate.update_id) == bindparam("id")
    )
)
_SAVE = Prepared(
    update(Application).where(
        col(Application.id) == bindparam("w_id"), col(Application.version) == bindparam("w_v")
    )
)


def _seller_application(engine: Engine) -> int:
    with Session(engine) as session:
        seller = repo.create_seller(
            session.connection(),
            telegram_user_id=42,
            chat_id=42,
            locale="zh_Hans",
            start_payload=None,
        )
        session.commit()
        return seller.current_application_id or 0


def test_a_prepared_write_and_read_give_what_sqlalchemy_gives(engine: Engine) -> None:
    with engine.begin() as connection:
        _INSERT.rowcount(connection, {"update_id": 7, "digest": "d7", "created_at": MOMENT})
        rows = _READ.rows(connection, {"id": 7})
    assert rows == [("d7", MOMENT)]  # an aware UTC moment on both databases (UtcDateTime)
    with Session(engine) as session:
        stored = session.get(ProcessedUpdate, (7, "d7"))
        assert stored is not None and stored.created_at == MOMENT


def test_json_answers_go_in_and_come_out_as_sqlalchemy_stores_them(engine: Engine) -> None:
    application_id = _seller_application(engine)
    answers = {"company_name": "深圳市星河贸易有限公司", "phone": "+44 7400 123456", "n": [1, 2]}
    with engine.begin() as connection:
        changed = _SAVE.rowcount(
            connection, {"w_id": application_id, "w_v": 1, "answers": answers, "version": 2}
        )
    assert changed == 1
    with Session(engine) as session:
        stored = session.get(Application, application_id)
        assert stored is not None and stored.answers == answers and stored.version == 2


def test_a_version_that_moved_changes_no_row(engine: Engine) -> None:
    application_id = _seller_application(engine)
    with engine.begin() as connection:
        assert _SAVE.rowcount(connection, {"w_id": application_id, "w_v": 9, "version": 10}) == 0


def test_a_driver_error_is_raised_as_sqlalchemy_raises_it(engine: Engine) -> None:
    row = {"update_id": 8, "digest": "d8", "created_at": MOMENT}
    with engine.connect() as connection:
        _INSERT.rowcount(connection, row)
        with pytest.raises(IntegrityError) as duplicate:
            _INSERT.rowcount(connection, row)
        assert not duplicate.value.connection_invalidated


def test_each_statement_is_compiled_once_per_database_and_parameter_names(
    engine: Engine,
) -> None:
    statement = Prepared(
        core_select(col(ProcessedUpdate.digest)).where(
            col(ProcessedUpdate.update_id) == bindparam("id")
        )
    )
    before = next(prepared.COMPILED)
    with engine.connect() as connection:
        for update_id in range(50):
            assert statement.rows(connection, {"id": update_id}) == []
    assert next(prepared.COMPILED) == before + 2  # one compilation (the counter moved by one)


def test_rows_of_one_shape_are_written_in_one_call(engine: Engine) -> None:
    rows = [{"update_id": n, "digest": f"d{n}", "created_at": MOMENT} for n in range(20, 25)]
    with engine.begin() as connection:
        _INSERT.many(connection, rows)
        assert [r[0] for r in _READ.rows(connection, {"id": 24})] == ["d24"]


def test_statement_listeners_see_prepared_statements_as_sqlalchemy_runs_them(
    engine: Engine,
) -> None:
    seen: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def count(_c: Any, _cur: Any, statement: str, _p: Any, _x: Any, _many: bool) -> None:
        seen.append(statement)

    with engine.connect() as connection:
        _READ.rows(connection, {"id": 1})
    assert len(seen) == 1 and seen[0].startswith("SELECT processedupdate.digest")
