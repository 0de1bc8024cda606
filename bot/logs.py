"""Logging set-up: readable text or JSON lines, with secrets and personal data redacted.

The redaction filter runs on every record of every logger, so a token in a URL (httpx
logs request URLs), a phone number or an identity number never reaches a log line even
when a library logs it.
"""

from __future__ import annotations

import json
import logging
import re
from typing import IO, Any

_PATTERNS = (
    (re.compile(r"bot\d{5,16}:[A-Za-z0-9_-]{30,64}"), "bot<token>"),
    (re.compile(r"\b\d{5,16}:[A-Za-z0-9_-]{30,64}\b"), "<token>"),
    (re.compile(r"\+?\d[\d \-().]{8,}\d"), "<number>"),
    (re.compile(r"\b[0-9A-HJ-NPQRTUWXY]{18}\b"), "<id>"),
    (re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"), "<email>"),
)


def redact(text: str) -> str:
    """Replace tokens, phone and identity numbers, e-mail addresses."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """Renders each record's message, then redacts it (arguments included)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log collectors."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = record.exc_text or self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(
    *, level: str = "INFO", fmt: str = "text", stream: IO[str] | None = None
) -> None:
    """Root logging for the bot process; noisy HTTP loggers kept at WARNING."""
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter())
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # alembic's migration context logs at INFO on every readiness probe
    for noisy in ("httpx", "httpcore", "apscheduler", "alembic.runtime.migration"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
