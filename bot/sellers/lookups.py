"""The flow's outside checks inside a seller's transaction: uniqueness, Companies House,
invite codes. Bound to one transaction, so a redeemed code commits or rolls back with the answer."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import update
from sqlmodel import Session, col, select

from bot.db.models import Application, utcnow
from bot.db.pinned import Transaction
from bot.providers.codes.guard import guesser_id, redeem_guarded
from bot.sellers import applications
from bot.sellers.applications import Limits
from bot.sellers.unit import NeedsCompanyLookup, SellerView
from flows.progress import CompanyCheck


class Lookups:
    """The flow's outside checks, bound to one transaction and the prefetched look-ups."""

    def __init__(
        self,
        transaction: Transaction,
        companies: Mapping[str, CompanyCheck],
        *,
        checking: bool,
        view: SellerView,
        limits: Limits,
    ) -> None:
        self._transaction = transaction
        self._companies = companies
        self._checking = checking
        self._view = view
        self._limits = limits

    @property
    def _session(self) -> Session:
        """The transaction's ORM session (made only when a check needs it)."""
        return self._transaction.session

    def check_unique(self, field: str, value: str) -> None:
        applications.check_unique(
            self._session,
            limits=self._limits,
            seller_id=self._view.id,
            application_id=self._view.application_id,
            field_name=field,
            value=value,
            known=self._view.applications,
        )

    def company(self, number: str) -> CompanyCheck:
        if not self._checking:
            return CompanyCheck("skipped")
        if number not in self._companies:
            raise NeedsCompanyLookup(number)
        return self._companies[number]

    def redeem_invite_code(self, code: str, *, market: str) -> None:
        """Redeem (slowed down after repeated wrong codes); a cohort's code joins its cohort."""
        cohort_id = self._session.exec(
            select(Application.cohort_id).where(col(Application.id) == self._view.application_id)
        ).first()
        invite = redeem_guarded(
            self._session,
            code=code,
            market=market,
            guesser=guesser_id(self._limits.guess_key, self._view.telegram_user_id),
            cohort_id=cohort_id,
            now=utcnow(),
        )
        if invite.cohort_id is not None:
            self._session.connection().execute(
                update(Application)
                .where(col(Application.id) == self._view.application_id)
                .values(cohort_id=invite.cohort_id)
            )
