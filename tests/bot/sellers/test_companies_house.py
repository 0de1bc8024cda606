"""Companies House live check, against ``httpx.MockTransport`` only (never the real service)."""

from __future__ import annotations

import asyncio
import base64
import inspect
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date
from typing import Any

import httpx
import pytest

from bot.sellers.companies_house import (
    CompaniesHouseClient,
    CompanyLookup,
    LookupOutcome,
    SlidingWindowLimiter,
)

API_KEY = "test-key-1234"
EPOCH = 1_750_000_000.0

Handler = Callable[[httpx.Request], httpx.Response | Awaitable[httpx.Response]]


class FakeClock:
    """Serves as both the monotonic and the wall clock; tests move it by hand."""

    def __init__(self) -> None:
        self.now = EPOCH

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class FakeCompaniesHouse:
    """Records requests and answers with ``respond`` (a profile for any number by default)."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.respond: Handler = lambda request: profile(request.url.path.rsplit("/", 1)[-1])

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        response = self.respond(request)
        return await response if inspect.isawaitable(response) else response


def profile(number: str, *, status: str = "active", **extra: Any) -> httpx.Response:
    body = {
        "company_number": number,
        "company_name": "ACME WIDGETS LTD",
        "company_status": status,
        "date_of_creation": "2019-03-14",
        "registered_office_address": {"postal_code": "EC1A 1BB"},
        **extra,
    }
    return httpx.Response(200, json=body)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def service() -> FakeCompaniesHouse:
    return FakeCompaniesHouse()


@pytest.fixture
async def client(
    service: FakeCompaniesHouse, clock: FakeClock
) -> AsyncIterator[CompaniesHouseClient]:
    async with CompaniesHouseClient(
        API_KEY, transport=httpx.MockTransport(service), clock=clock, wall_clock=clock
    ) as client:
        yield client


async def test_active_company_is_found_with_its_name_status_and_creation_date(
    client: CompaniesHouseClient,
) -> None:
    result = await client.lookup("01234567")

    assert result == CompanyLookup(
        LookupOutcome.FOUND, "01234567", "ACME WIDGETS LTD", "active", date(2019, 3, 14)
    )
    assert result.is_active


async def test_dissolved_company_is_found_but_not_active(
    client: CompaniesHouseClient, service: FakeCompaniesHouse
) -> None:
    service.respond = lambda request: profile("01234567", status="dissolved")

    result = await client.lookup("01234567")

    assert result.outcome is LookupOutcome.FOUND
    assert result.status == "dissolved"
    assert not result.is_active


async def test_unknown_number_is_not_found(
    client: CompaniesHouseClient, service: FakeCompaniesHouse
) -> None:
    service.respond = lambda request: httpx.Response(
        404, json={"errors": [{"error": "company-profile-not-found", "type": "ch:service"}]}
    )

    result = await client.lookup("99999999")

    assert result == CompanyLookup(LookupOutcome.NOT_FOUND, "99999999")
    assert not result.is_active


@pytest.mark.parametrize("status_code", [401, 403, 500, 502, 503])
async def test_bad_key_or_server_error_makes_the_check_unavailable(
    client: CompaniesHouseClient, service: FakeCompaniesHouse, status_code: int
) -> None:
    service.respond = lambda request: httpx.Response(status_code, text="oops")

    result = await client.lookup("01234567")

    assert result == CompanyLookup(LookupOutcome.UNAVAILABLE, "01234567")


@pytest.mark.parametrize("error", [httpx.ReadTimeout, httpx.ConnectTimeout, httpx.ConnectError])
async def test_timeout_or_connection_error_makes_the_check_unavailable(
    client: CompaniesHouseClient, service: FakeCompaniesHouse, error: type[httpx.TransportError]
) -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise error("no answer", request=request)

    service.respond = fail

    assert (await client.lookup("01234567")).outcome is LookupOutcome.UNAVAILABLE


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(200, text="<html>maintenance</html>"),
        httpx.Response(200, json=["not", "a", "profile"]),
        httpx.Response(200, json={"company_status": "active"}),
        httpx.Response(200, json={"company_name": 42}),
        httpx.Response(200, json={"company_name": "ACME", "date_of_creation": "14/03/2019"}),
    ],
    ids=["not-json", "json-list", "no-name", "name-not-text", "bad-date"],
)
async def test_malformed_profile_makes_the_check_unavailable(
    client: CompaniesHouseClient, service: FakeCompaniesHouse, response: httpx.Response
) -> None:
    service.respond = lambda request: response

    assert (await client.lookup("01234567")).outcome is LookupOutcome.UNAVAILABLE


async def test_profile_without_creation_date_is_still_found(
    client: CompaniesHouseClient, service: FakeCompaniesHouse
) -> None:
    service.respond = lambda request: httpx.Response(200, json={"company_name": "OLD CO"})

    result = await client.lookup("00000001")

    assert result == CompanyLookup(LookupOutcome.FOUND, "00000001", "OLD CO")


async def test_429_stops_all_requests_until_the_reset_time(
    client: CompaniesHouseClient, service: FakeCompaniesHouse, clock: FakeClock
) -> None:
    reset_at = int(clock.now) + 120
    service.respond = lambda request: httpx.Response(
        429, headers={"X-Ratelimit-Remain": "0", "X-Ratelimit-Reset": str(reset_at)}
    )
    assert (await client.lookup("01234567")).outcome is LookupOutcome.UNAVAILABLE
    service.respond = lambda request: profile("07654321")

    clock.advance(119)
    assert (await client.lookup("07654321")).outcome is LookupOutcome.UNAVAILABLE
    assert len(service.requests) == 1

    clock.advance(1)
    assert (await client.lookup("07654321")).outcome is LookupOutcome.FOUND
    assert len(service.requests) == 2


async def test_429_without_a_reset_header_pauses_for_the_whole_window(
    client: CompaniesHouseClient, service: FakeCompaniesHouse, clock: FakeClock
) -> None:
    service.respond = lambda request: httpx.Response(429)
    await client.lookup("01234567")
    service.respond = lambda request: profile("01234567")

    clock.advance(299)
    assert (await client.lookup("01234567")).outcome is LookupOutcome.UNAVAILABLE
    clock.advance(1)
    assert (await client.lookup("01234567")).outcome is LookupOutcome.FOUND


async def test_client_sends_at_most_600_requests_per_rolling_five_minutes(
    client: CompaniesHouseClient, service: FakeCompaniesHouse, clock: FakeClock
) -> None:
    for i in range(600):
        assert (await client.lookup(f"{i:08d}")).outcome is LookupOutcome.FOUND
        clock.advance(0.1)

    refused = await client.lookup("SC000601")
    assert refused.outcome is LookupOutcome.UNAVAILABLE
    assert len(service.requests) == 600

    clock.now = EPOCH + 300  # the first request leaves the window
    assert (await client.lookup("SC000601")).outcome is LookupOutcome.FOUND
    assert len(service.requests) == 601


def test_sliding_window_frees_each_slot_one_period_after_it_was_taken() -> None:
    clock = FakeClock()
    limiter = SlidingWindowLimiter(2, 10.0, clock=clock)

    taken = []
    for at in [0, 5, 9, 10, 11, 15]:
        clock.now = EPOCH + at
        taken.append(limiter.try_acquire())

    assert taken == [True, True, False, True, False, True]


async def test_found_and_not_found_results_are_cached_so_no_second_request_is_sent(
    client: CompaniesHouseClient, service: FakeCompaniesHouse
) -> None:
    await client.lookup("01234567")
    service.respond = lambda request: httpx.Response(404)
    await client.lookup("99999999")

    assert (await client.lookup("01234567")).outcome is LookupOutcome.FOUND
    assert (await client.lookup("99999999")).outcome is LookupOutcome.NOT_FOUND
    assert len(service.requests) == 2


async def test_cached_result_expires_after_the_ttl(
    client: CompaniesHouseClient, service: FakeCompaniesHouse, clock: FakeClock
) -> None:
    await client.lookup("01234567")
    clock.advance(3599)
    await client.lookup("01234567")
    assert len(service.requests) == 1

    service.respond = lambda request: profile("01234567", status="dissolved")
    clock.advance(1)
    assert (await client.lookup("01234567")).status == "dissolved"
    assert len(service.requests) == 2


async def test_unavailable_result_is_not_cached(
    client: CompaniesHouseClient, service: FakeCompaniesHouse
) -> None:
    service.respond = lambda request: httpx.Response(503)
    await client.lookup("01234567")
    service.respond = lambda request: profile("01234567")

    assert (await client.lookup("01234567")).outcome is LookupOutcome.FOUND
    assert len(service.requests) == 2


async def test_full_cache_evicts_the_oldest_entry(
    service: FakeCompaniesHouse, clock: FakeClock
) -> None:
    async with CompaniesHouseClient(
        API_KEY, transport=httpx.MockTransport(service), clock=clock, cache_size=2
    ) as client:
        for number in ["00000001", "00000002", "00000003", "00000003", "00000002", "00000001"]:
            await client.lookup(number)

    assert [r.url.path for r in service.requests] == [
        "/company/00000001",
        "/company/00000002",
        "/company/00000003",
        "/company/00000001",
    ]


async def test_request_uses_basic_auth_with_the_key_as_user_and_an_empty_password(
    client: CompaniesHouseClient, service: FakeCompaniesHouse
) -> None:
    await client.lookup("01234567")

    [request] = service.requests
    expected = base64.b64encode(f"{API_KEY}:".encode()).decode()
    assert request.headers["Authorization"] == f"Basic {expected}"
    assert str(request.url) == "https://api.company-information.service.gov.uk/company/01234567"
    assert API_KEY not in str(request.url)


async def test_number_is_stripped_upper_cased_and_url_encoded(
    client: CompaniesHouseClient, service: FakeCompaniesHouse
) -> None:
    result = await client.lookup("  sc 123456 ")
    await client.lookup("ab/12?x")

    assert result.number == "SC123456"
    assert [r.url.raw_path for r in service.requests] == [
        b"/company/SC123456",
        b"/company/AB%2F12%3FX",
    ]


async def test_concurrent_lookups_of_the_same_number_share_one_request(
    client: CompaniesHouseClient, service: FakeCompaniesHouse
) -> None:
    release = asyncio.Event()

    async def slow(request: httpx.Request) -> httpx.Response:
        await release.wait()
        return profile("01234567")

    service.respond = slow
    lookups = [asyncio.create_task(client.lookup(n)) for n in ["01234567", "01234567 ", "x"]]
    await asyncio.sleep(0)
    release.set()
    results = await asyncio.gather(*lookups)

    assert [r.outcome for r in results] == [LookupOutcome.FOUND] * 3
    assert sorted(r.url.path for r in service.requests) == ["/company/01234567", "/company/X"]


async def test_one_caller_giving_up_does_not_cancel_the_shared_request(
    client: CompaniesHouseClient, service: FakeCompaniesHouse
) -> None:
    release = asyncio.Event()

    async def slow(request: httpx.Request) -> httpx.Response:
        await release.wait()
        return profile("01234567")

    service.respond = slow
    impatient = asyncio.create_task(client.lookup("01234567"))
    patient = asyncio.create_task(client.lookup("01234567"))
    await asyncio.sleep(0.01)
    impatient.cancel()
    release.set()

    assert (await patient).outcome is LookupOutcome.FOUND
    assert impatient.cancelled()
    assert len(service.requests) == 1


async def test_closing_the_client_cancels_lookups_in_flight(service: FakeCompaniesHouse) -> None:
    async def never(request: httpx.Request) -> httpx.Response:
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    service.respond = never
    client = CompaniesHouseClient(API_KEY, transport=httpx.MockTransport(service))
    pending = asyncio.create_task(client.lookup("01234567"))
    await asyncio.sleep(0.01)

    await client.aclose()

    with pytest.raises(asyncio.CancelledError):
        await pending


async def test_logs_show_the_outcome_but_never_the_key_or_the_typed_number(
    client: CompaniesHouseClient, service: FakeCompaniesHouse, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await client.lookup("01234567")
    service.respond = lambda request: httpx.Response(401)
    await client.lookup("07654321")

    encoded = base64.b64encode(f"{API_KEY}:".encode()).decode()
    assert API_KEY not in caplog.text
    assert encoded not in caplog.text
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("bot."))
    assert (
        "01234567" not in ours and "07654321" not in ours
    )  # httpx's URL: bot.platform.log_privacy
    assert "look-up: FOUND" in ours
    assert "look-up: UNAVAILABLE (HTTP 401)" in ours


def test_empty_api_key_is_refused() -> None:
    with pytest.raises(ValueError, match="api_key"):
        CompaniesHouseClient("")
