"""Keeping sellers' data out of log lines that libraries write.

Rule: no user-typed content and no Telegram profile data in any log line, at any level;
sellers appear by internal id. Redacting patterns (``bot.platform.logs.redact``) cannot meet it on
its own: a company name, a product title or a first name has no shape to match. So the
data is removed where it enters the log, by what it *is*, not by what it looks like:

- A library's log call is a fixed template (code) plus arguments (data). PTB dumps whole
  Bot API parameters and results (``getUpdates`` with names and usernames, every text the
  bot sends) and ``Update`` objects at DEBUG; SQLAlchemy logs bound parameters and rows;
  httpx logs URLs. For records of loggers outside our own packages, the template is kept
  and each argument is shown by its type (``<dict>``), except numbers, and except the
  argument positions listed in ``_SAFE_ARGUMENTS`` (a Bot API method name, an HTTP
  method and status; not a URL, which can hold a number the seller typed).
- Our own packages (``bot``, ``flows``) pass unchanged: their log calls format only ids,
  counts and type names, which the end-to-end privacy test holds them to.
- Exception messages can quote data (``KeyError('<a name>')``, a driver error quoting a
  value), so a traceback keeps its frames (code) and the message only of exceptions known
  to describe the failure rather than the data (network, Telegram, database connection).
  A SQLAlchemy error's own text carries the statement's parameters: only the driver's
  first line is kept.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Mapping
from enum import Enum
from types import TracebackType
from typing import Any

__all__ = ["PayloadFilter", "exception_chain", "safe_exception_text", "safe_message"]

OWN_LOGGERS = ("bot", "flows", "bench")

_SAFE_ARGUMENTS: dict[str, tuple[int, ...]] = {
    "Calling Bot API endpoint `%s` with parameters `%s`": (0,),
    "Call to Bot API endpoint `%s` finished with return value `%s`": (0,),
    'HTTP Request: %s %s "%s %d %s"': (0, 2, 3, 4),  # not the URL: it can hold input
}

_SAFE_EXCEPTION_MODULES = ("telegram.error", "httpx", "httpcore", "h11", "asyncio", "ssl")
_SAFE_EXCEPTION_NAMES = frozenset(
    {
        "sqlalchemy.exc.OperationalError",
        "sqlalchemy.exc.InterfaceError",
        "sqlalchemy.exc.TimeoutError",
        "bot.sellers.store.DuplicateUpdate",
    }
)


def _is_own(name: str) -> bool:
    return any(name == own or name.startswith(own + ".") for own in OWN_LOGGERS)


def _neutral(value: Any) -> Any:
    """A log argument that cannot carry personal data: numbers stay, the rest is a type."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, Enum):
        return value.name
    if isinstance(value, type):  # a class name is code
        return value.__name__
    if isinstance(value, list | tuple) and all(type(item) is int for item in value):
        return value  # e.g. PTB's "Getting updates: [ids]"
    update_id = getattr(value, "update_id", None)
    if type(update_id) is int:  # PTB's "Processing update %s"
        return f"<{type(value).__name__} {update_id}>"
    return f"<{type(value).__name__}>"


class PayloadFilter(logging.Filter):
    """Replaces the data in third-party log records by placeholders (see the module doc)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not _is_own(record.name):
            if not isinstance(record.msg, str):  # logger.debug(some_object)
                record.msg, record.args = _neutral(record.msg), None
            elif isinstance(record.args, Mapping):
                record.args = {key: _neutral(value) for key, value in record.args.items()}
            elif record.args:
                keep = _SAFE_ARGUMENTS.get(record.msg, ())
                record.args = tuple(
                    value if index in keep else _neutral(value)
                    for index, value in enumerate(record.args)
                )
        if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
            record.exc_text = safe_exception_text(record.exc_info[1])
        return True


def _qualified(error: BaseException) -> str:
    kind = type(error)
    return (
        kind.__qualname__
        if kind.__module__ == "builtins"
        else f"{kind.__module__}.{kind.__qualname__}"
    )


def _message_is_safe(error: BaseException) -> bool:
    name = _qualified(error)
    if name in _SAFE_EXCEPTION_NAMES or isinstance(error, OSError | TimeoutError):
        return True
    return type(error).__module__.startswith(_SAFE_EXCEPTION_MODULES)


WITHHELD = "(message withheld)"


def safe_message(error: BaseException) -> str:
    """The exception's message when its type describes a failure, not data; else a
    placeholder. A SQLAlchemy error keeps only its driver's first line (no parameters)."""
    if not _message_is_safe(error):
        return WITHHELD
    if (driver := getattr(error, "orig", None)) is not None:
        return str(driver).split("\n", 1)[0]
    return str(error)


def _one(error: BaseException, tb: TracebackType | None) -> str:
    frames = "".join(traceback.format_list(traceback.extract_tb(tb)))
    head = "Traceback (most recent call last):\n" + frames if frames else ""
    message = safe_message(error)
    return f"{head}{_qualified(error)}: {message}" if message else f"{head}{_qualified(error)}"


_CAUSE = "\nThe above exception was the direct cause of the following exception:\n"
_CONTEXT = "\nDuring handling of the above exception, another exception occurred:\n"


def exception_chain(error: BaseException) -> list[tuple[BaseException, str]]:
    """``error`` and its causes and contexts, newest first, each with how it relates to the
    newer one (``_CAUSE``, ``_CONTEXT``, or "" for ``error`` itself)."""
    chain: list[tuple[BaseException, str]] = []
    seen: set[int] = set()
    current: BaseException | None = error
    link = ""
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append((current, link))
        if current.__cause__ is not None:
            current, link = current.__cause__, _CAUSE
        elif current.__context__ is not None and not current.__suppress_context__:
            current, link = current.__context__, _CONTEXT
        else:
            current = None
    return chain


def safe_exception_text(error: BaseException) -> str:
    """A traceback (with its causes) whose messages are kept only for safe exception types."""
    parts = []
    for older, relation in reversed(exception_chain(error)):
        parts.append(_one(older, older.__traceback__))
        if relation:
            parts.append(relation)
    return "\n".join(parts)
