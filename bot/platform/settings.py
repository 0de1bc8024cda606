"""All configuration, from the environment or ``.env``, checked once at start-up.

Every malformed setting is reported as one line (``SettingsError``, exit code 2) naming
the variable, what was wrong and what a right value looks like, not a traceback: that is
the first thing a new operator gets wrong. Secret values are never repeated back.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

TOKEN_PATTERN = re.compile(r"^\d{5,16}:[A-Za-z0-9_-]{30,64}$")
LOCALES = ("en", "zh_Hans", "id")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
DATABASE_EXAMPLES = "sqlite:///./data/bot.sqlite3 or postgresql+psycopg://bot:PASSWORD@db:5432/bot"
SECRETS = (
    "bot_token",
    "webhook_secret",
    "companies_house_api_key",
    "database_url",
    "metrics_token",
    "sentry_dsn",
)
"""Settings whose values are never shown in an error (a database URL may hold a password)."""


class SettingsError(Exception):
    """The configuration cannot run the bot; the message says what to fix."""


class Settings(BaseSettings):
    """The bot's settings; names match the environment variables (case-insensitive)."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: SecretStr = SecretStr("")
    database_url: str = "sqlite:///./data/bot.sqlite3"
    bot_api_url: str = "https://api.telegram.org"
    superadmin_ids: Annotated[tuple[int, ...], NoDecode] = ()
    default_locale: str = "en"
    companies_house_api_key: SecretStr | None = None
    companies_house_url: str = "https://api.company-information.service.gov.uk"
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    # docs/providers.md#review-desk: the review desk (a Mini App at <WEBAPP_URL>/desk/) is
    # offered to admins only when this public https base of the bot's web server is set
    webapp_url: str | None = None
    listen_host: str = "0.0.0.0"
    listen_port: int = Field(default=8080, ge=1, le=65535)
    log_format: str = Field(default="text", pattern="^(text|json)$")
    log_level: str = "INFO"
    # docs/operations.md#metrics: /metrics answers only a scraper sending this bearer token
    metrics_token: SecretStr | None = Field(default=None, min_length=16)
    # docs/operations.md#error-reports: errors go to Sentry only when this is set
    sentry_dsn: SecretStr | None = None
    sentry_environment: str = "production"
    rate_limit_per_second: float = Field(default=30.0, gt=0)
    seller_lock_slots: int = Field(default=4096, ge=16)
    concurrent_updates: int = Field(default=64, ge=1)
    # docs/documents.md: licence and KTP photos read at once (each a sandboxed OCR process)
    document_readings: int = Field(default=2, ge=1, le=16)
    startup_tries: int = Field(default=6, ge=1, le=30)
    startup_max_wait: float = Field(default=16.0, ge=0, le=300)
    # The outbox (docs/outbox.md). Paid broadcasts cost Telegram Stars for every message
    # above the free 30/s; they are off unless ALLOW_PAID_BROADCAST is set.
    outbox_enabled: bool = True
    allow_paid_broadcast: bool = False
    paid_broadcast_per_second: float = Field(default=1000.0, gt=0, le=1000)
    chat_interval_seconds: float = Field(default=1.0, ge=0)
    group_messages_per_minute: int = Field(default=20, ge=1)
    group_window_seconds: float = Field(default=60.0, gt=0)
    outbox_batch_size: int = Field(default=100, ge=1)
    outbox_concurrency: int = Field(default=16, ge=1, le=256)
    outbox_max_attempts: int = Field(default=5, ge=1)
    outbox_retry_base_seconds: float = Field(default=2.0, gt=0)
    outbox_poll_seconds: float = Field(default=1.0, gt=0)
    # Broadcast progress and schedules (a JobQueue tick) and reminder rounds (drip).
    broadcast_tick_seconds: float = Field(default=3.0, gt=0)
    reminder_tick_seconds: float = Field(default=600.0, gt=0)
    reminder_quiet_hours: str = Field(default="21-9", pattern=r"^\d{1,2}-\d{1,2}$")

    @field_validator("superadmin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [part for part in re.split(r"[,\s]+", value.strip()) if part]
            wrong = [part for part in parts if not part.isdecimal()]
            if wrong:
                raise ValueError(
                    f"SUPERADMIN_IDS: {wrong[0]!r} is not a Telegram user id; use numeric ids "
                    "separated by commas (SUPERADMIN_IDS=123456789,987654321)"
                )
            return tuple(int(part) for part in parts)
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        if value.strip().upper() not in LOG_LEVELS:
            raise ValueError(
                f"LOG_LEVEL={value!r} is not a log level; use one of {', '.join(LOG_LEVELS)} "
                "(LOG_LEVEL=INFO)"
            )
        return value.strip().upper()

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str) -> str:
        try:
            url = make_url(value.strip())
        except ArgumentError:
            raise ValueError(
                f"DATABASE_URL is not a database URL; use {DATABASE_EXAMPLES}"
            ) from None
        backend, driver = url.get_backend_name(), url.get_driver_name()
        if backend == "sqlite" or (backend == "postgresql" and driver == "psycopg"):
            return value.strip()
        if backend == "postgresql":
            raise ValueError(
                f"DATABASE_URL: PostgreSQL needs the psycopg driver, not {driver!r}; "
                "write postgresql+psycopg://USER:PASSWORD@HOST:5432/DB"
            )
        raise ValueError(
            f"DATABASE_URL: {backend!r} databases are not supported; use {DATABASE_EXAMPLES}"
        )

    @field_validator("webhook_url", mode="before")
    @classmethod
    def _https_webhook(cls, value: Any) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        parts = urlsplit(str(value).strip())
        if parts.scheme != "https" or not parts.hostname:
            raise ValueError(
                f"WEBHOOK_URL={value!r} is not an https URL (Telegram only calls https); "
                "use e.g. WEBHOOK_URL=https://bot.example.com/telegram, or leave it unset "
                "for polling"
            )
        return str(value).strip()

    @field_validator("webapp_url", mode="before")
    @classmethod
    def _https_webapp(cls, value: Any) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        parts = urlsplit(str(value).strip())
        if parts.scheme != "https" or not parts.hostname or parts.query or parts.fragment:
            raise ValueError(
                f"WEBAPP_URL={value!r} is not an https base URL (Telegram opens Mini Apps "
                "over https only); use e.g. WEBAPP_URL=https://bot.example.com, or leave it "
                "unset for no review desk"
            )
        return str(value).strip().rstrip("/")

    @field_validator("bot_api_url")
    @classmethod
    def _http_api_url(cls, value: str) -> str:
        """Refused at once: an URL httpx cannot call would otherwise be retried as if
        Telegram were down, for the whole start-up schedule."""
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(
                f"BOT_API_URL={value!r} is not an http(s) URL; use https://api.telegram.org "
                "(the default) or your local Bot API server, e.g. http://127.0.0.1:8081"
            )
        return value.strip()

    @field_validator("default_locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        if value not in LOCALES:
            raise ValueError(f"DEFAULT_LOCALE must be one of {', '.join(LOCALES)}")
        return value

    @property
    def token(self) -> str:
        """The bot token, checked: raises ``SettingsError`` with a one-line reason."""
        token = self.bot_token.get_secret_value().strip()
        if not token:
            raise SettingsError(
                "BOT_TOKEN is not set: put the token @BotFather gave you in the environment "
                "or in .env (BOT_TOKEN=123456:ABC...)."
            )
        if not TOKEN_PATTERN.match(token):
            raise SettingsError(
                "BOT_TOKEN does not look like a Telegram bot token "
                "(expected digits, a colon, then 30+ letters, digits, '_' or '-')."
            )
        return token

    @property
    def desk_url(self) -> str | None:
        """The review desk's page (``<WEBAPP_URL>/desk/``), or None when it is not offered."""
        return f"{self.webapp_url}/desk/" if self.webapp_url else None

    @property
    def sqlite_path(self) -> Path | None:
        """The SQLite file, when the database is SQLite on disk (its folder is created)."""
        prefix = "sqlite:///"
        if not self.database_url.startswith(prefix) or ":memory:" in self.database_url:
            return None
        return Path(self.database_url.removeprefix(prefix))


def load_settings(**overrides: object) -> Settings:
    """Read settings; malformed values become one ``SettingsError`` line per problem."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        problems = "; ".join(_problem(item) for item in error.errors())
        raise SettingsError(f"Invalid settings: {problems}") from None


def _problem(item: Any) -> str:
    """One problem: a validator's own sentence, else the variable, its value and pydantic's
    reason (``LISTEN_PORT='eighty': Input should be a valid integer``)."""
    name = ".".join(str(part) for part in item["loc"])
    if item["type"] == "value_error":
        return str(item["ctx"]["error"])
    shown = "" if name in SECRETS else f"={item['input']!r}"
    return f"{name.upper()}{shown}: {item['msg']}"
