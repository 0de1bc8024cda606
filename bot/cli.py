"""The operator's command line: run, migrate, demo, invite codes, flow diagrams."""

from __future__ import annotations

import argparse
import asyncio
import csv
import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot.settings import SettingsError, load_settings


def _run(args: argparse.Namespace) -> int:
    from bot.runner import run

    return run(load_settings())


def _migrate(args: argparse.Namespace) -> int:
    from bot.db.engine import make_engine
    from bot.db.migrate import current_revision, upgrade

    engine = make_engine(load_settings().database_url)
    upgrade(engine, args.revision)
    print(f"database at revision {current_revision(engine)}")
    engine.dispose()
    return 0


def _demo(args: argparse.Namespace) -> int:
    from bot.demo import run_demo

    asyncio.run(run_demo(language=args.language, database_url=args.database_url))
    return 0


def _invite_codes(args: argparse.Namespace) -> int:
    from bot.db import repo
    from bot.db.engine import make_engine
    from bot.db.migrate import upgrade
    from flows.errors import ValidationError
    from flows.validators import invite_code_format

    engine = make_engine(load_settings().database_url)
    upgrade(engine)
    expires = (
        dt.datetime.combine(args.expires, dt.time.max, tzinfo=dt.UTC) if args.expires else None
    )
    codes = [code.strip().upper() for code in args.codes]
    if args.file:
        with Path(args.file).open(newline="", encoding="utf-8-sig") as handle:
            cells = [row[0].strip().upper() for row in csv.reader(handle) if row and row[0].strip()]
        codes += cells[1:] if cells and cells[0] == "CODE" else cells  # an optional header
    added, existing, invalid = 0, [], []
    with Session(engine) as session:
        for code in dict.fromkeys(codes):
            try:
                invite_code_format(code)  # what sellers' input is checked against
            except ValidationError:
                invalid.append(code)
                continue
            if repo.invite_code_exists(session, code=code):
                existing.append(code)
                continue
            repo.add_invite_code(
                session,
                code=code,
                market=args.market,
                max_uses=None if args.uses == 0 else args.uses,
                expires_at=expires,
            )
            added += 1
        session.commit()
    engine.dispose()
    print(f"added {added} invite code(s) for market {args.market}")
    if existing:
        print(f"skipped {len(existing)} that already exist: {', '.join(existing)}")
    if invalid:
        print(f"refused {len(invalid)} not of 4-32 letters, digits or '-': {', '.join(invalid)}")
    return 0 if not invalid else 1


def _provider_create(args: argparse.Namespace) -> int:
    from bot.db.engine import make_engine
    from bot.db.migrate import upgrade
    from bot.db.units import Database
    from bot.providers import audit, store
    from bot.providers.access import SUPERADMIN, AdminIdentity

    name = args.name.strip()
    if not 1 <= len(name) <= store.MAX_PROVIDER_NAME:
        print(f"error: --name takes 1-{store.MAX_PROVIDER_NAME} characters", file=sys.stderr)
        return 2
    engine = make_engine(load_settings().database_url)
    upgrade(engine)
    operator = AdminIdentity(0, None, SUPERADMIN, "en")  # the command line acts as id 0

    def create(session: Session) -> tuple[int, str | None]:
        provider = store.create_provider(session, name=name, owner_telegram_id=args.owner)
        assert provider.id is not None
        audit.record(
            session,
            admin=operator,
            action="provider.create",
            target=f"provider:{provider.id}",
            provider_id=provider.id,
            after={"name": provider.name, "owner": args.owner},
        )
        if args.owner is not None:
            return provider.id, None
        invite = store.create_invite(session, actor=operator, provider_id=provider.id, role="owner")
        return provider.id, invite.token

    try:
        provider_id, token = Database(engine).run_sync(create)
    except IntegrityError:
        print(
            f"error: Telegram user {args.owner} is already an admin of a provider", file=sys.stderr
        )
        return 1
    finally:
        engine.dispose()
    print(f"Created provider {provider_id} ({name})")
    if token is not None:
        print(f"Owner invite: open the bot with /start {token} (valid 3 days, once)")
    else:
        print(f"Owner: Telegram user {args.owner}")
    return 0


def _diagram(args: argparse.Namespace) -> int:
    from bot.diagram import mermaid

    print(mermaid(args.track))
    return 0


def parser() -> argparse.ArgumentParser:
    """The CLI's arguments; every sub-command has ``--help``."""
    from flows.tracks import LANGUAGES, MARKETS, TRACKS

    root = argparse.ArgumentParser(prog="shop-onboarding-bot", description=__doc__)
    commands = root.add_subparsers(dest="command", required=True)
    commands.add_parser(
        "run", help="run the bot (polling, or webhook when WEBHOOK_URL is set)"
    ).set_defaults(func=_run)
    migrate = commands.add_parser("migrate", help="apply database migrations")
    migrate.add_argument("revision", nargs="?", default="head")
    migrate.set_defaults(func=_migrate)
    demo = commands.add_parser("demo", help="walk the seller flow in the terminal, offline")
    demo.add_argument("--language", choices=list(LANGUAGES), default="en")
    demo.add_argument("--database-url", default="sqlite:///./data/demo.sqlite3")
    demo.set_defaults(func=_demo)
    invites = commands.add_parser("invite-codes", help="add invite codes (arguments or a CSV file)")
    invites.add_argument("codes", nargs="*", help="codes to add")
    invites.add_argument("--market", choices=list(MARKETS), required=True)
    invites.add_argument("--uses", type=int, default=1, help="uses per code; 0 = unlimited")
    invites.add_argument("--expires", type=dt.date.fromisoformat, help="last valid day (UTC)")
    invites.add_argument("--file", help="CSV file, one code in the first column of each row")
    invites.set_defaults(func=_invite_codes)
    provider = commands.add_parser(
        "provider", help="service providers: `provider create --name … --owner <user id>`"
    )
    provider_commands = provider.add_subparsers(dest="provider_command", required=True)
    create = provider_commands.add_parser(
        "create",
        help="create a provider; its owner is a Telegram user id, or gets an invite link",
        description="Reads DATABASE_URL. Without --owner, prints a one-time owner invite.",
    )
    create.add_argument("--name", required=True, help="the provider's name, 1-200 characters")
    create.add_argument(
        "--owner", type=int, help="the owner's numeric Telegram user id (e.g. 123456789)"
    )
    create.set_defaults(func=_provider_create)
    diagram = commands.add_parser("diagram", help="print a track's state machine (Mermaid)")
    diagram.add_argument("track", choices=list(TRACKS))
    diagram.set_defaults(func=_diagram)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; configuration problems are one line on stderr and exit code 2."""
    args = parser().parse_args(argv)
    try:
        return int(args.func(args))
    except SettingsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
