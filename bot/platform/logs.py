"""Logging set-up: readable text or JSON lines, with secrets and personal data kept out.

Two filters run on every record of every logger, in this order: ``PayloadFilter``
(``bot.platform.log_privacy``) drops the data libraries put in their records (Bot API payloads,
updates, SQL parameters, exception messages that may quote input), then the redaction
filter removes what has a shape: a token in a URL (httpx logs request URLs), a phone,
identity or tax number, an e-mail address (not a URL's user name). Invisible characters
(zero-width spaces, soft hyphens), raw or escaped as ``\\u200b``, are removed before
matching, so a number typed with them inside is still seen as a number.

JSON lines carry, besides the message, what a log collector needs to follow one update:
``update_id``, ``seller`` (a pseudonym, never the Telegram id), ``kind`` and ``handler``
from the update being handled (``bot.platform.update_trace``), and on the one
``update handled`` line per update its ``duration_ms`` and ``outcome``. Times are UTC
with milliseconds.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from typing import IO, Any

from bot.platform.log_privacy import PayloadFilter, safe_exception_text
from bot.platform.update_trace import CURRENT

_PATTERNS = (
    (re.compile(r"bot\d{5,16}:[A-Za-z0-9_-]{30,64}"), "bot<token>"),
    (re.compile(r"\b\d{5,16}:[A-Za-z0-9_-]{30,64}\b"), "<token>"),
    (re.compile(r"\+?\d[\d \-().]{8,}\d"), "<number>"),
    (re.compile(r"\b[0-9A-HJ-NPQRTUWXY]{18}\b"), "<id>"),
    # Not the user of a URL (``postgresql://bot@db.internal:5432/bot``): that names an
    # account of the operator's, and hiding it hides which database was meant.
    (re.compile(r"(?<![\w.+/-])[\w.+-]+@[\w-]+\.[\w.-]+"), "<email>"),
)


# Unicode format characters a number can hide behind, as themselves or as repr/JSON escapes.
_INVISIBLE = re.compile(
    r"[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]"
    r"|\\(?:u00ad|u180e|u200[b-f]|u202[a-e]|u206[0-4]|ufeff|xad)",
    re.IGNORECASE,
)


def redact(text: str) -> str:
    """Remove invisible characters; replace tokens, phone and identity numbers, e-mails."""
    text = _INVISIBLE.sub("", text)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """Renders each record's message, then redacts it (arguments included)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
            record.exc_text = redact(safe_exception_text(record.exc_info[1]))
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


_RESULT_FIELDS = ("duration_ms", "outcome")
"""Fields a log call may pass in ``extra`` (numbers and words from fixed sets only)."""


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log collectors (fields: see the module doc)."""

    def format(self, record: logging.LogRecord) -> str:
        moment = dt.datetime.fromtimestamp(record.created, dt.UTC)
        entry: dict[str, Any] = {
            "time": moment.isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        trace = CURRENT.get()
        if trace is not None:
            entry["update_id"] = trace.update_id
            entry["seller"] = trace.seller
            entry["kind"] = trace.kind
            entry["handler"] = trace.handler
        for name in _RESULT_FIELDS:
            if name in record.__dict__:
                entry[name] = record.__dict__[name]
        if record.exc_info:
            entry["exception"] = record.exc_text or self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(
    *, level: str = "INFO", fmt: str = "text", stream: IO[str] | None = None
) -> None:
    """Root logging for the bot process; noisy HTTP loggers kept at WARNING."""
    handler = logging.StreamHandler(stream)
    handler.addFilter(PayloadFilter())
    handler.addFilter(RedactingFilter())
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # alembic logs its plugins and each step at INFO; the runner logs the revision reached
    for noisy in ("httpx", "httpcore", "apscheduler", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
