"""Invite codes (邀请码): stored, generated, imported, redeemed, listed, revoked, exported.

Every way a code enters the database (``/codes`` generating, ``/codes_import``, the CLI's
``invite-codes``) goes through ``add_codes`` or ``generate`` here, and a seller's code
through ``redeem_invite_code``: one normalization, one uniqueness rule.

Generated codes carry 65 random bits from ``secrets`` in an alphabet without look-alike
characters (no 0/O, 1/I/L), grouped for reading aloud: ``K7QX-M3TD-9HWPA``. They match
``flows.validators.invite_code_format``, so what a seller types is checked the same way.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import Connection, bindparam, or_, update
from sqlmodel import Session, col, select

from bot.db.models import Cohort, InviteCode
from bot.db.prepared import Prepared
from flows.errors import ValidationError
from flows.validators import invite_code_format

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # 31 symbols: log2(31) × 13 ≈ 64.4 bits
CODE_LENGTH = 13
MAX_CODES_AT_ONCE = 1000
SHOWN_CODE_LENGTH = 64
"""A malformed code is reported cut to this length (a file may hold anything)."""


def new_code() -> str:
    """One fresh random code, e.g. ``K7QX-M3TD-9HWPA``."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def generate(
    session: Session,
    *,
    cohort: Cohort,
    count: int,
    max_uses: int | None,
    expires_at: dt.datetime | None,
) -> list[InviteCode]:
    """``count`` new codes for ``cohort`` (its provider and market)."""
    if not 1 <= count <= MAX_CODES_AT_ONCE:
        raise ValueError(f"count must be 1-{MAX_CODES_AT_ONCE}")
    taken = set(session.exec(select(InviteCode.code)).all()) if count > 100 else set()
    codes: list[InviteCode] = []
    seen: set[str] = set()
    while len(codes) < count:
        code = new_code()
        if code in seen or code in taken:  # 2^-64 per pair: a formality
            continue
        seen.add(code)
        codes.append(
            InviteCode(
                code=code,
                market=cohort.market,
                provider_id=cohort.provider_id,
                cohort_id=cohort.id,
                max_uses=max_uses,
                expires_at=expires_at,
            )
        )
    session.add_all(codes)
    session.flush()
    return codes


def codes_of(session: Session, *, cohort: Cohort) -> list[InviteCode]:
    """A cohort's codes, oldest first."""
    rows = session.exec(
        select(InviteCode).where(InviteCode.cohort_id == cohort.id).order_by(col(InviteCode.id))
    ).all()
    return list(rows)


def revoke(session: Session, *, cohort: Cohort, code: str | None = None) -> int:
    """Revoke one code of the cohort, or (``code`` None) every code not used yet."""
    statement = update(InviteCode).where(
        col(InviteCode.cohort_id) == cohort.id, col(InviteCode.revoked).is_(False)
    )
    if code is not None:
        statement = statement.where(col(InviteCode.code) == code.strip().upper())
    else:
        statement = statement.where(col(InviteCode.uses) == 0)
    return int(session.connection().execute(statement.values(revoked=True)).rowcount)


@dataclass(frozen=True)
class Usage:
    """How a cohort's codes are used."""

    total: int
    used: int
    revoked: int
    expired: int
    redemptions: int


def usage(codes: list[InviteCode], *, now: dt.datetime) -> Usage:
    def expired(code: InviteCode) -> bool:
        if code.expires_at is None:
            return False
        return code.expires_at <= now

    return Usage(
        total=len(codes),
        used=sum(1 for code in codes if code.uses > 0),
        revoked=sum(1 for code in codes if code.revoked),
        expired=sum(1 for code in codes if expired(code)),
        redemptions=sum(code.uses for code in codes),
    )


def codes_csv(codes: list[InviteCode]) -> bytes:
    """The codes as a CSV file (UTF-8 with BOM, so Excel opens it right)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["code", "market", "max_uses", "uses", "expires_at", "revoked"])
    for code in codes:
        writer.writerow(
            [
                code.code,
                code.market,
                "" if code.max_uses is None else code.max_uses,
                code.uses,
                code.expires_at.date().isoformat() if code.expires_at else "",
                "yes" if code.revoked else "",
            ]
        )
    return ("\ufeff" + out.getvalue()).encode()


def add_invite_code(
    session: Session,
    *,
    code: str,
    market: str,
    max_uses: int | None = 1,
    expires_at: dt.datetime | None = None,
    cohort_id: int | None = None,
    provider_id: int | None = None,
) -> InviteCode:
    """Store a new invite code (codes are kept upper-case, as sellers' input is normalized)."""
    invite = InviteCode(
        code=code.strip().upper(),
        market=market,
        max_uses=max_uses,
        expires_at=expires_at,
        cohort_id=cohort_id,
        provider_id=provider_id,
    )
    session.add(invite)
    session.flush()
    return invite


def invite_code_exists(session: Session, *, code: str) -> bool:
    """Whether ``code`` is already stored (codes are unique across markets)."""
    return session.exec(select(InviteCode.id).where(InviteCode.code == code)).first() is not None


_REDEEM = Prepared(
    update(InviteCode)
    .where(
        col(InviteCode.code) == bindparam("w_code"),
        col(InviteCode.market) == bindparam("w_market"),
        col(InviteCode.revoked).is_(False),
        or_(col(InviteCode.max_uses).is_(None), col(InviteCode.uses) < col(InviteCode.max_uses)),
        or_(col(InviteCode.expires_at).is_(None), col(InviteCode.expires_at) > bindparam("w_now")),
    )
    .values(uses=col(InviteCode.uses) + 1)
)


def redeem_invite_code(connection: Connection, *, code: str, market: str, now: dt.datetime) -> None:
    """Use one redemption of ``code`` atomically, or raise a ``ValidationError``.

    The conditional UPDATE makes the check and the use one step, so two sellers cannot
    both take the last use of a single-use code. It runs in a seller's answer, on the
    transaction's connection (``bot.db.prepared``).
    """
    if _REDEEM.rowcount(connection, {"w_code": code, "w_market": market, "w_now": now}) != 1:
        # One text whatever the reason (unknown, used up, expired, revoked, another
        # market): saying which would tell a guesser which codes exist (issue 18).
        raise ValidationError("error_invite_code_not_valid")


@dataclass
class AddReport:
    """What ``add_codes`` did: how many it added, which it skipped and why."""

    added: int = 0
    duplicate: list[str] = field(default_factory=list)
    malformed: list[str] = field(default_factory=list)


def add_codes(
    session: Session,
    *,
    codes: Iterable[str],
    market: str,
    max_uses: int | None = 1,
    expires_at: dt.datetime | None = None,
    cohort_id: int | None = None,
    provider_id: int | None = None,
) -> AddReport:
    """Add each well-formed new code once; report the stored and the malformed ones.

    Codes are checked with the validator sellers' input goes through, so every stored
    code is one a seller can type.
    """
    report = AddReport()
    for raw in dict.fromkeys(codes):
        try:
            code = invite_code_format(raw)
        except ValidationError:
            report.malformed.append(raw[:SHOWN_CODE_LENGTH])
            continue
        if invite_code_exists(session, code=code):
            report.duplicate.append(code)
            continue
        add_invite_code(
            session,
            code=code,
            market=market,
            max_uses=max_uses,
            expires_at=expires_at,
            cohort_id=cohort_id,
            provider_id=provider_id,
        )
        report.added += 1
    return report
