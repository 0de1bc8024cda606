"""Runs one seller update as one short transaction in a worker thread.

Read the seller (creating them on first contact), let the flow decide, write the new
progress with a version check, commit. A concurrent writer (another process, or a
second tap racing through another worker) makes the version check fail; the whole
unit is then re-run on fresh data. Nothing here awaits Telegram: the transaction is
closed before any reply is sent.

A Companies House look-up is network I/O, so it never runs inside the transaction:
the flow asks for it (``NeedsCompanyLookup``), the transaction is rolled back, the
look-up runs on the event loop, and the unit re-runs with the answer in hand.

Every transaction starts by locking the seller in the database (``repo.lock_seller``), so
one seller's updates are applied one at a time even across worker processes, and an
update that wrote is recorded by identity in the same transaction: a copy of it, on any
worker, finds the record and is skipped.

An answer that submits the application queues its reviewers' notice in the same
transaction (``bot.providers.review.notices``): the outbox sends what was committed.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, null
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlmodel import Session
from telegram.ext import CallbackContext

from bot.db import repo, seller_read, uploads
from bot.db.models import Seller, utcnow
from bot.db.pinned import CHECKPOINT_EVERY, PinnedConnections, Transaction
from bot.db.seller_read import ApplicationRow, SellerSnapshot
from bot.providers.review.notices import ReviewNotices
from bot.providers.review.snapshot import submission_values
from bot.sellers import applications
from bot.sellers.applications import Limits, Summary
from bot.sellers.lookups import Lookups
from bot.sellers.unit import (
    CompanyLookup,
    ConcurrentUpdate,
    DuplicateUpdate,
    NeedsCompanyLookup,
    Result,
    SellerView,
    Unit,
    Write,
)
from bot.transport.redelivery import PRUNE_EVERY_SECONDS, RETENTION
from flows.errors import ValidationError
from flows.progress import CompanyCheck, FlowEnv, Progress
from flows.reach import further
from flows.tracks import MARKET_OF_TRACK, SUBMITTED

SELLERS = "sellers"
"""The key of the seller store in ``bot_data``."""

T = TypeVar("T")
MAX_ATTEMPTS = 5
log = logging.getLogger(__name__)


class SellerStore:
    """The seller side of the database, as units of work run off the event loop."""

    def __init__(
        self,
        engine: Engine,
        *,
        company_lookup: CompanyLookup | None = None,
        today: Callable[[], dt.date] = dt.date.today,
        limits: Limits | None = None,
        notices: ReviewNotices | None = None,
    ) -> None:
        self._engine = engine
        self.limits = limits or Limits()
        self._notices = notices
        self._company_lookup = company_lookup
        self._today = today
        self._next_prune = time.monotonic() + PRUNE_EVERY_SECONDS
        self._connections = PinnedConnections(engine, checkpoint_every=CHECKPOINT_EVERY)

    async def run(
        self,
        *,
        telegram_user_id: int,
        chat_id: int,
        locale: str,
        unit: Unit[T],
        start_payload: str | None = None,
        update_id: int | None = None,
        update_digest: str = "",
    ) -> Result[T]:
        """Run ``unit`` for the seller in one transaction (re-run on a concurrent write).

        With ``update_id``, a write also records the update (its id and content digest),
        and an update already recorded raises ``DuplicateUpdate``: a redelivered update (a
        worker that died before Telegram saw its answer, a copy sent to another worker, a
        restart before polling confirmed an offset) is never applied twice. A unit that
        writes nothing (a refused answer, ``/status``) records the update as well, so two
        workers given the same refused answer reply once (issue 18).
        """
        arrival = _Arrival(telegram_user_id, chat_id, locale, start_payload)
        companies: dict[str, CompanyCheck] = {}
        while True:
            try:
                return await self._connections.run(
                    self._run_sync, arrival, unit, dict(companies), update_id, update_digest
                )
            except NeedsCompanyLookup as needed:
                assert self._company_lookup is not None
                companies[needed.number] = await self._company_lookup(needed.number)

    def _run_sync(
        self,
        arrival: _Arrival,
        unit: Unit[T],
        companies: Mapping[str, CompanyCheck],
        update_id: int | None,
        update_digest: str,
    ) -> Result[T]:
        try:
            return self._attempts(arrival, unit, companies, update_id, update_digest)
        finally:
            self._maybe_prune()

    def _attempts(
        self,
        arrival: _Arrival,
        unit: Unit[T],
        companies: Mapping[str, CompanyCheck],
        update_id: int | None,
        update_digest: str,
    ) -> Result[T]:
        for _attempt in range(MAX_ATTEMPTS):
            try:
                result = self._attempt(arrival, unit, companies, update_id, update_digest)
            except DBAPIError as error:
                if not error.connection_invalidated:
                    raise
                log.info("a database connection was lost; running the update again")
                continue  # the pool reconnects; a commit that did land is found as a redelivery
            if result is not None:
                return result
        raise ConcurrentUpdate(f"seller {arrival.telegram_user_id} changed {MAX_ATTEMPTS} times")

    def _attempt(
        self,
        arrival: _Arrival,
        unit: Unit[T],
        companies: Mapping[str, CompanyCheck],
        update_id: int | None,
        update_digest: str,
    ) -> Result[T] | None:
        """One transaction of ``_attempts``; None when it must run again (a conflict).

        Left without ``commit`` (a conflict, an exception), the transaction rolls back.
        """
        with self._connections.transaction() as tx:
            repo.lock_seller(tx.connection, telegram_user_id=arrival.telegram_user_id)
            try:
                found, is_new = self._load(tx, arrival, update_id, update_digest)
            except IntegrityError:  # two first messages raced to create the seller
                return None
            view = _view(found, is_new=is_new)
            env = self._env(tx, companies, view)
            write, value = unit(view, env)
            if write is None:
                if update_id is not None:  # a refusal delivered twice is answered once too
                    repo.record_update(tx.connection, update_id=update_id, digest=update_digest)
                tx.commit()
                return Result(view, value)
            processed = None if update_id is None else repo.Processed(update_id, update_digest)
            if not _write(tx.connection, found.current, view, write, processed):
                return None
            if self._notices is not None and _submits(view, write):  # told with it, or not at all
                self._notices.enqueue(tx.session, view.application_id)
            after = _after(view, write)
            if write.moves:
                after = self._move(tx, view, write)  # refused (e.g. past the limit): rolled back
                if write.then is not None:
                    value = write.then(after, self._env(tx, companies, after))
            tx.commit()
            return Result(after, value)

    def _env(
        self, tx: Transaction, companies: Mapping[str, CompanyCheck], view: SellerView
    ) -> FlowEnv:
        checking = self._company_lookup is not None
        lookups = Lookups(
            tx.connection, companies, checking=checking, view=view, limits=self.limits
        )
        return FlowEnv(
            lookups=lookups, today=self._today(), rules=view.rules, product_rules=view.product_rules
        )

    def _move(self, tx: Transaction, view: SellerView, write: Write) -> SellerView:
        """Open or switch to another application; the seller as they are afterwards."""
        session = tx.session
        seller = session.get(Seller, view.id)
        assert seller is not None
        if write.new_application is not None:
            new = write.new_application
            applications.start_new(
                session, seller, limits=self.limits, answers=new.answers, state=new.state,
                cohort_id=new.cohort_id,
            )  # fmt: skip
        elif write.switch_to is not None:
            applications.switch(session, seller, write.switch_to)
        tx.flush()
        return _view(_reread(tx, view.telegram_user_id), is_new=view.is_new)

    def _join_cohort(self, tx: Transaction, seller_id: int, token: str) -> bool:
        """Follow a cohort's deep link; True when the current application changed."""
        session = tx.session
        seller = session.get(Seller, seller_id)
        assert seller is not None
        try:
            with session.begin_nested():
                return applications.join_cohort(session, seller, limits=self.limits, token=token)
        except ValidationError as refused:
            log.info("seller %s not moved to a cohort: %s", seller.id, refused.code)
            return False

    def _maybe_prune(self) -> None:
        """Now and then, forget processed updates older than the retention window."""
        now = time.monotonic()
        if now < self._next_prune:
            return
        self._next_prune = now + PRUNE_EVERY_SECONDS
        self.prune_processed_updates()

    def prune_processed_updates(self) -> int:
        """Delete processed-update records past ``RETENTION`` (own short transaction)."""
        with Session(self._engine) as session:
            deleted = repo.prune_updates(session, before=utcnow() - RETENTION)
            session.commit()
        log.debug("pruned %d processed-update records", deleted)
        return deleted

    def _load(
        self, tx: Transaction, arrival: _Arrival, update_id: int | None, digest: str
    ) -> tuple[SellerSnapshot, bool]:
        """The seller as this update finds them (created on first contact), and whether new.

        Raises ``DuplicateUpdate`` for an update already applied: the same read tells.
        """
        user = arrival.telegram_user_id
        found = seller_read.read(
            tx.connection, telegram_user_id=user, update_id=update_id, digest=digest
        )
        if found is not None:
            seen = found.seen
        else:  # an erased seller's old update may come back: no seller, but a record
            seen = update_id is not None and repo.update_processed(
                tx.connection, update_id=update_id, digest=digest
            )
        if seen:
            raise DuplicateUpdate(update_id)
        if found is not None:
            if found.seller.blocked:  # they write again: the outbox may reach them again
                repo.save_seller(tx.connection, seller_id=found.seller.id, blocked=False)
            if arrival.start_payload and self._join_cohort(
                tx, found.seller.id, arrival.start_payload
            ):
                tx.flush()
                found = _reread(tx, user)
            return found, False
        repo.create_seller(
            tx.connection,
            telegram_user_id=user,
            chat_id=arrival.chat_id,
            locale=arrival.locale,
            start_payload=arrival.start_payload,
        )
        return _reread(tx, user), True


@dataclass(frozen=True, slots=True)
class _Arrival:
    """Who an update comes from, as Telegram says (before the database is read)."""

    telegram_user_id: int
    chat_id: int
    locale: str
    start_payload: str | None


def _reread(tx: Transaction, telegram_user_id: int) -> SellerSnapshot:
    """The seller after this transaction changed which application is current."""
    found = seller_read.read(
        tx.connection, telegram_user_id=telegram_user_id, update_id=None, digest=""
    )
    assert found is not None
    return found


def _view(found: SellerSnapshot, *, is_new: bool) -> SellerView:
    seller, current = found.seller, found.current
    answers = {**current.answers, **found.uploads}
    return SellerView(
        id=seller.id,
        telegram_user_id=seller.telegram_user_id,
        chat_id=seller.chat_id,
        locale=seller.locale,
        progress=Progress(current.track, current.state, answers),  # read just now: no copy
        version=current.version,
        application_id=current.id,
        cohort_id=current.cohort_id,
        rules=dict(found.rules),
        product_rules=dict(found.product_rules),
        is_new=is_new,
        confirmation=dict(seller.pending_confirmation or {}) or None,
        applications=applications.numbered(found.applications),
    )


def _write(
    connection: Connection,
    application: ApplicationRow,
    view: SellerView,
    write: Write,
    processed: repo.Processed | None,
) -> bool:
    """Store the write; False when someone else wrote the application first (re-run).

    ``processed``, the update being applied, is recorded with it.
    """
    progress = write.progress
    if progress is not None:
        values: dict[str, Any] = {}
        answers = uploads.store(
            connection, view.application_id, view.progress.answers, progress.answers
        )
        values.update(state=progress.state, track=progress.track, answers=answers)
        market = progress.answers.get("market")
        values["market"] = MARKET_OF_TRACK.get(progress.track or "", market)
        values["furthest_state"] = further(
            progress.track, application.furthest_state, progress.state
        )
        if _submits(view, write):
            values["submitted_at"] = utcnow()
            values.update(submission_values(application.submitted_answers, progress.answers))
        moved = progress.state != view.progress.state
        step = (
            repo.StateChange(
                view.progress.state,
                progress.state,
                write.actor,
                since=application.state_since,
            )
            if moved
            else None
        )
        if not repo.save_progress(
            connection,
            application_id=view.application_id,
            expected_version=view.version,
            values=values,
            step=step,
            processed=processed,
        ):
            return False
    elif processed is not None:
        repo.record_update(connection, update_id=processed.update_id, digest=processed.digest)
    seller_values: dict[str, Any] = {} if write.locale is None else {"locale": write.locale}
    if write.confirmation is not None:  # an empty mapping clears it (SQL NULL)
        seller_values["pending_confirmation"] = dict(write.confirmation) or null()
    if seller_values:
        repo.save_seller(connection, seller_id=view.id, **seller_values)
    return True


def _submits(view: SellerView, write: Write) -> bool:
    """Whether the write submits the application (for review, again or for the first time)."""
    progress = write.progress
    return progress is not None and progress.state == SUBMITTED and view.progress.state != SUBMITTED


def _after(view: SellerView, write: Write) -> SellerView:
    return SellerView(
        id=view.id,
        telegram_user_id=view.telegram_user_id,
        chat_id=view.chat_id,
        locale=write.locale or view.locale,
        progress=write.progress or view.progress,
        version=view.version + 1,
        application_id=view.application_id,
        cohort_id=view.cohort_id,
        rules=view.rules,
        product_rules=view.product_rules,
        is_new=view.is_new,
        confirmation=(view.confirmation if write.confirmation is None else write.confirmation)
        or None,
        applications=_updated(view, write.progress),
    )


def _updated(view: SellerView, progress: Progress | None) -> tuple[Summary, ...]:
    """The summaries with the current application's new progress (for its label)."""
    if progress is None:
        return view.applications
    return tuple(
        replace(a, track=progress.track, state=progress.state, answers=dict(progress.answers))
        if a.id == view.application_id
        else a
        for a in view.applications
    )


def seller_store(context: CallbackContext[Any, Any, Any, Any]) -> SellerStore:
    """The application's seller store (``bot.app`` puts it in ``bot_data``)."""
    store: SellerStore = context.application.bot_data[SELLERS]
    return store
