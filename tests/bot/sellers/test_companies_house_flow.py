"""The Companies House live check inside the real bot (HTTP mocked with httpx.MockTransport)."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from bot.db.models import Cohort, Provider
from bot.sellers.companies_house import CompaniesHouseClient
from tests.harness import BotHarness, running_bot
from tests.updates import TelegramUser

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def _companies_house(status: int, body: dict[str, object] | None = None) -> CompaniesHouseClient:
    def respond(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/company/SC123456"
        return httpx.Response(status, json=body or {})

    return CompaniesHouseClient("test-key", transport=httpx.MockTransport(respond))


async def _to_company_number(bot: BotHarness, user: TelegramUser) -> None:
    await bot.begin(user, "en", "uk", "uk_business")
    await bot.say(user, "Acme Trading Ltd")


async def test_an_active_company_is_shown_by_its_registered_name_for_the_seller_to_confirm(
    engine: Engine,
) -> None:
    user = TelegramUser(4001, "Sam", "en")
    found = {
        "company_name": "ACME TRADING LIMITED",
        "company_status": "active",
        "date_of_creation": "2019-03-14",
    }
    async with running_bot(engine, companies_house=_companies_house(200, found)) as bot:
        await _to_company_number(bot, user)
        reply = await bot.say(user, "sc123456")
        assert "ACME TRADING LIMITED" in reply
        assert bot.seller(user).state == "company_confirm"
        await bot.tap(user, "no")  # not my company: back to the number, name forgotten
        seller = bot.seller(user)
        assert seller.state == "company_number"
        assert "company_registered_name" not in seller.answers
        await bot.say(user, "SC123456")
        await bot.tap(user, "yes")
        assert bot.seller(user).state == "incorporation_date"


async def test_a_dissolved_or_unknown_company_is_refused(engine: Engine) -> None:
    user = TelegramUser(4002, "Sam", "en")
    dissolved = {"company_name": "OLD LTD", "company_status": "dissolved"}
    async with running_bot(engine, companies_house=_companies_house(200, dissolved)) as bot:
        await _to_company_number(bot, user)
        reply = await bot.say(user, "SC123456")
        assert "dissolved" in reply
        assert bot.seller(user).state == "company_number"


async def test_when_companies_house_is_down_the_format_check_is_enough_and_the_seller_is_told(
    engine: Engine,
) -> None:
    user = TelegramUser(4003, "Sam", "en")
    async with running_bot(engine, companies_house=_companies_house(503)) as bot:
        await _to_company_number(bot, user)
        await bot.say(user, "SC123456")
        seller = bot.seller(user)
        assert seller.state == "incorporation_date"  # no confirmation step without a name
        assert seller.answers["company_number"] == "SC123456"


async def test_a_deep_link_payload_is_kept_and_joins_its_cohort(engine: Engine) -> None:
    with Session(engine) as session:
        provider = Provider(name="Agency")
        session.add(provider)
        session.flush()
        assert provider.id is not None
        session.add(
            Cohort(
                provider_id=provider.id,
                market="uk",
                name="Nov cohort",
                join_token="uk-nov-2026",
                rules={"require_invite_code": False},
            )
        )
        session.commit()
    user = TelegramUser(4004, "Wei", "zh-hans")
    async with running_bot(engine) as bot:
        await bot.say(user, "/start uk-nov-2026")
        seller = bot.seller(user)
        assert seller.start_payload == "uk-nov-2026" and seller.cohort_id is not None
        for value in ("zh_Hans", "uk", "uk_crossborder"):
            await bot.tap(user, value)
        for answer in ("深圳市星河贸易有限公司", "91110000802100433B"):
            await bot.say(user, answer)
        await bot.document(user, "licence.pdf", "application/pdf")
        await bot.photo(user, "legal-rep")
        assert bot.seller(user).state == "phone"  # this cohort needs no invite code
