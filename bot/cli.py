"""The operator's command line: run, migrate, demo, invite codes, flow diagrams."""

from __future__ import annotations

import argparse
import asyncio
import csv
import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path

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


def _diagram(args: argparse.Namespace) -> int:
    from bot.reports.flow_picture import FlowPictureError, render
    from bot.reports.fonts import FontMissing

    try:
        picture = render(args.track, args.format, args.language)
    except (FlowPictureError, FontMissing) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if args.output:
        Path(args.output).write_bytes(picture)
    elif args.format == "mermaid":
        sys.stdout.write(picture.decode())
    else:
        print(f"error: {args.format} is binary: name a file with --output", file=sys.stderr)
        return 2
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
    diagram = commands.add_parser(
        "diagram", help="draw a track's flow: main path, optional steps, jumps (Mermaid, PNG, SVG)"
    )
    diagram.add_argument("track", choices=list(TRACKS), help="the track to draw")
    diagram.add_argument(
        "--format",
        choices=("png", "svg", "mermaid"),
        default="mermaid",
        help="mermaid: flowchart text (default); png, svg: drawn by Graphviz's dot",
    )
    diagram.add_argument(
        "--output", help="file to write; without it Mermaid goes to stdout (png, svg need one)"
    )
    diagram.add_argument(
        "--language", choices=list(LANGUAGES), default="en", help="the labels' language"
    )
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
