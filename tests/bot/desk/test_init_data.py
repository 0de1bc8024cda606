"""Telegram's ``initData`` check, as a pure function: genuine, forged, expired, malformed."""

from __future__ import annotations

import hashlib
import hmac
import json
from urllib.parse import quote, urlencode

import pytest

from bot.desk import init_data
from bot.desk.init_data import InitDataError, Refusal, check, sign

TOKEN = "123456789:AAEhBOweik6ad9r_QXMENQjcrGbqCr4K-ro"
NOW = 1_800_000_000
USER = {"id": 5001, "first_name": "李", "language_code": "zh-hans"}


def test_a_genuine_init_data_names_its_user() -> None:
    raw = sign(USER, token=TOKEN, auth_date=NOW - 10, query_id="AAH")
    user = check(raw, token=TOKEN, now=NOW)
    assert (user.id, user.language_code, user.auth_date) == (5001, "zh-hans", NOW - 10)


def test_the_check_is_telegrams_own_recipe_computed_independently() -> None:
    """secret = HMAC_SHA256(key="WebAppData", msg=token); hash over the sorted lines."""
    user = json.dumps(USER, ensure_ascii=False, separators=(",", ":"))
    lines = f"auth_date={NOW}\nquery_id=AAH\nuser={user}"  # sorted by key, hash left out
    secret = hmac.new(b"WebAppData", TOKEN.encode(), hashlib.sha256).digest()
    digest = hmac.new(secret, lines.encode(), hashlib.sha256).hexdigest()
    # the fields in another order than sorted, URL-encoded as Telegram sends them
    raw = f"user={quote(user)}&hash={digest}&auth_date={NOW}&query_id=AAH"
    assert check(raw, token=TOKEN, now=NOW).id == 5001


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda raw: raw.replace("5001", "5002"), Refusal.FORGED),  # another user's id
        (lambda raw: raw + "&extra=1", Refusal.FORGED),  # a field added after signing
        (lambda raw: raw.rsplit("&hash=", 1)[0], Refusal.FORGED),  # no hash at all
        (lambda raw: "", Refusal.MISSING),
        (lambda raw: raw + "&auth_date=1", Refusal.MALFORMED),  # a key twice
        (lambda raw: "x" * 5000, Refusal.MALFORMED),
        (lambda raw: "%%%", Refusal.MALFORMED),
    ],
)
def test_anything_changed_or_broken_is_refused(change: object, reason: Refusal) -> None:
    raw = sign(USER, token=TOKEN, auth_date=NOW)
    with pytest.raises(InitDataError) as refused:
        check(change(raw), token=TOKEN, now=NOW)  # type: ignore[operator]
    assert refused.value.reason is reason


def test_another_bots_init_data_is_forged_here() -> None:
    raw = sign(USER, token="987654321:BBEhBOweik6ad9r_QXMENQjcrGbqCr4K-ro", auth_date=NOW)
    with pytest.raises(InitDataError, match="forged"):
        check(raw, token=TOKEN, now=NOW)


def test_an_old_init_data_has_expired_and_a_future_one_is_refused() -> None:
    old = sign(USER, token=TOKEN, auth_date=NOW - init_data.MAX_AGE_SECONDS - 1)
    with pytest.raises(InitDataError, match="expired"):
        check(old, token=TOKEN, now=NOW)
    assert check(old, token=TOKEN, now=NOW, max_age=7200).id == 5001
    future = sign(USER, token=TOKEN, auth_date=NOW + 3600)
    with pytest.raises(InitDataError, match="expired"):
        check(future, token=TOKEN, now=NOW)


@pytest.mark.parametrize("user", [{"first_name": "x"}, {"id": "5001"}, {"id": True}, {"id": -1}])
def test_a_signed_but_strange_user_is_malformed(user: dict[str, object]) -> None:
    raw = sign(user, token=TOKEN, auth_date=NOW)
    with pytest.raises(InitDataError, match="malformed"):
        check(raw, token=TOKEN, now=NOW)


def test_a_signed_init_data_without_a_user_is_malformed() -> None:
    fields = {"auth_date": str(NOW), "query_id": "AAH"}
    fields["hash"] = init_data.signature(fields, TOKEN)
    with pytest.raises(InitDataError, match="malformed"):
        check(urlencode(fields), token=TOKEN, now=NOW)
