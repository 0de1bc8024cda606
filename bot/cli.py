"""The operator's command line: run, migrate, demo, invite codes, flow diagrams, exports,
retention.

A bad setting (or a SQLite path that cannot be written, or uncompiled catalogs) is one
line on stderr and exit code 2; a service still unreachable after the start-up retries is
one line and exit code 1 (``bot.platform.startup``).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bot.platform import heap

if TYPE_CHECKING:
    from sqlmodel import Session

    from bot.platform.settings import Settings

DEMO_DATABASE = "sqlite:///./data/demo.sqlite3"
DEMO_PROVIDER_DATABASE = "sqlite:///./data/demo-provider.sqlite3"
ENV_DATABASE = "DATABASE_URL  the database (default sqlite:///./data/bot.sqlite3)"
ENV_RETRIES = (
    "STARTUP_TRIES, STARTUP_MAX_WAIT  attempts to reach the database and the longest wait\n"
    "                between two, in seconds (default 6 and 16: about 31 s in all)"
)
RUN_ENVIRONMENT = f"""environment (or .env):
  BOT_TOKEN       the token from @BotFather (required)
  {ENV_DATABASE}
  WEBHOOK_URL     https URL Telegram posts updates to; unset = long polling
  WEBHOOK_SECRET  the webhook's secret token (default: derived from BOT_TOKEN)
  LISTEN_HOST, LISTEN_PORT  where the HTTP server (webhook, /healthz, /readyz) listens
  BOT_API_URL     the Bot API server (default https://api.telegram.org)
  SUPERADMIN_IDS  Telegram user ids, comma-separated
  DEFAULT_LOCALE  en, zh_Hans or id, for users whose language is unknown
  COMPANIES_HOUSE_API_KEY, COMPANIES_HOUSE_URL  the UK company register lookup
  LOG_LEVEL, LOG_FORMAT  DEBUG/INFO/WARNING/ERROR/CRITICAL; text or json
  METRICS_TOKEN   turns on /metrics for a scraper sending it as a bearer token
  WEBAPP_URL      public https base of this server: offers admins the review desk (/desk/)
  SENTRY_DSN, SENTRY_ENVIRONMENT  error reports to Sentry (off without a DSN)
  RATE_LIMIT_PER_SECOND, CONCURRENT_UPDATES, SELLER_LOCK_SLOTS  throughput limits
  DOCUMENT_READINGS  licence/KTP photos read at once (default 2; docs/documents.md)
  {ENV_RETRIES}
  OUTBOX_ENABLED  send broadcasts, reminders and notices from this process (default on)
  ALLOW_PAID_BROADCAST, PAID_BROADCAST_PER_SECOND  paid broadcasts (cost Stars; off)
  CHAT_INTERVAL_SECONDS, GROUP_MESSAGES_PER_MINUTE, GROUP_WINDOW_SECONDS  per-chat limits
  OUTBOX_BATCH_SIZE, OUTBOX_CONCURRENCY, OUTBOX_MAX_ATTEMPTS, OUTBOX_RETRY_BASE_SECONDS,
  OUTBOX_POLL_SECONDS  how the outbox drains (docs/outbox.md)
  BROADCAST_TICK_SECONDS, REMINDER_TICK_SECONDS, REMINDER_QUIET_HOURS  broadcast progress,
  schedules and reminder rounds (docs/broadcasts.md)
exit codes: 0 stopped cleanly, 1 a service unreachable, 2 a bad setting"""


def _run(args: argparse.Namespace) -> int:
    from bot.platform.i18n import require_catalogs
    from bot.platform.settings import load_settings
    from bot.runner import run

    settings = load_settings()
    require_catalogs()
    return run(settings)


def _migrate(args: argparse.Namespace) -> int:
    from bot.db.engine import make_engine
    from bot.db.migrate import current_revision
    from bot.platform.settings import load_settings
    from bot.runner import start_database

    settings = load_settings()
    engine = make_engine(settings.database_url)
    try:
        asyncio.run(start_database(settings, engine, args.revision))
        print(f"database at revision {current_revision(engine)}")
    finally:
        engine.dispose()
    return 0


def _demo(args: argparse.Namespace) -> int:
    from bot.app import build_application
    from bot.offline.demo import run_demo
    from bot.platform.i18n import require_catalogs

    require_catalogs()
    role = args.role
    database_url = args.database_url or (
        DEMO_PROVIDER_DATABASE if role == "provider" else DEMO_DATABASE
    )
    asyncio.run(
        run_demo(
            build=build_application,
            language=args.language,
            database_url=database_url,
            role=role,
        )
    )
    return 0


def _invite_codes(args: argparse.Namespace) -> int:
    from sqlmodel import Session

    from bot.db.engine import make_engine
    from bot.db.migrate import upgrade
    from bot.platform.i18n import Translator
    from bot.platform.settings import load_settings
    from bot.providers.codes import store as codes
    from bot.providers.codes.files import CodeFileError, read_code_file

    found = list(args.codes)
    if args.file:
        try:
            data = Path(args.file).read_bytes()
            found += asyncio.run(read_code_file(data, args.file))
        except OSError as error:
            print(f"Cannot read {args.file}: {error}", file=sys.stderr)
            return 2
        except CodeFileError as error:
            print(f"Cannot read {args.file}: {error.reason(Translator('en'))}", file=sys.stderr)
            return 2
    overrides = {"database_url": args.database_url} if args.database_url else {}
    engine = make_engine(load_settings(**overrides).database_url)
    upgrade(engine)
    expires = (
        dt.datetime.combine(args.expires, dt.time.max, tzinfo=dt.UTC) if args.expires else None
    )
    with Session(engine) as session:
        report = codes.add_codes(
            session,
            codes=found,
            market=args.market,
            max_uses=None if args.uses == 0 else args.uses,
            expires_at=expires,
        )
        session.commit()
    engine.dispose()
    print(f"Added {_count(report.added, 'invite code')} for market {args.market}.")
    if report.duplicate:
        skipped = _count(len(report.duplicate), "existing code")
        print(f"Skipped {skipped}: {', '.join(report.duplicate)}")
    if report.malformed:
        refused = _count(len(report.malformed), "code")
        print(
            f"Refused {refused} not of 4-32 letters, digits or '-': {', '.join(report.malformed)}"
        )
    return 0 if not report.malformed else 1


def _count(number: int, noun: str) -> str:
    """``1 invite code``, ``3 invite codes``."""
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _provider_create(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import IntegrityError

    from bot.db.engine import make_engine
    from bot.db.migrate import upgrade
    from bot.db.units import Database
    from bot.platform.settings import load_settings
    from bot.providers import audit, store
    from bot.providers.access import SUPERADMIN, AdminIdentity

    name = args.name.strip()
    if not 1 <= len(name) <= store.MAX_PROVIDER_NAME:
        print(f"error: --name takes 1-{store.MAX_PROVIDER_NAME} characters", file=sys.stderr)
        return 2
    settings = load_settings()
    engine = make_engine(settings.database_url)
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
        username = _bot_username(settings)
        if username is not None:
            print(f"Owner invite: https://t.me/{username}?start={token} (valid 3 days, once)")
        else:
            print(f"Owner invite: open the bot and send /start {token} (valid 3 days, once)")
            print("(Telegram was not reachable with BOT_TOKEN, so this is not a link.)")
    else:
        print(f"Owner: Telegram user {args.owner}")
    return 0


def _bot_username(settings: Settings) -> str | None:
    """The bot's @username from ``getMe``, for a t.me link; None without a token or an
    answer (the caller prints the command to type instead). The URL holds the token, so
    nothing here is logged."""
    import httpx

    from bot.platform.settings import SettingsError

    try:
        url = f"{settings.bot_api_url.rstrip('/')}/bot{settings.token}/getMe"
        answer = httpx.get(url, timeout=5.0).json()
    except (SettingsError, httpx.HTTPError, ValueError):
        return None
    result = answer.get("result") if isinstance(answer, dict) and answer.get("ok") else None
    username = result.get("username") if isinstance(result, dict) else None
    return username if isinstance(username, str) and username else None


def _export(args: argparse.Namespace) -> int:
    from bot.db.engine import make_engine
    from bot.db.migrate import upgrade
    from bot.db.models import Cohort
    from bot.db.units import Database
    from bot.platform.settings import load_settings
    from bot.providers import audit
    from bot.providers.access import SUPERADMIN, AdminIdentity
    from bot.reports.exports import write_export

    settings = load_settings()
    engine = make_engine(settings.database_url)
    upgrade(engine)
    operator = AdminIdentity(0, None, SUPERADMIN, "en")  # the command line acts as id 0
    output = Path(args.output)

    def export(session: Session) -> int | None:
        cohort = session.get(Cohort, args.cohort)
        if cohort is None:
            return None
        done = write_export(session, cohort_id=args.cohort, fmt=args.format, path=output)
        audit.record(
            session,
            admin=operator,
            action="cohort.export",
            target=f"cohort:{cohort.id}",
            provider_id=cohort.provider_id,
            after={"format": args.format, "applications": done.applications, "via": "cli"},
        )
        return done.applications

    try:
        count = Database(engine).run_sync(export)
    finally:
        engine.dispose()
    if count is None:
        print(f"error: there is no cohort {args.cohort}", file=sys.stderr)
        return 1
    print(f"Wrote {_count(count, 'application')} of cohort {args.cohort} to {output}")
    return 0


def _retention(args: argparse.Namespace) -> int:
    from bot.db.engine import make_engine
    from bot.db.migrate import upgrade
    from bot.db.units import Database
    from bot.platform.settings import load_settings
    from bot.privacy.retention import apply_retention

    engine = make_engine(load_settings().database_url)
    upgrade(engine)
    try:
        count = Database(engine).run_sync(lambda session: apply_retention(session))
    finally:
        engine.dispose()
    print(f"Anonymized {_count(count, 'application')} past their cohort's retention period.")
    return 0


def _expiry_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a date: write YYYY-MM-DD, e.g. 2027-01-31"
        ) from None


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
    """The CLI's arguments; every sub-command's ``--help`` names its arguments and the
    environment settings it reads."""
    from flows.tracks import LANGUAGES, MARKETS, TRACKS

    raw = argparse.RawDescriptionHelpFormatter
    root = argparse.ArgumentParser(
        prog="shop-onboarding-bot", description=__doc__, formatter_class=raw
    )
    commands = root.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser(
        "run",
        help="run the bot (polling, or webhook when WEBHOOK_URL is set)",
        description="Migrate the database, then serve Telegram updates until SIGTERM/SIGINT.",
        epilog=RUN_ENVIRONMENT,
        formatter_class=raw,
    ).set_defaults(func=_run)
    migrate = commands.add_parser(
        "migrate",
        help="apply database migrations",
        description="Create or migrate the database (waiting for it like `run` does).",
        epilog=f"environment (or .env):\n  {ENV_DATABASE}\n  {ENV_RETRIES}\n"
        "exit codes: 0 migrated, 1 the database unreachable, 2 a bad setting",
        formatter_class=raw,
    )
    migrate.add_argument(
        "revision", nargs="?", default="head", help="Alembic revision to reach (default: head)"
    )
    migrate.set_defaults(func=_migrate)
    demo = commands.add_parser(
        "demo",
        help="play a seller (or, with --as provider, a provider) in the terminal, offline",
        description="The real bot against an in-process Telegram: no token, no network. "
        "State is kept in the database, so the next demo resumes. As a provider you own a "
        "seeded provider with a cohort, three sellers at different steps and one "
        "application to review.",
        epilog="environment: none (no BOT_TOKEN needed; LOG_LEVEL and other settings are "
        "still checked)",
    )
    demo.add_argument(
        "--language",
        choices=list(LANGUAGES),
        help="the seller's language, also for a seller an earlier demo created in another "
        "(default: the one chosen last, English at first)",
    )
    demo.add_argument(
        "--as",
        dest="role",
        choices=("seller", "provider"),
        default="seller",
        help="whom you play: a seller onboarding (default) or a provider's owner",
    )
    demo.add_argument(
        "--database-url",
        help=f"the demo's database (default {DEMO_DATABASE}, as a provider "
        f"{DEMO_PROVIDER_DATABASE}; DATABASE_URL is not read)",
    )
    demo.set_defaults(func=_demo)
    invites = commands.add_parser(
        "invite-codes",
        help="add invite codes (arguments or a CSV file)",
        description="Add invite codes for cross-border sellers; codes are upper-cased, "
        "existing ones skipped. Exit code 1 if any code was refused.",
        epilog=f"environment (or .env):\n  {ENV_DATABASE}; --database-url overrides it",
        formatter_class=raw,
    )
    invites.add_argument("codes", nargs="*", help="codes to add: 4-32 letters, digits or '-'")
    invites.add_argument(
        "--market", choices=list(MARKETS), required=True, help="the market the codes are for"
    )
    invites.add_argument(
        "--uses", type=int, default=1, help="uses per code (default 1); 0 = unlimited"
    )
    invites.add_argument(
        "--expires",
        type=_expiry_date,
        metavar="YYYY-MM-DD",
        help="last valid day, inclusive, in UTC (e.g. 2027-01-31); default: never expires",
    )
    invites.add_argument(
        "--file", help="CSV file, one code in the first column of each row (a CODE header ok)"
    )
    invites.add_argument("--database-url", help="the database (default: DATABASE_URL)")
    invites.set_defaults(func=_invite_codes)
    provider = commands.add_parser(
        "provider",
        help="service providers: `provider create --name … --owner <user id>`",
        description="Bootstrap service providers without SQL.",
        epilog=f"environment (or .env):\n  {ENV_DATABASE}",
        formatter_class=raw,
    )
    provider_commands = provider.add_subparsers(
        dest="provider_command", required=True, metavar="ACTION", help="create"
    )
    create = provider_commands.add_parser(
        "create",
        help="create a provider; its owner is a Telegram user id, or gets an invite link",
        description="Create a provider. Without --owner, prints a one-time owner invite.",
        epilog=f"environment (or .env):\n  {ENV_DATABASE}",
        formatter_class=raw,
    )
    create.add_argument("--name", required=True, help="the provider's name, 1-200 characters")
    create.add_argument(
        "--owner", type=int, help="the owner's numeric Telegram user id (e.g. 123456789)"
    )
    create.set_defaults(func=_provider_create)
    diagram = commands.add_parser(
        "diagram",
        help="draw a track's flow: main path, optional steps, jumps (Mermaid, PNG, SVG)",
        description="Draw a track's flow from its data, with labels in one language.",
        epilog="environment: none",
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
    export = commands.add_parser(
        "export",
        help="write a cohort's applications to an XLSX or CSV file (for scheduled jobs)",
        description="Export a cohort as /export does in Telegram: XLSX with sheets of "
        "applications (every answer a column), products and documents, or CSV (UTF-8 "
        "with BOM) of the applications. Streams to the file; recorded in the audit log.",
        epilog=f"environment (or .env):\n  {ENV_DATABASE}\n"
        "exit codes: 0 written, 1 no such cohort, 2 a bad setting",
        formatter_class=raw,
    )
    export.add_argument("--cohort", type=int, required=True, help="the cohort's id (/cohorts)")
    export.add_argument(
        "--format", choices=("xlsx", "csv"), default="xlsx", help="file format (default xlsx)"
    )
    export.add_argument("--output", required=True, help="the file to write (replaced)")
    export.set_defaults(func=_export)
    retention = commands.add_parser(
        "retention",
        help="anonymize closed applications past their cohort's retention period now",
        description="Run the daily retention job once: applications submitted, approved or "
        "rejected and inactive for longer than their cohort's retention_days lose their "
        "answers, uploads and seller. Safe to run any number of times.",
        epilog=f"environment (or .env):\n  {ENV_DATABASE}",
        formatter_class=raw,
    )
    retention.set_defaults(func=_retention)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; configuration problems (settings, a SQLite path, missing catalogs) are
    one line on stderr and exit code 2, a
    service unreachable after the retries one line and exit code 1."""
    args = parser().parse_args(argv)
    if args.func is _run:
        heap.pause_collection()  # before the imports, until the bot serves: bot/platform/heap.py
    from bot.db.engine import SqliteLocationError
    from bot.platform.i18n import CatalogMissing
    from bot.platform.settings import SettingsError
    from bot.platform.startup import ServiceUnreachable

    try:
        return int(args.func(args))
    except (SettingsError, SqliteLocationError, CatalogMissing) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except ServiceUnreachable as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        heap.resume()  # a run that ended before it served


if __name__ == "__main__":
    raise SystemExit(main())
