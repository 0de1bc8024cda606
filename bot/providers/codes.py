"""Invite codes (邀请码) a provider hands out: generated, listed, revoked, exported as CSV.

Generated codes carry 65 random bits from ``secrets`` in an alphabet without look-alike
characters (no 0/O, 1/I/L), grouped for reading aloud: ``K7QX-M3TD-9HWPA``. They match
``flows.validators.invite_code_format``, so what a seller types is checked the same way.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import secrets
from dataclasses import dataclass

from sqlalchemy import update
from sqlmodel import Session, col, select

from bot.db.models import Cohort, InviteCode

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # 31 symbols: log2(31) × 13 ≈ 64.4 bits
CODE_LENGTH = 13
MAX_CODES_AT_ONCE = 1000


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
        moment = (
            code.expires_at if code.expires_at.tzinfo else code.expires_at.replace(tzinfo=dt.UTC)
        )
        return moment <= now

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
