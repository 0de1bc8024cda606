"""The review's guards below the handlers: the conditional UPDATE against a stale read,
and what a resubmission marks as changed."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from bot.db import repo
from bot.db.models import Application, Cohort, Provider, utcnow
from bot.providers.access import OWNER, AdminIdentity
from bot.providers.review import cases as review_cases
from bot.providers.review import decisions as review
from bot.providers.review.snapshot import changed_steps, snapshot

ALICE = AdminIdentity(11, 1, OWNER, "en")
BOB = AdminIdentity(12, 1, OWNER, "en")


def submitted(engine: Engine) -> int:
    with Session(engine) as session:
        provider = Provider(name="A")
        session.add(provider)
        session.flush()
        cohort = Cohort(provider_id=provider.id or 0, market="uk", name="UK", join_token="t1")
        session.add(cohort)
        seller = repo.create_seller(
            session.connection(), telegram_user_id=77, chat_id=77, locale="en", start_payload=None
        )
        application = session.get(Application, seller.current_application_id)
        assert application is not None and cohort.id is not None
        application.cohort_id, application.track = cohort.id, "uk_crossborder"
        application.state, application.market = "submitted", "uk"
        application.answers = {"company_name": "X Ltd", "uscc": "91110000802100433B"}
        session.add(application)
        session.commit()
        return application.id or 0


def test_a_decision_read_before_another_committed_loses_and_names_the_winner(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    app_id = submitted(engine)
    with Session(engine) as session:
        stale = review_cases.load_case(session, BOB, app_id)  # Bob read it as submitted…
    with Session(engine) as session:  # …then Alice decided and committed
        won = review.decide(
            session, ALICE, application_id=app_id, version=1, approve=True, now=utcnow()
        )
        session.commit()
    assert won.verdict is review.Verdict.DECIDED
    reads = iter([stale, None])
    monkeypatch.setattr(
        review, "load_case", lambda s, a, i: next(reads) or review_cases.load_case(s, a, i)
    )
    with Session(engine) as session:
        lost = review.decide(
            session, BOB, application_id=app_id, version=1, approve=False, mask=1, now=utcnow()
        )
        session.commit()
    assert lost.verdict is review.Verdict.ALREADY_DECIDED and lost.earlier is not None
    assert (lost.earlier.admin_telegram_id, lost.earlier.approved) == (ALICE.telegram_user_id, True)
    with Session(engine) as session:
        application = session.get(Application, app_id)
        assert application is not None
        assert (application.state, application.version) == ("approved", 2)


def test_another_providers_admin_and_a_mask_not_offered_are_refused(engine: Engine) -> None:
    app_id = submitted(engine)
    other = AdminIdentity(13, 2, OWNER, "en")
    with Session(engine) as session:
        assert (
            review.decide(
                session, other, application_id=app_id, version=1, approve=True, now=utcnow()
            ).verdict
            is review.Verdict.NOT_FOUND
        )
        refused = review.decide(
            session, ALICE, application_id=app_id, version=1, approve=False, mask=1 << 20,
            now=utcnow(),
        )  # fmt: skip
        assert refused.verdict is review.Verdict.BAD_REASONS
        empty = review.decide(
            session, ALICE, application_id=app_id, version=1, approve=False, now=utcnow()
        )
        assert empty.verdict is review.Verdict.BAD_REASONS  # no reason, no note
        assert (
            review.decide(
                session, ALICE, application_id=app_id, version=9, approve=True, now=utcnow()
            ).verdict
            is review.Verdict.CHANGED
        )


def test_a_resubmission_marks_changed_answers_files_by_content_and_ignores_private_keys() -> None:
    first = snapshot(
        {
            "company_name": "X Ltd",
            "business_licence": {"file_id": "a1", "file_unique_id": "u1", "kind": "document"},
            "products": [{"title": "Cup", "price": "3.00"}],
            "_editing": True,
        }
    )
    same_file_sent_again = {"file_id": "a2", "file_unique_id": "u1", "kind": "document"}
    second = snapshot(
        {
            "company_name": "X Trading Ltd",
            "business_licence": same_file_sent_again,
            "products": [{"title": "Cup", "price": "2.50"}],
        }
    )
    assert changed_steps(None, first) is None  # a first submission has nothing to compare
    assert changed_steps(first, second) == ["company_name", "products"]


def test_the_next_steps_after_approval_follow_the_market_in_the_sellers_language() -> None:
    from bot.providers.review.cases import Case
    from bot.providers.review.verdicts import seller_text
    from bot.transport.context import translator

    def approved(market: str) -> review.Decision:
        case = Case(
            id=5, version=2, state="submitted", track=None, market=market,
            answers={"company_name": "PT Maju"}, provider_id=1, cohort_id=1, cohort_name="",
            seller_id=1, seller_chat_id=1, seller_locale="id", submitted_at=None,
            review_changes=None,
        )  # fmt: skip
        return review.Decision(review.Verdict.DECIDED, case, to_state="approved")

    indonesia = seller_text(approved("id"), translator("id"))
    assert "PT Maju" in indonesia and "COD" in indonesia and "terdaftar di Indonesia" in indonesia
    uk = seller_text(approved("uk"), translator("zh_Hans"))
    assert "180 天" in uk and "在英国注册" in uk and "COD" not in uk


def test_every_review_button_fits_telegrams_64_bytes_and_parses_back() -> None:
    from bot.providers.review.buttons import parse, reason_buttons
    from bot.providers.review.cases import Case
    from bot.providers.review.notices import review_buttons
    from bot.transport.context import translator

    case = Case(
        id=9_999_999_999, version=999_999, state="submitted", track="uk_crossborder",
        market="uk", answers={}, provider_id=1, cohort_id=1, cohort_name="", seller_id=1,
        seller_chat_id=1, seller_locale="en", submitted_at=None, review_changes=None,
    )  # fmt: skip
    t = translator("zh_Hans")
    every = review.offered_mask(case)
    rows = reason_buttons(case, every, t) + review_buttons(case, t)
    data = [button["callback_data"] for row in rows for button in row]
    assert len(data) >= 5 and max(len(d.encode()) for d in data) <= 64
    assert all(parse(d) is not None for d in data)
    toggles = [parse(d) for d in data if d.startswith("adm_r|t|")]
    assert {tap.mask for tap in toggles if tap} == {
        every ^ (1 << i) for i in range(7) if every >> i & 1
    }
    assert parse("adm_r|a|1|1|0|x") is None and parse("adm_r|z|1|1|0") is None
