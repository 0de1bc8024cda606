"""The flow's outside checks inside a seller's transaction: uniqueness, Companies House,
invite codes. Bound to the transaction's connection, so a redeemed code commits or rolls
back with the answer; its statements are ``bot.db.prepared`` ones, like the rest of an
answer's."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import Connection, bindparam, update
from sqlmodel import col

from bot.db.models import Application, utcnow
from bot.db.prepared import Prepared
from bot.providers.codes.guard import guesser_id, redeem_guarded
from bot.sellers import applications
from bot.sellers.applications import Limits
from bot.sellers.unit import NeedsCompanyLookup, SellerView
from flows.progress import CompanyCheck

_JOIN_COHORT = Prepared(
    update(Application)
    .where(col(Application.id) == bindparam("w_id"))
    .values(cohort_id=bindparam("cohort"))
)


class Lookups:
    """The flow's outside checks, bound to one transaction and the prefetched look-ups."""

    def __init__(
        self,
        connection: Connection,
        companies: Mapping[str, CompanyCheck],
        *,
        checking: bool,
        view: SellerView,
        limits: Limits,
    ) -> None:
        self._connection = connection
        self._companies = companies
        self._checking = checking
        self._view = view
        self._limits = limits

    def check_unique(self, field: str, value: str) -> None:
        applications.check_unique(
            self._connection,
            limits=self._limits,
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
        joins = redeem_guarded(
            self._connection,
            code=code,
            market=market,
            guesser=guesser_id(self._limits.guess_key, self._view.telegram_user_id),
            cohort_id=self._view.cohort_id,  # read with the seller, in this transaction
            now=utcnow(),
        )
        if joins is not None:
            row = {"w_id": self._view.application_id, "cohort": joins}
            _JOIN_COHORT.rowcount(self._connection, row)
