"""A seller's first contact writes what the models' defaults say, as the ORM would."""

from __future__ import annotations

from sqlalchemy import Engine, text
from sqlmodel import Session

from bot.db import repo
from bot.db.models import Application, Cohort, Provider, Seller


def test_a_new_seller_and_application_carry_the_models_defaults_and_sql_nulls(
    engine: Engine,
) -> None:
    with Session(engine) as session:
        made = repo.create_seller(
            session.connection(), telegram_user_id=9, chat_id=9, locale="id", start_payload=None
        )
        session.commit()
    with Session(engine) as session:
        seller = session.get(Seller, made.id)
        application = session.get(Application, made.current_application_id)
        assert seller is not None and application is not None
        assert (seller.locale, seller.blocked, seller.current_application_id) == (
            "id", False, application.id,
        )  # fmt: skip
        assert (application.state, application.furthest_state, application.version) == (
            "language", "language", 1,
        )  # fmt: skip
        assert (application.answers, application.rejections, application.seller_id) == (
            {}, 0, seller.id,
        )  # fmt: skip
        assert application.created_at == application.state_since
        nulls = session.connection().execute(
            text(
                "SELECT count(*) FROM application WHERE submitted_answers IS NULL"
                " AND review_changes IS NULL AND cohort_id IS NULL AND submitted_at IS NULL"
            )
        )
        assert nulls.scalar_one() == 1  # SQL NULL, not a JSON null, as the ORM left them
        pending = session.connection().execute(
            text("SELECT count(*) FROM seller WHERE pending_confirmation IS NULL")
        )
        assert pending.scalar_one() == 1


def test_a_cohort_link_puts_the_first_application_in_the_cohort(engine: Engine) -> None:
    with Session(engine) as session:
        provider = Provider(name="Agency")
        session.add(provider)
        session.flush()
        cohort = Cohort(provider_id=provider.id or 0, market="id", name="Batch 1", join_token="j1")
        session.add(cohort)
        session.flush()
        made = repo.create_seller(
            session.connection(), telegram_user_id=9, chat_id=9, locale="id", start_payload="j1"
        )
        application = session.get(Application, made.current_application_id)
        assert application is not None
        assert (application.cohort_id, application.market) == (cohort.id, "id")
