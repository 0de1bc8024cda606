"""The desk as a web surface: its headers, who gets in, bounded bodies, the rate limit,
and what a file answer looks like — over HTTP against the ASGI app, no browser."""

from __future__ import annotations

import datetime as dt
import time

import httpx
import pytest
from jinja2 import UndefinedError
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.applications import Starlette

from bot.db.models import Admin, Provider
from bot.db.units import Database
from bot.desk import pages
from bot.desk.init_data import sign
from bot.desk.limits import PerUserLimit
from bot.desk.reads import Detail, FileRef, Filters, Queue, Row
from bot.desk.templating import ENV
from bot.desk.web import CSP, Desk, desk_routes, sniffed
from bot.platform.settings import Settings
from bot.providers.review.cases import Case
from bot.transport.context import translator

TOKEN = "123456789:AAEhBOweik6ad9r_QXMENQjcrGbqCr4K-ro"
OWNER, STRANGER = 5001, 7001


def settings(**more: object) -> Settings:
    return Settings(bot_token=TOKEN, webapp_url="https://desk.example.com", **more)  # type: ignore[arg-type]


def app(engine: Engine, limit: PerUserLimit | None = None) -> Starlette:
    desk = Desk(settings=settings(), db=Database(engine), bot=None, limit=limit)  # type: ignore[arg-type]
    return Starlette(routes=desk.routes())


def client(engine: Engine, limit: PerUserLimit | None = None) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app(engine, limit))
    return httpx.AsyncClient(transport=transport, base_url="http://desk.test")


def tma(user_id: int, *, token: str = TOKEN, age: float = 0) -> dict[str, str]:
    user = {"id": user_id, "language_code": "en"}
    raw = sign(user, token=token, auth_date=int(time.time() - age))
    return {"Authorization": f"tma {raw}"}


@pytest.fixture
def owner(engine: Engine) -> int:
    with Session(engine) as session:
        provider = Provider(name="Acme")
        session.add(provider)
        session.flush()
        session.add(Admin(telegram_user_id=OWNER, provider_id=provider.id, role="owner"))
        session.commit()
        assert provider.id is not None
        return provider.id


def test_without_webapp_url_there_is_no_desk() -> None:
    assert desk_routes(Settings(bot_token=TOKEN), None, None) == []  # type: ignore[arg-type]


async def test_the_shell_has_no_data_and_a_strict_policy(engine: Engine) -> None:
    async with client(engine) as http:
        shell = await http.get("/desk/")
        script = await http.get("/desk/static/desk.js")
    assert shell.status_code == 200
    policy = shell.headers["content-security-policy"]
    assert policy == CSP
    assert "script-src 'self' https://telegram.org" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors https://web.telegram.org" in policy
    assert "<script>" not in shell.text  # every script has a src
    assert shell.headers["x-content-type-options"] == "nosniff"
    assert script.headers["content-type"].startswith("text/javascript")


@pytest.mark.usefixtures("owner")
async def test_only_genuine_fresh_init_data_of_an_admin_gets_in(engine: Engine) -> None:
    async with client(engine) as http:
        nobody = await http.get("/desk/api/queue")
        forged = await http.get("/desk/api/queue", headers=tma(OWNER, token="1:" + "x" * 40))
        expired = await http.get("/desk/api/queue", headers=tma(OWNER, age=7200))
        stranger = await http.get("/desk/api/queue", headers=tma(STRANGER))
        admin = await http.get("/desk/api/queue", headers=tma(OWNER))
    assert [r.status_code for r in (nobody, forged, expired, stranger)] == [401, 401, 401, 403]
    assert (admin.status_code == 200 and "table" in admin.text) or "Nothing" in admin.text
    for answer in (nobody, forged, stranger, admin):
        assert answer.headers["content-security-policy"] == CSP
        assert answer.headers["cache-control"] == "no-store"


@pytest.mark.usefixtures("owner")
async def test_bodies_are_bounded_and_bad_forms_refused(engine: Engine) -> None:
    async with client(engine) as http:
        huge = await http.post(
            "/desk/api/applications/1/decision", headers=tma(OWNER), content=b"x" * 20_000
        )
        strange = await http.post(
            "/desk/api/applications/1/decision",
            headers=tma(OWNER),
            content=b"action=reject&version=1&reason=nonsense",
        )
        missing = await http.post(
            "/desk/api/applications/999/decision",
            headers=tma(OWNER),
            content=b"action=approve&version=1",
        )
    assert (huge.status_code, strange.status_code, missing.status_code) == (413, 400, 404)


@pytest.mark.usefixtures("owner")
async def test_the_desk_is_rate_limited_per_user(engine: Engine) -> None:
    async with client(engine, PerUserLimit(burst=3, per_second=0.001)) as http:
        answers = [
            (await http.get("/desk/api/queue", headers=tma(OWNER))).status_code for _ in range(5)
        ]
    assert answers == [200, 200, 200, 429, 429]


def test_a_files_type_is_read_from_its_bytes() -> None:
    assert sniffed(b"\xff\xd8\xff\xe0rest")[:2] == ("image/jpeg", "jpg")
    assert sniffed(b"\x89PNG\r\n\x1a\nrest")[2] is True
    assert sniffed(b"%PDF-1.7 ...") == ("application/pdf", "pdf", False)
    assert sniffed(b"<html><script>alert(1)</script>") == ("application/octet-stream", "bin", False)


def test_what_sellers_typed_is_escaped_on_every_page() -> None:
    hostile = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    row = Row(
        id=7, company=hostile, cohort_id=1, cohort_name=hostile, market="uk",
        track="uk_crossborder", state="submitted", submitted_at=None, decided_at=None,
        rejections=1,
    )  # fmt: skip
    html = pages.queue_page(
        Queue([row], 1, [(1, hostile)]), Filters(), dt.datetime.now(dt.UTC), translator("en")
    )
    assert "<script>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html

    case = Case(
        id=7, version=1, state="submitted", track="uk_crossborder", market="uk",
        answers={"market": "uk", "track": "uk_crossborder", "company_name": hostile},
        provider_id=1, cohort_id=1, cohort_name=hostile, seller_id=1, seller_chat_id=1,
        seller_locale="en", submitted_at=None, review_changes=("company_name",),
    )  # fmt: skip
    files = [FileRef(caption=hostile, file_id="f", photo=True), FileRef(hostile, "g", False)]
    page = pages.application_page(Detail(case, [], ()), files, translator("en"), notice=hostile)
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 6  # title, answer, files…
    assert "<script>" not in page and "<img src=x" not in page
    assert 'data-post="applications/7/decision"' in page  # the page itself is whole


def test_the_pages_are_templates_compiled_once() -> None:
    """Built at import: a render reads no file and compiles nothing; a name a template
    uses and the page did not give is an error, not an empty string."""
    assert pages.APPLICATION is ENV.get_template("application.html")
    assert not ENV.auto_reload
    with pytest.raises(UndefinedError):
        pages.QUEUE.render(t=translator("en"))
