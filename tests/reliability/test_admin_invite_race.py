"""One person opening two providers' admin invites at the same moment (issue 18, item 11).

Before: both transactions looked for an admin row, found none (the other's was not yet
committed), and the second insert raised ``UniqueViolation`` (SQLite: ``IntegrityError``),
so the person got an apology. Now the admin row is a conditional insert: the second
transaction waits for the first, finds the person an admin of the other provider, and
leaves its link unused. The first transaction is held open until the second has started
(it commits after a pause): were the second late, it would take the plain "already an
admin" path, so the test never fails for timing, it only may catch less.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.db.models import Admin, AdminInvite, utcnow
from bot.providers import store
from bot.providers.access import OWNER, AdminIdentity

PERSON = 7_000_777


def _invites(engine: Engine) -> list[str]:
    tokens = []
    with Session(engine) as session:
        for name in ("A", "B"):
            provider = store.create_provider(session, name=name, owner_telegram_id=None)
            assert provider.id is not None
            owner = AdminIdentity(1, provider.id, OWNER, "en")
            tokens.append(store.create_invite(session, actor=owner, provider_id=provider.id).token)
        session.commit()
    return tokens


def test_two_invites_opened_at_once_make_one_admin_and_leave_the_other_link_unused(
    engine: Engine,
) -> None:
    first_token, second_token = _invites(engine)
    first_open = threading.Event()

    def first() -> store.InviteOutcome:
        with Session(engine) as session:
            outcome, _ = store.accept_invite(
                session, token=first_token, telegram_user_id=PERSON, locale="en", now=utcnow()
            )
            first_open.set()
            time.sleep(0.5)  # the second transaction starts meanwhile
            session.commit()
            return outcome

    def second() -> store.InviteOutcome:
        first_open.wait()
        with Session(engine) as session:
            outcome, _ = store.accept_invite(
                session, token=second_token, telegram_user_id=PERSON, locale="en", now=utcnow()
            )
            session.commit()
            return outcome

    with ThreadPoolExecutor(2) as pool:
        outcomes = [pool.submit(first), pool.submit(second)]
        results = [future.result(timeout=60) for future in outcomes]

    assert results == [store.InviteOutcome.JOINED, store.InviteOutcome.ALREADY_ADMIN]
    with Session(engine) as session:
        admins = session.exec(select(Admin).where(Admin.telegram_user_id == PERSON)).all()
        used = {i.token: i.used_by for i in session.exec(select(AdminInvite)).all()}
    assert len(admins) == 1
    assert used == {first_token: PERSON, second_token: None}
